"""Removing abandoned uploads in every worker process: a periodic loop that lives exactly as long as the
Temporal worker (a worker plugin, like activities.search's outbox drain).

Nothing is lost if a run is skipped (a deploy, storage or the database briefly away): an orphan simply
waits for the next run. Several workers may run it side by side; deleting a missing object is no error."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

from temporalio.worker import Plugin, Worker, WorkerConfig

from domain.db import session_factory
from storage.base import ObjectStorage
from storage.cleanup import DEFAULT_OLDER_THAN, remove_orphans

log = logging.getLogger(__name__)

CLEANUP_INTERVAL_SECONDS = 600.0


class StorageCleanupPlugin(Plugin):
    """Runs `storage.cleanup.remove_orphans` on a thread when the worker starts and every `interval` seconds."""

    def __init__(self, database_url: str, storage: ObjectStorage, interval: float = CLEANUP_INTERVAL_SECONDS,
                 older_than: timedelta = DEFAULT_OLDER_THAN) -> None:
        self.database_url, self.storage, self.interval, self.older_than = database_url, storage, interval, older_than

    def configure_worker(self, config: WorkerConfig) -> WorkerConfig:
        return config

    async def run_worker(self, worker: Worker, next: Callable[[Worker], Awaitable[None]]) -> None:
        loop = asyncio.create_task(self._loop(), name="storage-cleanup")
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
                await asyncio.to_thread(remove_orphans, self.storage, factory, self.older_than)
            except asyncio.CancelledError:
                raise
            except Exception:  # storage or the database may be briefly away; the next tick retries
                log.exception("storage cleanup failed")
            await asyncio.sleep(self.interval)

    def configure_replayer(self, config: Any) -> Any:
        return config

    def run_replayer(self, replayer: Any, histories: Any, next: Any) -> AbstractAsyncContextManager[Any]:
        return next(replayer, histories)
