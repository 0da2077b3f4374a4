"""Temporal Schedules the platform needs, created (or brought up to date) whenever a worker starts: every worker
may do it, the result is the same one schedule."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.worker import Plugin, Worker, WorkerConfig

from domain.backups.messages import SCHEDULE_ID as BACKUP_SCHEDULE_ID
from domain.backups.messages import BackupInput
from domain.reconciliation.messages import SCHEDULE_ID, ReconcileInput
from domain.settings import Settings
from workflows.backups import DailyBackupWorkflow
from workflows.reconciliation import DailyReconciliationWorkflow

log = logging.getLogger(__name__)


def reconciliation_schedule(settings: Settings, task_queue: str) -> Schedule:
    """Every day at `reconciliation_hour`:00 Asia/Shanghai (gateways publish yesterday's bill from 9:00-10:00),
    reconcile yesterday's bills. A run still going when the next is due is not doubled."""
    return Schedule(
        action=ScheduleActionStartWorkflow(DailyReconciliationWorkflow.run, ReconcileInput(), id=SCHEDULE_ID,
                                           task_queue=task_queue),
        spec=ScheduleSpec(cron_expressions=[f"0 {settings.reconciliation_hour} * * *"],
                          time_zone_name="Asia/Shanghai"),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=1)))


def backup_schedule(settings: Settings, task_queue: str) -> Schedule:
    """Every day at `backup_hour`:00 Asia/Shanghai (default 03:00, the quietest hour), pg_dump into object storage
    and apply the retention. A dump still running when the next is due is not doubled."""
    return Schedule(
        action=ScheduleActionStartWorkflow(DailyBackupWorkflow.run, BackupInput(trigger="schedule"),
                                           id=BACKUP_SCHEDULE_ID, task_queue=task_queue),
        spec=ScheduleSpec(cron_expressions=[f"0 {settings.backup_hour} * * *"], time_zone_name="Asia/Shanghai"),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=6)))


async def ensure_schedule(client: Client, schedule_id: str, schedule: Schedule) -> None:
    """Create the schedule, or bring an existing one up to date (a changed hour takes effect on the next start)."""
    try:
        await client.create_schedule(schedule_id, schedule)
        log.info("created schedule %s", schedule_id)
    except ScheduleAlreadyRunningError:
        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(schedule_id).update(update)


async def ensure_reconciliation_schedule(client: Client, settings: Settings, task_queue: str) -> None:
    await ensure_schedule(client, SCHEDULE_ID, reconciliation_schedule(settings, task_queue))


async def ensure_backup_schedule(client: Client, settings: Settings, task_queue: str) -> None:
    await ensure_schedule(client, BACKUP_SCHEDULE_ID, backup_schedule(settings, task_queue))


class SchedulesPlugin(Plugin):
    """Ensures the schedules as the worker starts. A server without schedules (the time-skipping test server) or
    a brief outage only logs: the next worker start tries again."""

    def __init__(self, client: Client, settings: Settings, task_queue: str) -> None:
        self.client, self.settings, self.task_queue = client, settings, task_queue

    def configure_worker(self, config: WorkerConfig) -> WorkerConfig:
        return config

    async def run_worker(self, worker: Worker, next: Callable[[Worker], Awaitable[None]]) -> None:
        for schedule_id, ensure in ((SCHEDULE_ID, ensure_reconciliation_schedule),
                                    (BACKUP_SCHEDULE_ID, ensure_backup_schedule)):
            try:
                await ensure(self.client, self.settings, self.task_queue)
            except Exception as exc:  # RPCError: unimplemented (test server), unavailable, …
                log.warning("could not ensure schedule %s: %s", schedule_id, exc)
        await next(worker)

    def configure_replayer(self, config: Any) -> Any:
        return config

    def run_replayer(self, replayer: Any, histories: Any, next: Any) -> AbstractAsyncContextManager[Any]:
        return next(replayer, histories)

