"""The search outbox table: artists whose index entry must be rewritten, recorded in the same transaction as
the change (`mark_dirty`) and written to the index after commit by `domain.artists.search_sync.drain_outbox`
(the worker's periodic loop in `activities.search`, `python -m search drain`), which claims rows here and
removes them only once the index accepted the document, so an index that is down loses nothing.

The SQL is written against a `sqlalchemy.table()` naming the columns it touches, not the ORM model
(domain.models.SearchOutbox, which owns the schema and migrations): search/ sits below the domain and must
not import it, and passing the model in would make every caller carry it for nothing."""

from __future__ import annotations

from sqlalchemy import BigInteger, DateTime, Integer, String, column, delete, select, table, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.time import utc_now

ERROR_LENGTH = 300  # search_outbox.last_error

search_outbox = table(
    "search_outbox",
    column("artist_id", BigInteger),
    column("enqueued_at", DateTime(timezone=True)),
    column("attempts", Integer),
    column("last_error", String(ERROR_LENGTH)),
)
_o = search_outbox.c


def mark_dirty(session: Session, artist_id: int) -> None:
    """Queue the artist for re-indexing when the caller's transaction commits (idempotent: one row per
    artist; a newer change resets its retry count). Services don't call this: they mark the artist changed
    (`domain.artists.changes.artist_changed`), and the commit queues it here unless the API bound the backend."""
    now = utc_now()
    stmt = insert(search_outbox).values(artist_id=artist_id, enqueued_at=now, attempts=0)
    session.execute(stmt.on_conflict_do_update(index_elements=[_o.artist_id],
                                               set_={"enqueued_at": now, "attempts": 0, "last_error": None}))


def claim(session: Session, limit: int) -> list[int]:
    """Lock up to `limit` queued artists for this transaction (FOR UPDATE SKIP LOCKED: other drains skip
    them); rows that failed before come after fresh ones."""
    return list(session.scalars(
        select(_o.artist_id).select_from(search_outbox)
        .order_by(_o.attempts, _o.enqueued_at, _o.artist_id)
        .limit(limit).with_for_update(skip_locked=True)))


def record_failure(session: Session, artist_id: int, error: str) -> str:
    """Keep the row for a retry, with attempts + 1 and the (shortened) error, which it returns."""
    error = error[:ERROR_LENGTH]
    session.execute(update(search_outbox).where(_o.artist_id == artist_id)
                    .values(attempts=_o.attempts + 1, last_error=error))
    return error


def remove(session: Session, artist_id: int) -> None:
    """The index accepted the artist: its row leaves the outbox."""
    session.execute(delete(search_outbox).where(_o.artist_id == artist_id))
