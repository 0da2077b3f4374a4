"""A user's own pages answered from the API process's memory (api/private_pages.py): served again while nothing
they show changed; a change committed by any process (the database's triggers tell every process) or by this one
shows on the next answer; a change of someone else's keeps the page; nothing is kept while the process isn't
listening; another user never gets the page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from api.context import AppContext
from api.private_pages import Changes, PrivatePageCache
from domain.db import get_engine
from realtime.pg import PgFanout
from tests.factories import artist_row, insert_booking, user_id
from tests.helpers import V1, bearer, register_client


@pytest.fixture
async def fanout(api: httpx.AsyncClient, ctx: AppContext) -> AsyncIterator[PgFanout]:
    """The app's LISTEN connection, as its lifespan starts it (the test client runs no lifespan)."""
    cache: PrivatePageCache = api._transport.app.state.private_cache  # type: ignore[attr-defined]
    fanout = cache.fanout(ctx.database_url)
    await fanout.start(cache.changes.on_event)
    yield fanout
    await fanout.stop()


@pytest.fixture
def changes(api: httpx.AsyncClient, fanout: PgFanout) -> Changes:
    return api._transport.app.state.private_cache.changes  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def statements(database_url: str) -> Iterator[list[str]]:
    """The SQL statements the API runs."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = get_engine(database_url)
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def _another_process(db: Session, sql: str, **params: object) -> None:
    """A write this API process didn't commit (a worker, another API process): raw SQL, no ORM flush."""
    db.execute(text(sql), params)
    db.commit()


async def _told(changes: Changes, since: int) -> None:
    for _ in range(200):
        if changes.seq > since:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no change arrived from the database")


@pytest.fixture
async def booking(api: httpx.AsyncClient, db: Session) -> tuple[str, int, int]:
    token = await register_client(api, "13800007001")
    artist = artist_row(db)
    return token, insert_booking(db, await user_id(api, token), artist), artist


async def test_a_booking_is_kept_until_any_process_changes_it(api: httpx.AsyncClient, db: Session,
                                                              changes: Changes, statements: list[str],
                                                              booking: tuple[str, int, int]) -> None:
    token, booking_id, _ = booking
    url = f"{V1}/bookings/{booking_id}"
    login = await api.get(url, headers=bearer(token))  # the route checks the login, then it is known here
    assert login.status_code == 200, login.text
    first = await api.get(url, headers=bearer(token))
    assert first.content == login.content
    assert first.headers["cache-control"] == "private, no-cache" and first.headers["vary"] == "Authorization"
    statements.clear()
    again = await api.get(url, headers=bearer(token))
    assert (again.content, again.headers["etag"], statements) == (first.content, first.headers["etag"], [])
    kept = await api.get(url, headers={**bearer(token), "If-None-Match": first.headers["etag"]})
    assert kept.status_code == 304 and kept.content == b""

    # A worker writes the booking: the next answer shows it.
    seq = changes.seq
    _another_process(db, "UPDATE bookings SET fee_amount = 1234500 WHERE id = :b", b=booking_id)
    await _told(changes, seq)
    changed = await api.get(url, headers={**bearer(token), "If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.json()["fee_amount"] == 1234500

    # A row of the booking (its timeline) names the booking's parties too.
    seq = changes.seq
    _another_process(db, "INSERT INTO booking_events (booking_id, step, action, actor_role, to_status, data, "
                         "created_at) VALUES (:b, 'test-step', 'confirm', 'artist', 'REQUESTED', '{}', now())",
                     b=booking_id)
    await _told(changes, seq)
    timeline = (await api.get(url, headers=bearer(token))).json()["events"]
    assert any(e["action"] == "confirm" for e in timeline), timeline


async def test_the_notification_centre_shows_a_new_notification(api: httpx.AsyncClient, db: Session,
                                                                 changes: Changes,
                                                                 booking: tuple[str, int, int]) -> None:
    token, booking_id, _ = booking
    url = f"{V1}/notifications"
    assert (await api.get(url, headers=bearer(token))).json()["total"] == 0
    seq = changes.seq
    _another_process(db, "INSERT INTO notifications (user_id, booking_id, step, kind, title, body, created_at) "
                         "VALUES (:u, :b, 'test', 'booking', '艺人已报价', '请确认', now())",
                     u=await user_id(api, token), b=booking_id)
    await _told(changes, seq)
    assert [n["title"] for n in (await api.get(url, headers=bearer(token))).json()["items"]] == ["艺人已报价"]


async def test_a_change_of_someone_else_keeps_the_page(api: httpx.AsyncClient, db: Session, changes: Changes,
                                                       statements: list[str],
                                                       booking: tuple[str, int, int]) -> None:
    token, booking_id, artist = booking
    other_client = artist_row(db, stage_name="另一位")  # any account can be a client
    other = insert_booking(db, other_client, artist_row(db, stage_name="第三位"))
    url = f"{V1}/bookings"
    await api.get(url, headers=bearer(token))  # the login, checked by the route
    first = await api.get(url, headers=bearer(token))
    assert [b["id"] for b in first.json()["items"]] == [booking_id]
    seq = changes.seq
    _another_process(db, "UPDATE bookings SET fee_amount = 99900 WHERE id = :b", b=other)
    await _told(changes, seq)
    statements.clear()
    assert (await api.get(url, headers=bearer(token))).content == first.content
    assert statements == []


async def test_a_login_elsewhere_keeps_the_page_a_shown_change_of_an_account_does_not(
        api: httpx.AsyncClient, db: Session, changes: Changes, statements: list[str],
        booking: tuple[str, int, int]) -> None:
    """Every login writes users.last_login_at, which no page shows (migration 0037): another process's login keeps
    the page; a change of what a page may show (an account's verification) drops it."""
    token, booking_id, artist = booking
    fence = insert_booking(db, artist_row(db, stage_name="另一位"), artist_row(db, stage_name="第三位"))
    url = f"{V1}/bookings/{booking_id}"
    await api.get(url, headers=bearer(token))  # the login, checked by the route
    assert (await api.get(url, headers=bearer(token))).status_code == 200  # kept from here on

    async def after(sql: str, **params: object) -> list[str]:
        """The statements of the next read once `sql`, then a write that only tells of another user (NOTIFYs
        arrive in commit order: once that one is here, the first has arrived too if it was sent), committed."""
        _another_process(db, sql, **params)
        seq = changes.seq
        _another_process(db, "UPDATE bookings SET fee_amount = fee_amount + 1 WHERE id = :b", b=fence)
        await _told(changes, seq)
        statements.clear()
        assert (await api.get(url, headers=bearer(token))).status_code == 200
        return list(statements)

    assert await after("UPDATE users SET last_login_at = now() WHERE id IN (:a, :c)",
                       a=artist, c=await user_id(api, token)) == []
    assert await after("UPDATE users SET verification_status = 'pending' WHERE id = :a", a=artist) != []


async def test_this_processs_own_write_shows_at_once(api: httpx.AsyncClient, db: Session, changes: Changes,
                                                     fanout: PgFanout, booking: tuple[str, int, int]) -> None:
    """The process's own commit drops what it kept, before (here: without) its notification arriving."""
    token, booking_id, _ = booking
    url = f"{V1}/notifications"
    seq = changes.seq
    _another_process(db, "INSERT INTO notifications (user_id, booking_id, step, kind, title, body, created_at) "
                         "VALUES (:u, :b, 'test', 'booking', '合同待签署', '请签署', now())",
                     u=await user_id(api, token), b=booking_id)
    await _told(changes, seq)
    assert (await api.get(url, headers=bearer(token))).json()["unread"] == 1

    async def lost(_event: object) -> None:
        return None

    fanout._handler = lost  # notifications from here on don't arrive
    read = await api.post(f"{V1}/notifications/read-all", headers=bearer(token))
    assert read.status_code == 200, read.text
    assert (await api.get(url, headers=bearer(token))).json()["unread"] == 0


async def test_nothing_is_kept_without_the_database_telling(api: httpx.AsyncClient, statements: list[str],
                                                            booking: tuple[str, int, int]) -> None:
    token, booking_id, _ = booking
    url = f"{V1}/bookings/{booking_id}"
    await api.get(url, headers=bearer(token))
    statements.clear()
    assert (await api.get(url, headers=bearer(token))).status_code == 200
    assert statements, "answered from memory without a LISTEN connection"


async def test_another_user_never_gets_the_page(api: httpx.AsyncClient, changes: Changes,
                                                booking: tuple[str, int, int]) -> None:
    token, booking_id, _ = booking
    url = f"{V1}/bookings/{booking_id}"
    assert (await api.get(url, headers=bearer(token))).status_code == 200
    stranger = await register_client(api, "13800007002", org="另一家公司")
    refused = await api.get(url, headers=bearer(stranger))
    assert refused.status_code in (403, 404), refused.text
    assert [b["id"] for b in (await api.get(f"{V1}/bookings", headers=bearer(stranger))).json()["items"]] == []


def test_a_change_during_a_read_or_a_lost_connection_spoils_what_was_read() -> None:
    changes = Changes()
    changes.on_listening(True)
    read_at = changes.seq
    assert changes.unchanged_since(7, read_at)
    changes.user_changed(8)
    assert changes.unchanged_since(7, read_at)
    changes.user_changed(7)
    assert not changes.unchanged_since(7, read_at)
    read_at = changes.seq
    changes.on_listening(False)
    assert not changes.unchanged_since(7, read_at)
    changes.on_listening(True)
    assert not changes.unchanged_since(7, read_at), "what was read before the gap is unknown"
    assert changes.unchanged_since(7, changes.seq)
