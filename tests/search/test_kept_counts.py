"""The PostgreSQL backend answers the total and facets of a search without filters from artist_search_counts,
and of one filtered only by available_on from those minus artist_search_day_counts, which triggers on
artist_search keep in the writing transaction (migrations 0030, 0031): after every kind of write the kept counts
equal what counting the index finds. Filter sets without keyword are counted on artist_search_filters, a narrow
copy of the filtered fields the same triggers keep (migration 0032)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import Date, delete, false, literal, select, text, update
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from domain.db import get_engine
from domain.models import CalendarSlot
from domain.time import SHANGHAI
from search.base import ArtistDoc, SearchQuery
from search.pg import (
    FACET_TYPES,
    KEPT_COUNTS,
    PgArtistSearch,
    artist_search_filters,
    count_statement,
    filter_clauses,
    free_counts,
    t,
)
from tests.search.conftest import Catalog, catalog_documents


@pytest.fixture
def backend(search: PgArtistSearch) -> PgArtistSearch:
    """The conftest's catalog indexed into the PostgreSQL backend only."""
    return search


def kept_and_counted(search: PgArtistSearch) -> tuple[object, object]:
    with search.bind.connect() as conn:  # type: ignore[union-attr]
        return search._facets(conn, KEPT_COUNTS), search._facets(conn, count_statement([~false()]))


def assert_kept(search: PgArtistSearch) -> None:
    kept, counted = kept_and_counted(search)
    assert kept == counted


def assert_free_on(search: PgArtistSearch, *days: date) -> None:
    with search.bind.connect() as conn:  # type: ignore[union-attr]
        for day in days:
            kept = search._facets(conn, free_counts(day))
            counted = search._facets(conn, count_statement([~t.busy_days.contains(literal(day, Date))]))
            assert kept == counted, day


def slot(artist_id: int, day: date, status: str = "held", *, days: int = 0, open_ended: bool = False) -> CalendarSlot:
    end = None if open_ended else datetime.combine(day + timedelta(days=days), time(22), SHANGHAI)
    return CalendarSlot(artist_id=artist_id, status=status,
                        period=Range(datetime.combine(day, time(19), SHANGHAI), end))


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


def test_free_on_a_day_counts_follow_the_calendar_and_the_profiles(db: Session, search: PgArtistSearch,
                                                                   catalog: Catalog) -> None:
    day = catalog.busy_day + timedelta(days=4)
    days = [day - timedelta(days=1), day, day + timedelta(days=1), day + timedelta(days=3), catalog.busy_day]
    assert search.statements(SearchQuery(available_on=day))[1] is not KEPT_COUNTS
    assert_free_on(search, *days)
    db.add_all([slot(catalog.ids["何雨桐"], day), slot(catalog.ids["陈默"], day, "rest", days=2)])
    db.commit()
    assert search.search(SearchQuery(available_on=day)).total == 3
    assert_free_on(search, *days)
    db.execute(update(CalendarSlot).where(CalendarSlot.artist_id == catalog.ids["何雨桐"]).values(status="available"))
    db.commit()
    assert_free_on(search, *days)
    # A profile change of a busy artist moves its busy days' counts to the new city and types.
    search.index(replace(doc_of(db, "陈默"), city="西安", artist_types=("dancer",)))
    free = search.search(SearchQuery(available_on=day))
    assert "西安" not in free.facets["cities"] and "dancer" not in free.facets["artist_types"]
    assert_free_on(search, *days)
    search.remove(catalog.ids["陈默"])
    assert_free_on(search, *days)
    search.reindex_all(catalog_documents(db))
    assert_free_on(search, *days)
    db.execute(delete(CalendarSlot).where(CalendarSlot.artist_id == catalog.ids["陈默"]))
    db.commit()
    assert_free_on(search, *days)
    assert search.search(SearchQuery(available_on=day)).total == 5


def test_open_ended_busy_days_are_counted_on_every_later_day(db: Session, search: PgArtistSearch,
                                                            catalog: Catalog) -> None:
    day = catalog.busy_day + timedelta(days=30)
    db.add(slot(catalog.ids["夏夜乐队"], day, "unavailable", open_ended=True))
    db.add(slot(catalog.ids["夏夜乐队"], day - timedelta(days=5)))  # a bounded day of the same artist
    db.commit()
    for later in (day - timedelta(days=5), day - timedelta(days=1), day, day + timedelta(days=400)):
        assert_free_on(search, later)
    assert "夏夜乐队" not in catalog.names(search.search(SearchQuery(available_on=day + timedelta(days=400))).ids)
    assert search.search(SearchQuery(available_on=day - timedelta(days=1))).total == 5


def test_many_changes_on_one_day_are_folded_and_still_add_up(db: Session, search: PgArtistSearch,
                                                             catalog: Catalog) -> None:
    day = catalog.busy_day + timedelta(days=8)
    artist_id = catalog.ids["孙浩然"]  # home city and two regions: 5 facet rows a change
    for _ in range(20):
        held = slot(artist_id, day)
        db.add(held)
        db.commit()
        db.delete(held)
        db.commit()
    rows = db.scalar(text("SELECT count(*) FROM artist_search_day_counts WHERE day = :day"), {"day": day})
    assert 0 < rows <= 64 + 10  # folded at least once: 40 changes appended 200 rows
    assert_free_on(search, day)
    assert search.search(SearchQuery(available_on=day)).total == 5


def test_a_rolled_back_calendar_change_counts_nothing(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    day = catalog.busy_day + timedelta(days=9)
    db.add(slot(catalog.ids["何雨桐"], day, "booked"))
    db.flush()
    db.rollback()
    assert_free_on(search, day)
    assert search.search(SearchQuery(available_on=day)).total == 5


FILTERS = "artist_id, city, regions, artist_types, tags, verified, price_min, price_max, rating, busy_days"


def assert_filters_copied(db: Session) -> None:
    db.commit()
    copied = db.execute(text(f"SELECT {FILTERS} FROM artist_search_filters ORDER BY artist_id")).all()  # noqa: S608
    assert copied == db.execute(text(f"SELECT {FILTERS} FROM artist_search ORDER BY artist_id")).all()  # noqa: S608


def test_the_filtered_fields_copy_follows_every_write(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    assert_filters_copied(db)
    day = catalog.busy_day + timedelta(days=2)
    db.add(slot(catalog.ids["何雨桐"], day))
    assert_filters_copied(db)
    search.index(replace(doc_of(db, "何雨桐"), city="上海", tags=("新人推荐",), verified=True, price_min=1, rating=2.5))
    assert_filters_copied(db)
    search.remove(catalog.ids["陈默"])
    assert_filters_copied(db)
    search.reindex_all(catalog_documents(db))
    assert_filters_copied(db)
    db.execute(text("TRUNCATE artist_search"))
    assert_filters_copied(db)


def test_filter_sets_count_the_same_on_the_copy(search: PgArtistSearch, catalog: Catalog) -> None:
    queries = [SearchQuery(artist_types=("band",)), SearchQuery(cities=("上海", "广州")),
               SearchQuery(tags=("热门艺人",), verified_only=True), SearchQuery(price_min=900_000),
               SearchQuery(min_rating=4.4, artist_types=("singer", "host")),
               SearchQuery(cities=("北京",), available_on=catalog.busy_day)]
    with search.bind.connect() as conn:  # type: ignore[union-attr]
        for q in queries:
            assert artist_search_filters in search.statements(q)[1].get_final_froms()[0].get_children()
            on_copy = search._facets(conn, search.statements(q)[1])
            assert on_copy == search._facets(conn, count_statement(filter_clauses(q, t))), q


def test_type_bits_follow_the_facet_types(db: Session) -> None:
    for i, kind in enumerate(FACET_TYPES):
        assert db.scalar(text("SELECT artist_type_bits(ARRAY[:kind])"), {"kind": kind}) == 1 << i
    assert db.scalar(text("SELECT artist_type_bits(ARRAY['singer', 'singer', 'band', 'juggler'])")) == 0b1001


def test_many_profile_changes_are_folded_and_still_add_up(db: Session, search: PgArtistSearch,
                                                          catalog: Catalog) -> None:
    doc = doc_of(db, "孙浩然")
    for i in range(12):
        search.index(replace(doc, city=("西安", "南京")[i % 2], regions=("上海", "天津", "重庆")))
    rows = db.scalar(text("SELECT count(*) FROM artist_search_counts"))
    assert 0 < rows <= 64 + 12  # folded at least once: 12 changes appended ~100 rows
    assert_kept(search)


def test_writers_of_counts_do_not_wait_on_each_other(db: Session, database_url: str, search: PgArtistSearch,
                                                     catalog: Catalog) -> None:
    """Two units of work moving counts (new cities) at the same time: the second neither waits for the first
    to end nor deadlocks with it (writers only append)."""
    first = PgArtistSearch(db)
    first.index(replace(doc_of(db, "陈默"), city="西安"))
    with Session(get_engine(database_url)) as second:
        second.execute(text("SET LOCAL lock_timeout = '2s'"))  # would fail here if it had to wait
        PgArtistSearch(second).index(replace(doc_of(second, "何雨桐"), city="南京", artist_types=("dancer",)))
        second.commit()
    db.commit()
    counted = search.search(SearchQuery()).facets
    assert counted["cities"]["西安"] == counted["cities"]["南京"] == 1 and counted["artist_types"]["dancer"] == 1
    assert_kept(search)
