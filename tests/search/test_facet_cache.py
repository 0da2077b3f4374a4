"""The PostgreSQL backend keeps its answers (a page of hits; a filter set's total and facets) until a searchable
field of artist_search changes (migrations 0027/0028), for answers filtered by available_on also until a calendar
changes, and CACHE_SECONDS at most."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from domain.models import CalendarSlot
from domain.time import SHANGHAI
from search.base import SearchQuery
from search.pg import PgArtistSearch
from tests.helpers import FakeClock
from tests.search.conftest import Catalog, catalog_documents


@pytest.fixture
def backend(search: PgArtistSearch) -> PgArtistSearch:
    """The conftest's catalog indexed into the PostgreSQL backend only."""
    return search


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the facet statement ran."""
    ran: list[int] = []
    real = PgArtistSearch._facets

    def counting(conn: Any, facets: Any) -> Any:
        ran.append(1)
        return real(conn, facets)

    monkeypatch.setattr(PgArtistSearch, "_facets", staticmethod(counting))
    return ran


def test_paging_and_resorting_reuse_the_counts_of_the_same_filters(search: PgArtistSearch, catalog: Catalog,
                                                                   counts: list[int]) -> None:
    first = search.search(SearchQuery(cities=("上海",), page_size=1))
    again = search.search(SearchQuery(cities=("上海",), sort="rating", page=2, page_size=1))
    assert (again.total, again.facets) == (first.total, first.facets) and first.total >= 2
    assert again.ids != first.ids  # another page, not the cached one
    assert len(counts) == 1
    search.search(SearchQuery(cities=("北京",)))
    assert len(counts) == 2


def test_a_change_committed_elsewhere_is_counted_at_once(db: Session, search: PgArtistSearch, catalog: Catalog,
                                                         counts: list[int]) -> None:
    before = search.search(SearchQuery(cities=("上海",)))
    doc = next(d for d in catalog_documents(db) if d.stage_name == "何雨桐")
    # As the API writes it: the index row in the caller's unit of work.
    PgArtistSearch(db).index(replace(doc, city="上海"))
    assert search.search(SearchQuery(cities=("上海",))).total == before.total  # not committed yet
    db.commit()
    after = search.search(SearchQuery(cities=("上海",)))
    assert after.total == before.total + 1 and catalog.ids["何雨桐"] in after.ids
    assert after.facets["cities"]["上海"] == before.facets["cities"]["上海"] + 1


def test_a_calendar_change_recounts_availability(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    day = catalog.busy_day + timedelta(days=5)
    before = search.search(SearchQuery(available_on=day)).total
    db.add(CalendarSlot(artist_id=catalog.ids["何雨桐"], status="held", period=Range(
        datetime.combine(day, time(19), SHANGHAI), datetime.combine(day, time(21), SHANGHAI))))
    db.commit()
    assert search.search(SearchQuery(available_on=day)).total == before - 1


def test_counts_expire(search: PgArtistSearch, catalog: Catalog, counts: list[int]) -> None:
    search.cache.seconds = 0
    search.search(SearchQuery())
    search.search(SearchQuery())
    assert len(counts) == 2


def test_a_unit_of_work_counts_its_own_writes(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    in_session = PgArtistSearch(db)
    before = in_session.search(SearchQuery(cities=("深圳",))).total
    in_session.remove(catalog.ids["何雨桐"])
    assert in_session.search(SearchQuery(cities=("深圳",))).total == before - 1
    db.rollback()


def test_a_calendar_change_keeps_answers_without_available_on(db: Session, search: PgArtistSearch, catalog: Catalog,
                                                             counts: list[int]) -> None:
    day = catalog.busy_day + timedelta(days=6)
    search.search(SearchQuery(cities=("深圳",)))
    search.search(SearchQuery(cities=("深圳",), available_on=day))
    db.add(CalendarSlot(artist_id=catalog.ids["何雨桐"], status="booked", period=Range(
        datetime.combine(day, time(10), SHANGHAI), datetime.combine(day, time(12), SHANGHAI))))
    db.commit()
    assert search.search(SearchQuery(cities=("深圳",))).total == 1
    assert len(counts) == 2  # still the answer counted before the booking
    assert search.search(SearchQuery(cities=("深圳",), available_on=day)).total == 0
    assert len(counts) == 3


def test_rewriting_an_unchanged_document_keeps_answers(db: Session, search: PgArtistSearch, catalog: Catalog,
                                                       counts: list[int]) -> None:
    search.search(SearchQuery())
    doc = next(d for d in catalog_documents(db) if d.stage_name == "何雨桐")
    search.index(doc)  # as every calendar change does through domain.artists.changes
    search.search(SearchQuery())
    assert len(counts) == 1
    search.index(replace(doc, bio="只唱爵士。"))
    assert search.search(SearchQuery(keyword="只唱爵士")).ids == [catalog.ids["何雨桐"]]
    search.search(SearchQuery())
    assert len(counts) == 3


def test_the_first_write_of_a_fresh_database_is_counted(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    # As a new database leaves them: neither version sequence moved yet (last_value 1, not called).
    db.execute(text("ALTER SEQUENCE artist_search_version RESTART; "
                    "ALTER SEQUENCE artist_search_calendar_version RESTART"))
    db.commit()
    before = search.search(SearchQuery(cities=("上海",)))
    doc = next(d for d in catalog_documents(db) if d.stage_name == "何雨桐")
    PgArtistSearch(db).index(replace(doc, city="上海"))
    db.commit()  # the first nextval: last_value stays 1
    after = search.search(SearchQuery(cities=("上海",)))
    assert after.total == before.total + 1 and catalog.ids["何雨桐"] in after.ids



@pytest.fixture
def lagging(database_url: str) -> tuple[PgArtistSearch, FakeClock, list[int]]:
    """The backend as the API builds it: counts may lag 5 s behind other processes; the list is what
    `writes_seen` returns (this process's commits)."""
    from domain.db import get_engine

    clock, seen = FakeClock(), [0]
    backend = PgArtistSearch(get_engine(database_url), counts_lag=5.0, writes_seen=lambda: seen[0])
    backend.cache.clock = clock
    return backend, clock, seen


def test_counts_may_lag_another_process_for_a_few_seconds_while_the_hits_are_current(
        db: Session, lagging: tuple[PgArtistSearch, FakeClock, list[int]], catalog: Catalog, counts: list[int]) -> None:
    backend, clock, _seen = lagging
    before = backend.search(SearchQuery(cities=("上海",)))
    doc = next(d for d in catalog_documents(db) if d.stage_name == "何雨桐")
    PgArtistSearch(db).index(replace(doc, city="上海"))
    db.commit()  # another process's write: writes_seen didn't move
    clock.now += 4.9
    during = backend.search(SearchQuery(cities=("上海",), page_size=50))
    assert catalog.ids["何雨桐"] in during.ids  # the page is current ...
    assert (during.total, during.facets) == (before.total, before.facets)  # ... its counts as they were
    assert len(counts) == 1
    clock.now += 0.2
    after = backend.search(SearchQuery(cities=("上海",)))
    assert after.total == before.total + 1 and after.facets["cities"]["上海"] == before.facets["cities"]["上海"] + 1
    assert len(counts) == 2


def test_a_write_of_this_process_is_counted_at_once(db: Session, lagging: tuple[PgArtistSearch, FakeClock, list[int]],
                                                    catalog: Catalog, counts: list[int]) -> None:
    backend, _clock, seen = lagging
    before = backend.search(SearchQuery(cities=("深圳",))).total
    PgArtistSearch(db).remove(catalog.ids["何雨桐"])
    db.commit()
    seen[0] += 1  # as api/local_writes moves its generation after this process's commit
    assert backend.search(SearchQuery(cities=("深圳",))).total == before - 1
    assert len(counts) == 2


def test_counts_without_a_change_stay_exact_and_unlagged_backends_recount(
        db: Session, search: PgArtistSearch, lagging: tuple[PgArtistSearch, FakeClock, list[int]], catalog: Catalog,
        counts: list[int]) -> None:
    backend, clock, _seen = lagging
    backend.search(SearchQuery(tags=("热门艺人",)))
    clock.now += 20  # past the lag, but nothing changed: the version still matches
    backend.search(SearchQuery(tags=("热门艺人",)))
    assert len(counts) == 1
    clock.now += 20  # past the cache's 30 s
    backend.search(SearchQuery(tags=("热门艺人",)))
    assert len(counts) == 2
    search.search(SearchQuery(cities=("深圳",)))
    PgArtistSearch(db).remove(catalog.ids["何雨桐"])
    db.commit()
    assert search.search(SearchQuery(cities=("深圳",))).total == 0  # counts_lag 0 (the default): counted anew
