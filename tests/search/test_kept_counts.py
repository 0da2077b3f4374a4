"""The PostgreSQL backend answers the total and facets of a search without filters from artist_search_counts,
which triggers on artist_search keep in the writing transaction (migration 0030): after every kind of write the
kept counts equal what counting the index finds."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import false, select, text
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from domain.db import get_engine
from domain.models import CalendarSlot
from domain.time import SHANGHAI
from search.base import ArtistDoc, SearchQuery
from search.pg import KEPT_COUNTS, PgArtistSearch, count_statement
from tests.search.conftest import Catalog, build_catalog, catalog_documents


@pytest.fixture
def search(database_url: str) -> PgArtistSearch:
    return PgArtistSearch(get_engine(database_url))


@pytest.fixture
def catalog(db: Session, search: PgArtistSearch) -> Catalog:
    cat = build_catalog(db)
    search.reindex_all(catalog_documents(db))
    return cat


def kept_and_counted(search: PgArtistSearch) -> tuple[object, object]:
    with search.bind.connect() as conn:  # type: ignore[union-attr]
        return search._facets(conn, KEPT_COUNTS), search._facets(conn, count_statement([~false()]))


def assert_kept(search: PgArtistSearch) -> None:
    kept, counted = kept_and_counted(search)
    assert kept == counted


def doc_of(db: Session, name: str) -> ArtistDoc:
    return next(d for d in catalog_documents(db) if d.stage_name == name)


def test_a_search_without_filters_answers_the_kept_counts(search: PgArtistSearch, catalog: Catalog) -> None:
    assert search.statements(SearchQuery())[1] is KEPT_COUNTS
    assert search.statements(SearchQuery(sort="rating", page=2))[1] is KEPT_COUNTS
    for q in (SearchQuery(keyword="爵士"), SearchQuery(cities=("上海",)), SearchQuery(verified_only=True),
              SearchQuery(available_on=catalog.busy_day), SearchQuery(price_min=0)):
        assert search.statements(q)[1] is not KEPT_COUNTS
    result = search.search(SearchQuery())
    assert result.total == 5
    assert result.facets["artist_types"] == {"band": 2, "singer": 2, "host": 2}
    # 孙浩然 (北京) also travels to 上海 and 天津 (documents leave the home city out of regions), 何雨桐 (深圳) to 广州.
    assert result.facets["cities"] == {"上海": 2, "深圳": 1, "成都": 1, "北京": 1, "杭州": 1, "天津": 1, "广州": 1}
    assert_kept(search)


def test_changes_removals_and_new_artists_keep_the_counts_exact(db: Session, search: PgArtistSearch,
                                                               catalog: Catalog) -> None:
    doc = doc_of(db, "何雨桐")
    search.index(replace(doc, city="上海", regions=("北京", "天津"), artist_types=("singer", "dancer", "singer")))
    assert_kept(search)
    search.remove(catalog.ids["陈默"])
    assert_kept(search)
    search.index(replace(doc_of(db, "夏夜乐队"), artist_id=catalog.ids["陈默"], stage_name="陈默二号"))
    assert_kept(search)
    result = search.search(SearchQuery())
    assert result.total == 5 and result.facets["artist_types"]["dancer"] == 1
    assert result.facets["cities"]["杭州"] == 2
    search.reindex_all(catalog_documents(db))
    assert_kept(search)
    assert search.search(SearchQuery()).facets["cities"]["杭州"] == 1


def test_a_unit_of_work_counts_its_own_writes_and_a_rollback_none(db: Session, search: PgArtistSearch,
                                                                  catalog: Catalog) -> None:
    in_session = PgArtistSearch(db)
    in_session.index(replace(doc_of(db, "陈默"), city="西安"))
    assert in_session.search(SearchQuery()).facets["cities"]["西安"] == 1
    assert "西安" not in search.search(SearchQuery()).facets["cities"]  # not committed
    db.rollback()
    assert "西安" not in search.search(SearchQuery()).facets["cities"]
    assert_kept(search)


def test_a_calendar_change_writes_no_count(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    """Every hold or booking rewrites busy_days (and the document, unchanged): the counts rows stay untouched,
    so calendar writes neither wait on nor lock them."""
    def versions() -> list[object]:
        return list(db.scalars(text("SELECT xmin::text FROM artist_search_counts ORDER BY facet, value")))

    before = versions()
    day = catalog.busy_day + timedelta(days=3)
    db.add(CalendarSlot(artist_id=catalog.ids["何雨桐"], status="held", period=Range(
        datetime.combine(day, time(19), SHANGHAI), datetime.combine(day, time(21), SHANGHAI))))
    db.commit()
    search.index(doc_of(db, "何雨桐"))
    assert versions() == before
    assert search.search(SearchQuery(available_on=day)).total == 4


def test_emptying_the_index_empties_the_counts(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    db.execute(text("TRUNCATE artist_search"))
    db.commit()
    assert db.execute(select(KEPT_COUNTS.subquery())).all() == []
    assert search.search(SearchQuery()).total == 0
    search.reindex_all(catalog_documents(db))
    assert_kept(search)
