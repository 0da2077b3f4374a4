"""NotificationDeliveryWorkflow: one notification on one channel (WeChat subscribe message or SMS).

The activity itself records permanent refusals as failed and returns; only passing failures raise, and those
are retried a bounded number of times with backoff, then recorded failed. Never retried forever."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain.notifications.messages import DELIVER_NOTIFICATION, GIVE_UP_DELIVERY

MAX_ATTEMPTS = 6  # 30 s, 1, 2, 4, 8 min apart: about a quarter of an hour of WeChat or SMS outage
RETRY = RetryPolicy(initial_interval=timedelta(seconds=30), backoff_coefficient=2.0,
                    maximum_interval=timedelta(minutes=10), maximum_attempts=MAX_ATTEMPTS)


@workflow.defn(name="NotificationDelivery")
class NotificationDeliveryWorkflow:
    @workflow.run
    async def run(self, delivery_id: int) -> str:
        try:
            return await workflow.execute_activity(
                DELIVER_NOTIFICATION.name, delivery_id, result_type=DELIVER_NOTIFICATION.result,
                start_to_close_timeout=timedelta(seconds=30), retry_policy=RETRY)
        except ActivityError:
            return await workflow.execute_activity(
                GIVE_UP_DELIVERY.name, delivery_id, result_type=GIVE_UP_DELIVERY.result,
                start_to_close_timeout=timedelta(seconds=30))
