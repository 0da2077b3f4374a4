"""DailyBackupWorkflow: started every day by a Temporal Schedule (workers.schedules) or by an operator's 立即备份;
one activity dumps the database into object storage, the next deletes dumps past the retention."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.backups.messages import PRUNE_BACKUPS, TAKE_BACKUP, BackupInput, BackupResult, TakeInput


@workflow.defn(name="DailyBackup")
class DailyBackupWorkflow:
    @workflow.run
    async def run(self, inp: BackupInput) -> BackupResult:
        try:
            result = await workflow.execute_activity(
                TAKE_BACKUP.name, TakeInput(workflow.info().workflow_id, inp.trigger, inp.requested_by),
                result_type=TAKE_BACKUP.result, start_to_close_timeout=timedelta(hours=3, minutes=10),
                # A database or storage hiccup is tried again a few times; a missing pg_dump is not (the row says
                # why, and the next day's run, or 立即备份 once it is fixed, tries again).
                retry_policy=RetryPolicy(initial_interval=timedelta(minutes=1), backoff_coefficient=2.0,
                                         maximum_attempts=3, non_retryable_error_types=["BackupToolMissing"]))
        except ActivityError as exc:
            # The run fails (shown as Failed in the Temporal UI); the backups row already records the error.
            raise ApplicationError(f"backup failed: {exc.cause or exc}", non_retryable=True) from exc
        pruned = await workflow.execute_activity(
            PRUNE_BACKUPS.name, None, result_type=PRUNE_BACKUPS.result, start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RetryPolicy(maximum_attempts=3))
        return BackupResult(backup_id=result.backup_id, status=result.status, key=result.key, size=result.size,
                            sha256=result.sha256, expired=pruned.expired)
