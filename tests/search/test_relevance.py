"""The PostgreSQL backend's relevance order for a keyword: the stage name is the keyword, then the name contains it,
then anything else matching (styles, bio, a type's words), each tier by popularity; pages of it read each tier's
first rows on their own (search/pg.py relevance_page)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from search.base import SearchQuery
from search.pg import PgArtistSearch
from tests.search.conftest import Catalog, catalog_documents


@pytest.fixture
def backend(search: PgArtistSearch) -> PgArtistSearch:
    return search


def reindex(db: Session, search: PgArtistSearch, **changes: dict[str, object]) -> None:
    """The catalog again, with fields of some artists (by stage name) changed."""
    search.reindex_all([replace(d, **changes.get(d.stage_name, {})) for d in catalog_documents(db)])  # type: ignore[arg-type]


def ranked(search: PgArtistSearch, catalog: Catalog, keyword: str, **kw: object) -> list[str]:
    return catalog.names(search.search(SearchQuery(keyword=keyword, page_size=50, **kw)).ids)  # type: ignore[arg-type]


def test_a_name_match_outranks_a_more_popular_bio_match(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    reindex(db, search, 何雨桐={"popularity": 10_000})
    assert ranked(search, catalog, "爵士") == ["南城爵士四重奏", "何雨桐"]


def test_the_exact_name_comes_first_whatever_its_popularity(db: Session, search: PgArtistSearch,
                                                            catalog: Catalog) -> None:
    reindex(db, search, 陈默={"stage_name": "爵士", "popularity": 0}, 何雨桐={"popularity": 10_000})
    assert ranked(search, catalog, "爵士") == ["陈默", "南城爵士四重奏", "何雨桐"]


def test_other_matches_follow_popularity(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    # 主持 is in neither name: 何雨桐 (a host, 主持 in her bio) and 孙浩然 (年会主持; a host).
    reindex(db, search, 何雨桐={"popularity": 5}, 孙浩然={"popularity": 500})
    assert ranked(search, catalog, "主持") == ["孙浩然", "何雨桐"]
    reindex(db, search, 何雨桐={"popularity": 500}, 孙浩然={"popularity": 5})
    assert ranked(search, catalog, "主持") == ["何雨桐", "孙浩然"]


def test_pages_follow_the_whole_order_and_the_filters(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    reindex(db, search, 陈默={"stage_name": "爵士", "bio": "爵士鼓手"}, 孙浩然={"bio": "也主持爵士之夜。"})
    whole = ranked(search, catalog, "爵士")
    assert whole[:2] == ["陈默", "南城爵士四重奏"] and set(whole[2:]) == {"何雨桐", "孙浩然"}
    pages = [catalog.names(search.search(SearchQuery(keyword="爵士", page=p, page_size=1)).ids) for p in range(1, 6)]
    assert pages == [[name] for name in whole] + [[]]
    assert search.search(SearchQuery(keyword="爵士", page_size=1)).total == 4
    assert ranked(search, catalog, "爵士", cities=("上海",)) == ["南城爵士四重奏", "孙浩然"]  # 孙浩然 travels there
