"""Activities of the backup workflow: pg_dump into object storage (domain.backups.service.take) and retention."""

from __future__ import annotations

from collections.abc import Callable

from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.backups import service
from domain.backups.errors import BackupToolMissing
from domain.backups.messages import PRUNE_BACKUPS, TAKE_BACKUP, BackupResult, PruneResult, TakeInput
from domain.db import session_factory, session_scope
from domain.settings import Settings
from storage.base import ObjectStorage


class BackupActivities:
    def __init__(self, database_url: str, storage: ObjectStorage, settings: Settings):
        self.database_url, self.storage, self.settings = database_url, storage, settings

    @activity.defn(name=TAKE_BACKUP.name)
    def take(self, inp: TakeInput) -> BackupResult:
        try:
            return service.take(session_factory(self.database_url), self.database_url, self.storage,
                                workflow_id=inp.workflow_id, trigger=inp.trigger, requested_by=inp.requested_by,
                                bin_dir=self.settings.pg_bin_dir)
        except BackupToolMissing as exc:
            raise ApplicationError(exc.message, type="BackupToolMissing", non_retryable=True) from exc

    @activity.defn(name=PRUNE_BACKUPS.name)
    def prune(self, _: None = None) -> PruneResult:
        with session_scope(self.database_url) as session:
            return service.prune(session, self.storage, self.settings.backup_retention_days)

    def all(self) -> list[Callable[..., object]]:
        return [self.take, self.prune]
