"""The search outbox: artists whose index entry must be rewritten, recorded in the same transaction as the
change (`mark_dirty`) and written to the index after commit (`drain_outbox`, run by the worker's periodic
loop in `activities.search`). A row leaves the outbox only once the index accepted it, so an index that is
down loses nothing; `python -m search reindex` remains the full rebuild from the database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.models import SearchOutbox
from domain.time import utc_now
from search.base import ArtistSearch
from search.documents import artist_documents

log = logging.getLogger(__name__)

# After this many failures in a row within one batch the index is presumably down: stop and retry later
# instead of waiting for a timeout on every row.
MAX_CONSECUTIVE_FAILURES = 3
ERROR_LENGTH = 300  # search_outbox.last_error


def mark_dirty(session: Session, artist_id: int) -> None:
    """Queue the artist for re-indexing when the caller's transaction commits (idempotent: one row per
    artist; a newer change resets its retry count). Services don't call this: they mark the artist changed
    (`domain.artists.changes.artist_changed`), and the commit queues it here unless the API bound the backend."""
    now = utc_now()
    stmt = insert(SearchOutbox).values(artist_id=artist_id, enqueued_at=now, attempts=0)
    session.execute(stmt.on_conflict_do_update(index_elements=[SearchOutbox.artist_id],
                                               set_={"enqueued_at": now, "attempts": 0, "last_error": None}))


@dataclass
class DrainReport:
    indexed: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return len(self.indexed) + len(self.removed)


def drain_outbox(search: ArtistSearch, session_factory: Callable[[], Session], limit: int = 100) -> DrainReport:
    """Write up to `limit` queued artists to `search` (an engine-bound backend) and delete their rows.

    Rows are claimed with FOR UPDATE SKIP LOCKED, so several workers drain side by side without doing the
    same artist twice, and a writer re-queuing a claimed artist waits for this transaction (its row then
    comes back for the next drain). A failure leaves the row with attempts + 1 and the error; rows that
    failed before go after fresh ones so one rejected document can't hold the queue up."""
    report = DrainReport()
    # One transaction: commits on the way out (also the early return), rolls back on an error.
    with session_factory() as session, session.begin():
        ids = list(session.scalars(
            select(SearchOutbox.artist_id)
            .order_by(SearchOutbox.attempts, SearchOutbox.enqueued_at, SearchOutbox.artist_id)
            .limit(limit).with_for_update(skip_locked=True)))
        if not ids:
            return report
        docs = artist_documents(session, ids)
        streak = 0
        for artist_id in ids:
            doc = docs.get(artist_id)
            try:
                if doc is None:
                    search.remove(artist_id)
                else:
                    search.index(doc)
            except Exception as exc:  # any index failure is retried from the outbox
                error = f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]
                report.failed[artist_id] = error
                session.execute(update(SearchOutbox).where(SearchOutbox.artist_id == artist_id)
                                .values(attempts=SearchOutbox.attempts + 1, last_error=error))
                streak += 1
                if streak >= MAX_CONSECUTIVE_FAILURES:
                    break
                continue
            streak = 0
            (report.removed if doc is None else report.indexed).append(artist_id)
            session.execute(delete(SearchOutbox).where(SearchOutbox.artist_id == artist_id))
    if report.failed:
        log.warning("search outbox: %d written, %d failed (first: %s)", report.done, len(report.failed),
                    next(iter(report.failed.values())))
    return report


def drain_all(search: ArtistSearch, session_factory: Callable[[], Session], batch: int = 100) -> DrainReport:
    """Drain until the outbox is empty or a batch fails (the index is down: the next run retries)."""
    total = DrainReport()
    while True:
        report = drain_outbox(search, session_factory, batch)
        total.indexed += report.indexed
        total.removed += report.removed
        total.failed.update(report.failed)
        if report.failed or report.done < batch:
            return total
