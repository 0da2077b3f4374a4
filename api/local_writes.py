"""Commits this process made: a generation number that moves after every commit that wrote something.

The per-process caches of public pages (api/public_cache.py) and of login sessions (api/session_cache.py) keep an
entry only while the generation it was read at is still the current one. So whatever a request of this process
changes (a ban, a logout, a role switch, a profile or a calendar edit, a favourite) is seen by the very next request
this process answers; other processes see it when their entry's time runs out (stated in each cache). Reading the
generation costs no database round trip.

"Wrote something" is an ORM flush, an INSERT/UPDATE/DELETE statement run through a session, or artists marked
changed for the search (domain/artists/changes.py). A statement run with the execution option `counter_only`
(an artist page view's count) is not: a view must not empty the cache it is served from."""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from domain.artists import changes

_WROTE = "local_writes.wrote"
_counter = itertools.count(1)
_lock = threading.Lock()
_generation = 0


def generation() -> int:
    """Read it before reading the database: an entry stored under it is older than any commit that moves it."""
    return _generation


def moved() -> None:
    global _generation
    with _lock:
        _generation = next(_counter)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: object) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and not state.execution_options.get("counter_only"):
        state.session.info[_WROTE] = True


@event.listens_for(Session, "before_commit", insert=True)  # before changes.py takes its marks away
def _marked(session: Session) -> None:
    if changes.has_changes(session):
        session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        moved()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_WROTE, None)


K = TypeVar("K")
V = TypeVar("V")


class Fresh(Generic[K, V]):
    """Entries kept for `ttl` seconds at most (on `clock`, which a test may replace) and only while this process
    has committed no write since they were read; the oldest go first beyond `max_entries`."""

    def __init__(self, ttl: float, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.max_entries, self.clock = ttl, max_entries, clock
        self._entries: OrderedDict[K, tuple[int, float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        read_at, until, value = entry
        if read_at != _generation or self.clock() >= until:
            self.drop(key)
            return None
        return value

    def put(self, key: K, read_at: int, value: V) -> None:
        """`read_at`: the generation read before the value was read from the database."""
        with self._lock:
            self._entries[key] = (read_at, self.clock() + self.ttl, value)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def drop(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
