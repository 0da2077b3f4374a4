"""Contract PDFs made beside the booking instead of inside its steps.

Rendering a contract (fpdf2 subsetting a Noto CJK font) and sealing it (PAdES) take about half a CPU-second each;
done inside the send_contract / countersign activities they held up the artist's and the client's actions by that
much, and by several times that when a worker had many bookings at once (one GIL). A worker process started by
`python -m workers` hands them instead, once the step is committed, to a process of its own (`DocumentMaker`),
which uses another CPU. Nothing depends on them being there at once: whoever needs a document first (the signer's
sign-code check, the contract page, a download link) makes it then, under the same row lock, so it is made once.
The unsigned one is rendered ahead here too, as a draft once the quote is agreed (domain.contracts.documents), so a
client who signs as soon as the contract is sent rarely waits for it."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path

from domain import heap
from domain.contracts.documents import ContractPapers
from domain.contracts.fonts import make_common
from domain.db import session_scope
from domain.settings import Settings

log = logging.getLogger(__name__)

_papers: ContractPapers | None = None  # per maker process, from its settings (the worker's environment)


def _own_papers(papers: ContractPapers | None) -> ContractPapers:
    global _papers
    if papers is not None:
        return papers
    if _papers is None:
        from domain.settings import get_settings  # the worker's environment
        from storage.factory import storage_from_settings

        settings = get_settings()
        _papers = ContractPapers.from_settings(settings, storage_from_settings(settings))
    return _papers


def _start_maker() -> None:
    """The maker process, once spawned (this module imported fpdf2, fontTools and pyhanko): its papers, then all of
    it out of the collector's sight (domain.heap), so a full collection doesn't stall a document ~75 ms."""
    try:
        _own_papers(None)
    except Exception:  # noqa: BLE001  (an initializer that raises breaks the pool: each document reports it instead)
        log.exception("contract papers not ready at start")
    heap.freeze_startup()


def make_documents(database_url: str, booking_id: int, papers: ContractPapers | None = None) -> str:
    """The booking's latest document: sealed once both signed, else the unsigned one. Idempotent."""
    papers = _own_papers(papers)
    with session_scope(database_url) as session:
        doc = papers.finish(session, booking_id) or papers.prepare(session, booking_id)
        return "sealed" if doc.sealed_key else "unsigned"


def make_draft(database_url: str, booking_id: int, papers: ContractPapers | None = None) -> str:
    """The unsigned document rendered ahead of the contract (domain.contracts.documents). Idempotent."""
    papers = _own_papers(papers)
    with session_scope(database_url) as session:
        return "drafted" if papers.draft(session, booking_id) else "not needed"


def drop_drafts(booking_id: int, papers: ContractPapers | None = None) -> str:
    _own_papers(papers).drop_drafts(booking_id)
    return "dropped"


class DocumentMaker:
    """Runs make_documents on `executor` (default: one spawned process, which makes its papers from the settings;
    on threads, pass `papers`) and logs what failed."""

    def __init__(self, database_url: str, executor: Executor | None = None, papers: ContractPapers | None = None):
        self.database_url, self.papers = database_url, papers
        self.executor = executor or ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                        initializer=_start_maker)

    def prepare_font(self, settings: Settings) -> Future[Path]:
        """The font's common-character copy (domain.contracts.fonts), made now in the maker, not by a document."""
        future = self.executor.submit(make_common, Path(settings.contract_font_path), settings.contract_font_index,
                                      settings.data_dir)
        future.add_done_callback(_log_font_failure)  # documents then use the full face: slower, still right
        return future

    def _run(self, booking_id: int, fn: Callable[..., str], *args: object) -> Future[str]:
        future = self.executor.submit(fn, *args, self.papers)
        future.add_done_callback(lambda f: _log_failure(f, booking_id))
        return future

    def submit(self, booking_id: int) -> Future[str]:
        return self._run(booking_id, make_documents, self.database_url, booking_id)

    def draft(self, booking_id: int) -> Future[str]:
        """Once the quote is agreed: the unsigned document is ready when the contract is sent and signed."""
        return self._run(booking_id, make_draft, self.database_url, booking_id)

    def drop_drafts(self, booking_id: int) -> Future[str]:
        """The booking left the quote without a contract: its drafts go (after any still being made here)."""
        return self._run(booking_id, drop_drafts, booking_id)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _log_failure(future: Future[str], booking_id: int) -> None:
    if not future.cancelled() and future.exception() is not None:
        # Made again by whoever opens the contract next (domain.contracts.service).
        log.error("contract document of booking %s not made: %s", booking_id, future.exception())


def _log_font_failure(future: Future[Path]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("contract font copy not made: %s", future.exception())
