"""DailyReconciliationWorkflow: started every day by a Temporal Schedule (workers.schedules), it reconciles each
configured gateway's bill of yesterday (Asia/Shanghai) — or the day and gateways it is given — one activity per
gateway, so one gateway's outage neither blocks nor repeats the others."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain.reconciliation.messages import (
        LIST_GATEWAYS,
        RECONCILE_GATEWAY,
        ReconcileGatewayInput,
        ReconcileInput,
        RunSummary,
    )
    from domain.time import SHANGHAI

RETRY = RetryPolicy(initial_interval=timedelta(seconds=30), backoff_coefficient=2.0,
                    maximum_interval=timedelta(minutes=30))


@workflow.defn(name="DailyReconciliation")
class DailyReconciliationWorkflow:
    @workflow.run
    async def run(self, inp: ReconcileInput) -> list[RunSummary]:
        day = inp.day or (workflow.now().astimezone(SHANGHAI).date() - timedelta(days=1)).isoformat()
        names = inp.gateways
        if names is None:
            names = (await workflow.execute_activity(
                LIST_GATEWAYS.name, None, result_type=LIST_GATEWAYS.result,
                start_to_close_timeout=timedelta(seconds=30))).names
        results = []
        for name in names:
            try:
                results.append(await workflow.execute_activity(
                    RECONCILE_GATEWAY.name, ReconcileGatewayInput(name, day), result_type=RECONCILE_GATEWAY.result,
                    start_to_close_timeout=timedelta(minutes=10),
                    # A bill not ready yet or a gateway outage is retried through the day, then given up (the
                    # next run, or an operator's POST /admin/reconciliation/runs, reconciles the day again).
                    schedule_to_close_timeout=timedelta(hours=12), retry_policy=RETRY))
            except ActivityError as exc:
                cause = exc.cause or exc
                workflow.logger.warning("reconciliation of %s on %s failed: %s", name, day, cause)
                results.append(RunSummary(gateway=name, day=day, error=str(cause)[:300]))
        return results
