"""An operator reconciles a day now: the same workflow the daily schedule starts, for the day (and gateway) given."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Protocol

from temporalio.client import Client

from domain.errors import raises
from domain.reconciliation.errors import ReconciliationDayInvalid
from domain.reconciliation.messages import ReconcileInput, RunSummary
from domain.reconciliation.schemas import RunIn, RunOut, RunsOut
from domain.settings import Settings
from domain.time import SHANGHAI, utc_now

WAIT_SECONDS = 20  # a bill download normally takes seconds; longer runs are followed in the Temporal UI


class Deps(Protocol):
    @property
    def settings(self) -> Settings: ...

    async def temporal(self) -> Client: ...


@raises((503, "temporal_unavailable"))
async def run_day(deps: Deps, data: RunIn) -> RunsOut:
    if data.day >= utc_now().astimezone(SHANGHAI).date() or data.day < utc_now().date() - timedelta(days=365):
        raise ReconciliationDayInvalid(detail={"day": data.day.isoformat()})
    client = await deps.temporal()
    workflow_id = f"reconciliation-{data.day.isoformat()}-{data.gateway or 'all'}-{uuid.uuid4().hex[:8]}"
    handle = await client.start_workflow(
        "DailyReconciliation",
        ReconcileInput(day=data.day.isoformat(), gateways=[data.gateway] if data.gateway else None),
        id=workflow_id, task_queue=deps.settings.temporal_task_queue, result_type=list[RunSummary])
    try:
        results = await asyncio.wait_for(asyncio.shield(handle.result()), timeout=WAIT_SECONDS)
    except TimeoutError:
        return RunsOut(workflow_id=workflow_id, status="running", results=[])
    return RunsOut(workflow_id=workflow_id, status="completed", results=[RunOut(
        gateway=r.gateway, day=r.day, bill_lines=r.bill_lines, matched=r.matched, differences=r.differences,
        new_differences=r.new_differences, fee_amount=r.fee_amount, error=r.error) for r in results])
