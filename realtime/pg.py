"""PostgreSQL LISTEN/NOTIFY (the embedded default): NOTIFY runs inside the publishing transaction, so PostgreSQL
itself delivers it on commit and drops it on rollback. Each process LISTENs on one dedicated connection, read from
the event loop (psycopg2's poll()/notifies on the socket's readiness)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable

import psycopg2
import psycopg2.extensions
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from realtime.base import CHANNEL, MAX_PAYLOAD, Event, EventTooLarge, Handler, dispatch

log = logging.getLogger(__name__)
RECONNECT_SECONDS = 1.0


def encode(event: Event) -> str:
    payload = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    if len(payload.encode()) > MAX_PAYLOAD:
        raise EventTooLarge(f"event of {len(payload)} characters: publish ids, not bodies")
    return payload


def libpq_dsn(database_url: str) -> str:
    """The SQLAlchemy URL as a libpq connection string (the driver suffix and SQLAlchemy-only parts dropped)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class PgFanout:
    name = "postgres"

    def __init__(self, database_url: str, channel: str = CHANNEL,
                 on_listening: Callable[[bool], None] | None = None) -> None:
        """`on_listening(True)` once LISTEN is in place (again), `(False)` when the connection is lost: what was
        published in between reached no one here."""
        self.dsn = libpq_dsn(database_url)
        self.channel = channel
        self._on_listening = on_listening or (lambda _up: None)
        self._conn: psycopg2.extensions.connection | None = None
        self._handler: Handler | None = None
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def publish(self, session: Session, event: Event) -> None:
        session.execute(select(func.pg_notify(self.channel, encode(event))))

    async def start(self, handler: Handler) -> None:
        self._handler = handler
        ready = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._run(ready))
        await ready  # subscribed before start() returns: nothing committed afterwards is missed

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _connect(self) -> psycopg2.extensions.connection:
        conn = psycopg2.connect(self.dsn)
        conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
        with conn.cursor() as cur:
            cur.execute(f'LISTEN "{self.channel}"')
        return conn

    async def _run(self, ready: asyncio.Future[None]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                conn = await asyncio.to_thread(self._connect)
            except psycopg2.Error as exc:
                log.warning("realtime: LISTEN connection failed (%s); retrying", exc)
                await asyncio.sleep(RECONNECT_SECONDS)
                continue
            self._conn = conn
            readable = asyncio.Event()
            loop.add_reader(conn.fileno(), readable.set)
            self._on_listening(True)
            if not ready.done():
                ready.set_result(None)
            try:
                while True:
                    await readable.wait()
                    readable.clear()
                    conn.poll()
                    while conn.notifies:
                        self._dispatch(conn.notifies.pop(0).payload)
            except psycopg2.Error as exc:
                # Clients resync (`sync` with their last id) when their socket drops, so a gap here loses nothing.
                log.warning("realtime: LISTEN connection lost (%s); reconnecting", exc)
            finally:
                self._on_listening(False)
                loop.remove_reader(conn.fileno())
                conn.close()
                self._conn = None
            await asyncio.sleep(RECONNECT_SECONDS)

    def _dispatch(self, payload: str) -> None:
        dispatch(self._handler, self._tasks, payload)
