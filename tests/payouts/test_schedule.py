"""The daily reconciliation schedule on a real Temporal dev server: created when a worker starts, updated (not
duplicated) when the next one starts, yesterday's bills at the configured hour in Asia/Shanghai."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from temporalio.client import ScheduleActionStartWorkflow
from temporalio.testing import WorkflowEnvironment

from domain.reconciliation.messages import SCHEDULE_ID
from domain.settings import Settings
from workers.schedules import ensure_reconciliation_schedule


async def test_the_schedule_is_ensured_idempotently(settings: Settings) -> None:
    binary = Path(sys.executable).parent / "temporal"
    async with await WorkflowEnvironment.start_local(dev_server_existing_path=str(binary)) as env:
        await ensure_reconciliation_schedule(env.client, settings, "q1")
        await ensure_reconciliation_schedule(env.client, settings.model_copy(update={"reconciliation_hour": 9}), "q1")
        for _ in range(50):  # the list is read from visibility, which may lag a moment behind
            ids = [s.id async for s in await env.client.list_schedules()]
            if ids:
                break
            await asyncio.sleep(0.1)
        assert ids == [SCHEDULE_ID]
        desc = await env.client.get_schedule_handle(SCHEDULE_ID).describe()
        spec, action = desc.schedule.spec, desc.schedule.action
        assert spec.time_zone_name == "Asia/Shanghai"
        assert [(c.hour[0].start, c.minute[0].start) for c in spec.calendars] == [(9, 0)]
        assert isinstance(action, ScheduleActionStartWorkflow) and action.workflow == "DailyReconciliation"
        assert action.id == SCHEDULE_ID and action.task_queue == "q1"
