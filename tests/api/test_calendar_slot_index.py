"""One artist's slots are found through the (artist_id, period) GiST index, not by filtering every overlapping slot:
the artist page, the public month and a request's conflicts each look up one artist's calendar."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from domain.artists import service as artists
from domain.calendar import service as calendar
from domain.models import CalendarSlot
from domain.time import SHANGHAI, utc_now
from storage.local import LocalStorage
from tests.factories import artist_row


@contextmanager
def slot_queries(db: Session) -> Iterator[list[tuple[str, Any]]]:
    """The SELECTs on calendar_slots run on the session's connection meanwhile, with their parameters."""
    seen: list[tuple[str, Any]] = []
    conn = db.connection()

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM calendar_slots" in statement:
            seen.append((statement, params))

    event.listen(conn, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", record)


def plan(db: Session, statement: str, params: Any) -> str:
    db.execute(text("SET LOCAL enable_seqscan = off"))  # the table is tiny: ask what the index can do
    rows = db.connection().exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params).scalar_one()
    return json.dumps(rows if not isinstance(rows, str) else json.loads(rows))


def _artist_with_slots(db: Session) -> int:
    artist = artist_row(db)
    other = artist_row(db, stage_name="陈默")
    start = datetime.combine(utc_now().astimezone(SHANGHAI).date() + timedelta(days=3),
                             datetime.min.time(), SHANGHAI).replace(hour=19)
    for a in (artist, other):
        for day in range(10):
            s = start + timedelta(days=day)
            db.add(CalendarSlot(artist_id=a, status="rest" if day % 2 else "available",
                                period=Range(s, s + timedelta(hours=3))))
    db.flush()
    return artist


def _calls(db: Session, artist: int, tmp_path: Any) -> list[Callable[[], object]]:
    start = utc_now() + timedelta(days=3)
    month = utc_now().astimezone(SHANGHAI)
    storage = LocalStorage(tmp_path, "test-signing-secret")
    return [lambda: artists.artist_detail(db, storage, artist),
            lambda: artists.public_month(db, artist, month.year, month.month),
            lambda: calendar.conflicts(db, artist, start, start + timedelta(hours=4))]


def test_each_one_artist_slot_lookup_compares_artist_id_as_bigint(db: Session, tmp_path):
    """An int4 literal (`artist_id = 1`) is a filter the GiST index can't take; `'1'::bigint` is one it can."""
    artist = _artist_with_slots(db)
    for call in _calls(db, artist, tmp_path):
        with slot_queries(db) as seen:
            call()
        assert seen, call
        for statement, params in seen:
            assert f"(artist_id = '{artist}'::bigint)" in plan(db, statement, params)


def test_the_artist_page_finds_its_slots_by_artist_and_period_in_the_index(db: Session, tmp_path):
    artist = _artist_with_slots(db)
    with slot_queries(db) as seen:
        artists.artist_detail(db, LocalStorage(tmp_path, "test-signing-secret"), artist)
    [(statement, params)] = seen
    scan = json.loads(plan(db, statement, params))[0]["Plan"]
    while "Index Cond" not in scan:
        scan = scan["Plans"][0]
    assert scan["Index Name"] == "ix_calendar_slots_artist_period"
    assert f"artist_id = '{artist}'::bigint" in scan["Index Cond"] and "period &&" in scan["Index Cond"]


def test_the_artist_page_lists_only_that_artists_slots(db: Session, tmp_path):
    artist = _artist_with_slots(db)
    detail = artists.artist_detail(db, LocalStorage(tmp_path, "test-signing-secret"), artist)
    assert len(detail.calendar) == 10
    assert [s.status for s in detail.calendar] == ["available", "unavailable"] * 5
