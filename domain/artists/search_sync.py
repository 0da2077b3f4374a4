"""Writing artists' search documents (domain.artists.search_documents) to the search backend: on commit
(`index_writer`, bound by the API and the real-name activity), from the outbox (`drain_outbox`, run by the
worker and `python -m search drain`) and as a full rebuild (`reindex`). The backends (search.pg,
search.opensearch) and the outbox table (search.outbox) know nothing of the domain."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from domain.artists.search_documents import artist_document, artist_documents, iter_artist_documents
from search import outbox
from search.base import ArtistSearch
from search.factory import in_transaction
from search.pg import PgArtistSearch

log = logging.getLogger(__name__)

# After this many failures in a row within one batch the index is presumably down: stop and retry later
# instead of waiting for a timeout on every row.
MAX_CONSECUTIVE_FAILURES = 3


def index_writer(search: ArtistSearch) -> Callable[[Session, Iterable[int]], None]:
    """What writes a unit of work's changed artists (domain.artists.changes) when it commits, for the
    configured backend: `domain.artists.changes.on_commit(session, index_writer(search))`."""

    def write(session: Session, artist_ids: Iterable[int]) -> None:
        target = in_transaction(search, session)
        for artist_id in artist_ids:
            sync_artist(target, session, artist_id)

    return write


def sync_artist(search: ArtistSearch, session: Session, artist_id: int) -> None:
    """Bring one artist's entry in line with the database (index it, or remove it when banned/gone), with
    `in_transaction(search, session)`. Services don't call this: they mark the artist changed
    (`domain.artists.changes.artist_changed`) and the commit writes it through `index_writer`.

    PostgreSQL: the index row is written in the caller's transaction. Any other backend (OpenSearch) sits
    outside the transaction: the artist is queued in the search outbox in the caller's session instead,
    and the worker drains the outbox after commit (`drain_outbox`) — nothing is lost while the index is
    down, and a rolled-back change queues nothing."""
    if not isinstance(search, PgArtistSearch):
        outbox.mark_dirty(session, artist_id)
        return
    doc = artist_document(session, artist_id)
    if doc is None:
        search.remove(artist_id)
    else:
        search.index(doc)


def reindex(search: ArtistSearch, session: Session) -> int:
    """Rebuild the whole index from the database (`python -m search reindex`, the dev launcher)."""
    return search.reindex_all(iter_artist_documents(session))


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
        ids = outbox.claim(session, limit)
        if not ids:
            return report
        docs = artist_documents(session, ids)
        # PostgreSQL: write in this transaction. A second connection would wait on locks queued behind ones this
        # transaction holds (a TRUNCATE, an ALTER) while this one waits for it: a deadlock PostgreSQL can't see.
        target = in_transaction(search, session)
        streak = 0
        for artist_id in ids:
            doc = docs.get(artist_id)
            try:
                with session.begin_nested():  # a refused row rolls back alone; the failure is recorded below
                    if doc is None:
                        target.remove(artist_id)
                    else:
                        target.index(doc)
            except Exception as exc:  # any index failure is retried from the outbox
                report.failed[artist_id] = outbox.record_failure(session, artist_id, f"{type(exc).__name__}: {exc}")
                streak += 1
                if streak >= MAX_CONSECUTIVE_FAILURES:
                    break
                continue
            streak = 0
            (report.removed if doc is None else report.indexed).append(artist_id)
            outbox.remove(session, artist_id)
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
