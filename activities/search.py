"""Draining the search outbox in every worker process: a periodic loop that lives exactly as long as the
Temporal worker (a worker plugin), plus the same drain as an activity for operators and schedules.

Durability comes from the outbox table, not from this loop: a row is deleted only after the index
accepted the document, so a crash, a deploy or an OpenSearch outage only delays indexing. Several workers
drain side by side (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from temporalio import activity
from temporalio.worker import Plugin, Worker, WorkerConfig

from domain.db import session_factory
from search.base import ArtistSearch
from search.outbox import drain_all

log = logging.getLogger(__name__)

DRAIN_INTERVAL_SECONDS = 2.0  # how stale OpenSearch may be after a commit, at most (plus the drain itself)
DRAIN_BATCH = 100


class SearchOutboxActivities:
    def __init__(self, database_url: str, search: ArtistSearch) -> None:
        self.database_url, self.search = database_url, search

    @activity.defn(name="search.drain_outbox")
    def drain_outbox(self, batch: int = DRAIN_BATCH) -> int:
        """Drain the outbox; returns how many artists were written. A failed row stays for the next run."""
        return drain_all(self.search, session_factory(self.database_url), batch).done


class SearchOutboxDrainPlugin(Plugin):
    """Runs `drain_all` every `interval` seconds on a thread while the worker runs."""

    def __init__(self, database_url: str, search: ArtistSearch, interval: float = DRAIN_INTERVAL_SECONDS) -> None:
        self.database_url, self.search, self.interval = database_url, search, interval

    def configure_worker(self, config: WorkerConfig) -> WorkerConfig:
        return config

    async def run_worker(self, worker: Worker, next: Callable[[Worker], Awaitable[None]]) -> None:
        loop = asyncio.create_task(self._loop(), name="search-outbox-drain")
        try:
            await next(worker)
        finally:
            loop.cancel()
            try:
                await loop
            except asyncio.CancelledError:
                pass

    async def _loop(self) -> None:
        factory = session_factory(self.database_url)
        while True:
            try:
                await asyncio.to_thread(drain_all, self.search, factory, DRAIN_BATCH)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be briefly away; the next tick retries
                log.exception("search outbox drain failed")
            await asyncio.sleep(self.interval)

    def configure_replayer(self, config: Any) -> Any:
        return config

    def run_replayer(self, replayer: Any, histories: Any, next: Any) -> AbstractAsyncContextManager[Any]:
        return next(replayer, histories)
