"""One behaviour for every backend: PostgreSQL always, OpenSearch when OPENSEARCH_URL is set."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from domain.artists.search_documents import artist_document
from search.base import ArtistSearch, InvalidSearchQuery, SearchQuery
from tests.search.conftest import Catalog


def names(backend: ArtistSearch, catalog: Catalog, **kw: object) -> list[str]:
    return catalog.names(backend.search(SearchQuery(page_size=50, **kw)).ids)  # type: ignore[arg-type]


def test_chinese_keyword_finds_name_style_and_bio(backend: ArtistSearch, catalog: Catalog) -> None:
    found = names(backend, catalog, keyword="爵士")
    # The quartet has 爵士 in its name and styles; 何雨桐 only in her bio. The banned artist never shows.
    assert set(found) == {"南城爵士四重奏", "何雨桐"}
    assert found[0] == "南城爵士四重奏"


def test_full_name_and_domain_words(backend: ArtistSearch, catalog: Catalog) -> None:
    assert names(backend, catalog, keyword="南城爵士四重奏")[0] == "南城爵士四重奏"
    assert names(backend, catalog, keyword="年会") == ["孙浩然"]
    assert names(backend, catalog, keyword="商演") == ["夏夜乐队"]
    assert names(backend, catalog, keyword="LiveHouse") == ["陈默"]
    assert names(backend, catalog, keyword="民谣 成都") == ["陈默"]
    assert names(backend, catalog, keyword="脱口秀") == []


def test_two_character_name(backend: ArtistSearch, catalog: Catalog) -> None:
    assert names(backend, catalog, keyword="陈默") == ["陈默"]
    assert names(backend, catalog, keyword="浩然") == ["孙浩然"]


def test_filters(backend: ArtistSearch, catalog: Catalog) -> None:
    assert set(names(backend, catalog, artist_types=("band",))) == {"南城爵士四重奏", "夏夜乐队"}
    assert set(names(backend, catalog, artist_types=("band", "host"))) == {
        "南城爵士四重奏", "夏夜乐队", "何雨桐", "孙浩然"}
    # A city matches the artists living there and those travelling there (孙浩然 lives in 北京).
    assert names(backend, catalog, cities=("上海",)) == ["南城爵士四重奏", "孙浩然"]
    assert set(names(backend, catalog, cities=("上海", "成都"))) == {"南城爵士四重奏", "陈默", "孙浩然"}
    # Price ranges overlap [5,000, 9,000] yuan; 夏夜乐队 hides its prices (面议) so never matches a price filter.
    assert set(names(backend, catalog, price_min=500_000, price_max=900_000)) == {"何雨桐", "陈默", "孙浩然"}
    assert set(names(backend, catalog, price_min=2_100_000)) == {"南城爵士四重奏"}
    assert set(names(backend, catalog, min_rating=4.5)) == {"南城爵士四重奏", "何雨桐"}
    assert set(names(backend, catalog, verified_only=True)) == {"南城爵士四重奏", "陈默", "孙浩然"}
    assert set(names(backend, catalog, tags=("热门艺人",))) == {"南城爵士四重奏", "夏夜乐队"}
    assert names(backend, catalog, keyword="爵士", cities=("深圳",)) == ["何雨桐"]


def test_available_on_excludes_booked_and_rest_days(backend: ArtistSearch, catalog: Catalog) -> None:
    day = catalog.busy_day
    assert "孙浩然" not in names(backend, catalog, available_on=day)
    assert "南城爵士四重奏" in names(backend, catalog, available_on=day)  # an 'available' slot blocks nothing
    next_day = names(backend, catalog, available_on=day + timedelta(days=1))
    assert "孙浩然" in next_day and "陈默" not in next_day
    assert len(names(backend, catalog, available_on=day + timedelta(days=3))) == 5


@pytest.mark.parametrize(("sort", "expected"), [
    ("popularity", ["陈默", "南城爵士四重奏", "何雨桐", "孙浩然", "夏夜乐队"]),
    ("rating", ["南城爵士四重奏", "何雨桐", "陈默", "夏夜乐队", "孙浩然"]),
    ("price_asc", ["陈默", "何雨桐", "孙浩然", "南城爵士四重奏", "夏夜乐队"]),
    ("price_desc", ["南城爵士四重奏", "孙浩然", "何雨桐", "陈默", "夏夜乐队"]),
    ("newest", ["夏夜乐队", "孙浩然", "陈默", "何雨桐", "南城爵士四重奏"]),
])
def test_sorts(backend: ArtistSearch, catalog: Catalog, sort: str, expected: list[str]) -> None:
    assert names(backend, catalog, sort=sort) == expected


def test_pagination(backend: ArtistSearch, catalog: Catalog) -> None:
    pages = [backend.search(SearchQuery(sort="popularity", page=p, page_size=2)) for p in (1, 2, 3, 4)]
    assert [r.total for r in pages] == [5, 5, 5, 5]
    assert [len(r.items) for r in pages] == [2, 2, 1, 0]
    ids = [i for r in pages for i in r.ids]
    assert catalog.names(ids) == ["陈默", "南城爵士四重奏", "何雨桐", "孙浩然", "夏夜乐队"]


def test_facets(backend: ArtistSearch, catalog: Catalog) -> None:
    everything = backend.search(SearchQuery())
    assert everything.facets["artist_types"] == {"band": 2, "singer": 2, "host": 2}
    # Cities count everyone performing there: 上海 has 南城 (home) and 孙浩然 (travels), 广州 only 何雨桐's travels.
    assert everything.facets["cities"] == {"上海": 2, "深圳": 1, "成都": 1, "北京": 1, "杭州": 1, "天津": 1, "广州": 1}
    jazz = backend.search(SearchQuery(keyword="爵士", page_size=1))
    assert jazz.total == 2 and len(jazz.items) == 1
    assert jazz.facets == {"artist_types": {"band": 1, "singer": 1, "host": 1},
                           "cities": {"上海": 1, "深圳": 1, "广州": 1}}


@pytest.mark.parametrize("city", ["上海", "北京", "广州", "天津", "成都"])
def test_city_facet_counts_what_the_city_filter_finds(backend: ArtistSearch, catalog: Catalog, city: str) -> None:
    facet = backend.search(SearchQuery()).facets["cities"].get(city, 0)
    picked = backend.search(SearchQuery(cities=(city,), page_size=50))
    assert facet == picked.total == len(picked.items)
    assert picked.facets["cities"][city] == picked.total


@pytest.mark.parametrize(("keyword", "expected"), [
    # Type labels and their synonyms match every artist of the type, whatever their bio says.
    ("歌手", {"何雨桐", "陈默"}),
    ("歌星", {"何雨桐", "陈默"}),
    ("唱歌", {"何雨桐", "陈默"}),
    ("主持人", {"何雨桐", "孙浩然"}),
    ("主持", {"何雨桐", "孙浩然"}),
    ("司仪", {"何雨桐", "孙浩然"}),
    ("乐队", {"南城爵士四重奏", "夏夜乐队"}),
    ("乐团", {"南城爵士四重奏", "夏夜乐队"}),
    ("歌手 成都", {"陈默"}),
    ("魔术", set()),
    ("跳舞", set()),
])
def test_type_labels_and_synonyms(backend: ArtistSearch, catalog: Catalog, keyword: str, expected: set[str]) -> None:
    assert set(names(backend, catalog, keyword=keyword)) == expected


def test_index_and_remove_follow_changes(backend: ArtistSearch, catalog: Catalog, db: Session) -> None:
    chen = catalog.ids["陈默"]
    doc = artist_document(db, chen)
    assert doc is not None
    backend.index(replace(doc, bio="如今改唱爵士。", city="上海"))
    assert set(names(backend, catalog, keyword="爵士")) == {"南城爵士四重奏", "何雨桐", "陈默"}
    assert set(names(backend, catalog, cities=("上海",))) == {"南城爵士四重奏", "陈默", "孙浩然"}
    backend.remove(chen)
    assert "陈默" not in names(backend, catalog)
    backend.remove(chen)  # removing twice is fine (retried hooks)


def test_invalid_queries_are_rejected_before_the_backend() -> None:
    for kw in ({"page": 0}, {"page_size": 0}, {"page_size": 101}, {"sort": "cheapest"},
               {"price_min": 10, "price_max": 5}):
        with pytest.raises(InvalidSearchQuery):
            SearchQuery(**kw)  # type: ignore[arg-type]
