"""Artists whose search entry is stale. A service that changes what an artist's search document shows (profile,
privacy, tags, reviews, favorites, calendar, account status, real name) calls `artist_changed` in its unit of
work; when that unit commits, the marked artists are written once each, in the committing transaction:

- by the writer its owner bound with `on_commit` (the API binds `domain.artists.search_sync.index_writer`: the
  PostgreSQL backend's index row, or for OpenSearch an outbox row), or
- with no writer bound (activities, maintenance commands), as search outbox rows, which the worker drains.

Either way the change and its index (or outbox) row commit together, and a rollback writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from search.outbox import mark_dirty

Writer = Callable[[Session, Iterable[int]], None]
_CHANGED = "search.changed_artists"
_WRITER = "search.writer"


def artist_changed(session: Session, *artist_ids: int) -> None:
    """Mark artists whose search entry must be rewritten when `session` commits."""
    session.info.setdefault(_CHANGED, set()).update(artist_ids)


def has_changes(session: Session) -> bool:
    """Whether `session` has artists marked to write at its commit."""
    return bool(session.info.get(_CHANGED))


def on_commit(session: Session, writer: Writer) -> None:
    """Write the artists marked in `session` with `writer` when it commits (instead of the outbox)."""
    session.info[_WRITER] = writer


def _queue(session: Session, artist_ids: Iterable[int]) -> None:
    for artist_id in artist_ids:
        mark_dirty(session, artist_id)


@event.listens_for(Session, "before_commit")
def _write_changed(session: Session) -> None:
    changed = session.info.pop(_CHANGED, None)
    if changed:
        writer: Writer = session.info.get(_WRITER, _queue)
        writer(session, sorted(changed))  # sorted: two writers touch the rows in the same order


@event.listens_for(Session, "after_soft_rollback")
def _forget_changed(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole unit of work rolled back: nothing changed
        session.info.pop(_CHANGED, None)
