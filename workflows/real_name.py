"""RealNameVerificationWorkflow: checks one submission with the provider, retrying through outages.

Its activities are scheduled by name (`domain.accounts.messages`), so this module never imports their
implementation (activities.real_name, which needs SQLAlchemy)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain.accounts.messages import GIVE_UP_REAL_NAME, VERIFY_REAL_NAME


@workflow.defn
class RealNameVerificationWorkflow:
    @workflow.run
    async def run(self, verification_id: int) -> str:
        try:
            return await workflow.execute_activity(
                VERIFY_REAL_NAME.name, verification_id, result_type=VERIFY_REAL_NAME.result,
                start_to_close_timeout=timedelta(seconds=30),
                # A provider outage is retried for up to a day before the user is asked to resubmit.
                schedule_to_close_timeout=timedelta(days=1),
                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=2), backoff_coefficient=2.0,
                                         maximum_interval=timedelta(minutes=10)),
            )
        except ActivityError:
            return await workflow.execute_activity(
                GIVE_UP_REAL_NAME.name, verification_id, result_type=GIVE_UP_REAL_NAME.result,
                start_to_close_timeout=timedelta(seconds=30),
            )
