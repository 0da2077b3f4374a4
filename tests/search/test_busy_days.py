"""The PostgreSQL backend's availability filter reads artist_search.busy_days, which triggers on calendar_slots
keep in step in the transaction that changes the calendar (migration 0026): these tests change calendars the
way the services do (insert, status update, delete) and check what `available_on` finds."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from domain.models import CalendarSlot
from domain.time import SHANGHAI
from search.base import SearchQuery
from search.pg import PgArtistSearch
from tests.search.conftest import Catalog, catalog_documents


@pytest.fixture
def backend(search: PgArtistSearch) -> PgArtistSearch:
    """The conftest's catalog indexed into the PostgreSQL backend only."""
    return search


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def free_on(search: PgArtistSearch, catalog: Catalog, day: date) -> set[str]:
    return set(catalog.names(search.search(SearchQuery(available_on=day, page_size=50)).ids))


def test_holding_booking_and_releasing_two_artists_days_moves_them_out_and_back(
        db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    day = catalog.busy_day + timedelta(days=20)
    assert {"何雨桐", "陈默"} <= free_on(search, catalog, day)
    for name in ("何雨桐", "陈默"):
        db.add(CalendarSlot(artist_id=catalog.ids[name], status="held", period=Range(at(day, 19), at(day, 22))))
    db.commit()
    assert not {"何雨桐", "陈默"} & free_on(search, catalog, day)
    assert {"何雨桐", "陈默"} <= free_on(search, catalog, day + timedelta(days=1))

    db.execute(update(CalendarSlot).where(CalendarSlot.artist_id == catalog.ids["何雨桐"]).values(status="booked"))
    db.commit()
    assert "何雨桐" not in free_on(search, catalog, day)

    db.execute(delete(CalendarSlot).where(CalendarSlot.artist_id == catalog.ids["何雨桐"]))
    db.commit()
    found = free_on(search, catalog, day)
    assert "何雨桐" in found and "陈默" not in found  # only the released artist's day is free again


def test_only_blocking_statuses_take_a_day(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    day = catalog.busy_day + timedelta(days=30)
    slot = CalendarSlot(artist_id=catalog.ids["何雨桐"], status="available", period=Range(at(day, 0), at(day, 23)))
    db.add(slot)
    db.commit()
    assert "何雨桐" in free_on(search, catalog, day)
    slot.status = "unavailable"
    db.commit()
    assert "何雨桐" not in free_on(search, catalog, day)
    slot.status = "available"
    db.commit()
    assert "何雨桐" in free_on(search, catalog, day)


def test_days_are_shanghai_days_and_the_end_is_exclusive(db: Session, search: PgArtistSearch,
                                                         catalog: Catalog) -> None:
    day = catalog.busy_day + timedelta(days=40)
    # 23:00-01:00 takes both days; a rest from day+3 00:00 to day+5 00:00 takes day+3 and day+4 only.
    db.add(CalendarSlot(artist_id=catalog.ids["何雨桐"], status="booked",
                        period=Range(at(day, 23), at(day + timedelta(days=1), 1))))
    db.add(CalendarSlot(artist_id=catalog.ids["陈默"], status="rest",
                        period=Range(at(day + timedelta(days=3), 0), at(day + timedelta(days=5), 0))))
    db.commit()
    for offset, busy in ((-1, set()), (0, {"何雨桐"}), (1, {"何雨桐"}), (2, set()), (3, {"陈默"}), (4, {"陈默"}),
                         (5, set())):
        found = free_on(search, catalog, day + timedelta(days=offset))
        assert {"何雨桐", "陈默"} - found == busy, offset


def test_an_open_ended_slot_takes_every_later_day(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    day = catalog.busy_day + timedelta(days=50)
    db.add(CalendarSlot(artist_id=catalog.ids["陈默"], status="unavailable", period=Range(at(day, 12), None)))
    db.commit()
    assert "陈默" in free_on(search, catalog, day - timedelta(days=1))
    assert "陈默" not in free_on(search, catalog, day)
    assert "陈默" not in free_on(search, catalog, day + timedelta(days=3000))


def test_a_rolled_back_hold_takes_nothing(db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    day = catalog.busy_day + timedelta(days=60)
    db.add(CalendarSlot(artist_id=catalog.ids["何雨桐"], status="held", period=Range(at(day, 10), at(day, 12))))
    db.flush()
    db.rollback()
    assert "何雨桐" in free_on(search, catalog, day)


def test_reindexing_keeps_the_days_and_a_new_index_row_starts_with_them(
        db: Session, search: PgArtistSearch, catalog: Catalog) -> None:
    # 孙浩然 is booked on busy_day and 陈默 rests the day after (the shared catalog).
    day = catalog.busy_day
    assert "孙浩然" not in free_on(search, catalog, day)
    docs = catalog_documents(db)
    search.index(next(d for d in docs if d.stage_name == "孙浩然"))  # an upsert of an existing row
    assert "孙浩然" not in free_on(search, catalog, day)
    search.remove(catalog.ids["孙浩然"])
    search.index(next(d for d in docs if d.stage_name == "孙浩然"))  # a fresh row
    assert "孙浩然" not in free_on(search, catalog, day)
    search.reindex_all(docs)
    assert "孙浩然" not in free_on(search, catalog, day)
    assert "陈默" not in free_on(search, catalog, day + timedelta(days=1))
    stored = db.scalar(select(text("busy_days::text")).select_from(text("artist_search"))
                       .where(text("artist_id = :a")).params(a=catalog.ids["孙浩然"]))
    assert stored == f"{{[{day.isoformat()},{(day + timedelta(days=1)).isoformat()})}}"
