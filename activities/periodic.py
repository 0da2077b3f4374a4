"""A job run every `interval` seconds (a plain function on a thread, a coroutine function on the loop) for exactly
as long as the Temporal worker runs (a worker plugin). For housekeeping whose durability lies elsewhere (the search
outbox table, the uploads table, pending notification deliveries): a skipped or failed run only delays the work until
the next tick."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from temporalio.worker import Plugin, Worker, WorkerConfig

log = logging.getLogger(__name__)


class PeriodicJobPlugin(Plugin):
    def __init__(self, name: str, job: Callable[[], object], interval: float) -> None:
        self.job_name, self.job, self.interval = name, job, interval

    def configure_worker(self, config: WorkerConfig) -> WorkerConfig:
        return config

    async def run_worker(self, worker: Worker, next: Callable[[Worker], Awaitable[None]]) -> None:
        loop = asyncio.create_task(self._loop(), name=self.job_name)
        try:
            await next(worker)
        finally:
            loop.cancel()
            try:
                await loop
            except asyncio.CancelledError:
                pass

    async def _loop(self) -> None:
        while True:
            try:
                if inspect.iscoroutinefunction(self.job):
                    await self.job()
                else:
                    await asyncio.to_thread(self.job)
            except asyncio.CancelledError:
                raise
            except Exception:  # storage, the index or the database may be briefly away; the next tick retries
                log.exception("%s failed", self.job_name)
            await asyncio.sleep(self.interval)

    def configure_replayer(self, config: Any) -> Any:
        return config

    def run_replayer(self, replayer: Any, histories: Any, next: Any) -> AbstractAsyncContextManager[Any]:
        return next(replayer, histories)
