"""The daily backup schedule on a real Temporal dev server: a starting worker creates it (next to the
reconciliation schedule), at BACKUP_HOUR in Asia/Shanghai, starting the DailyBackup workflow."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from temporalio.client import ScheduleActionStartWorkflow
from temporalio.testing import WorkflowEnvironment

from domain.backups.messages import SCHEDULE_ID
from domain.payments.sandbox import SandboxGateway
from domain.reconciliation.messages import SCHEDULE_ID as RECONCILIATION_SCHEDULE_ID
from domain.settings import Settings
from integrations.realname.sandbox import SandboxRealNameChecker
from workers.runtime import build_worker


async def test_a_starting_worker_creates_the_backup_schedule(settings: Settings, database_url: str,
                                                            gateway: SandboxGateway) -> None:
    binary = Path(sys.executable).parent / "temporal"
    async with await WorkflowEnvironment.start_local(dev_server_existing_path=str(binary)) as env:
        worker = build_worker(env.client, settings.model_copy(update={"backup_hour": 4}), database_url,
                              checker=SandboxRealNameChecker(), gateway=gateway, task_queue="backup-q")
        async with worker:
            ids: list[str] = []
            for _ in range(100):  # the list is read from visibility, which may lag a moment behind
                ids = sorted([s.id async for s in await env.client.list_schedules()])
                if SCHEDULE_ID in ids:
                    break
                await asyncio.sleep(0.1)
        assert ids == sorted([SCHEDULE_ID, RECONCILIATION_SCHEDULE_ID])
        desc = await env.client.get_schedule_handle(SCHEDULE_ID).describe()
        spec, action = desc.schedule.spec, desc.schedule.action
        assert spec.time_zone_name == "Asia/Shanghai"
        assert [(c.hour[0].start, c.minute[0].start) for c in spec.calendars] == [(4, 0)]
        assert isinstance(action, ScheduleActionStartWorkflow) and action.workflow == "DailyBackup"
        assert action.task_queue == "backup-q"
