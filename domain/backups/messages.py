"""What the backup workflow sends its activities and gets back (plain dataclasses: the workflow sandbox imports
this module, never the activities' implementation)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.activity_refs import ActivityRef

SCHEDULE_ID = "backups-daily"
PREFIX = "private/backups/"  # private: handed out only as short-lived signed links


@dataclass(frozen=True)
class BackupInput:
    """`trigger`: schedule (the daily schedule) | manual (an operator's 立即备份); `requested_by`: the operator."""

    trigger: str = "schedule"
    requested_by: int | None = None


@dataclass(frozen=True)
class TakeInput:
    workflow_id: str  # names the backups row, so a retried activity reuses it instead of adding another
    trigger: str = "schedule"
    requested_by: int | None = None


@dataclass(frozen=True)
class BackupResult:
    backup_id: int
    status: str  # succeeded / failed
    key: str | None = None
    size: int = 0
    sha256: str | None = None
    error: str | None = None
    expired: int = 0  # dumps removed by the retention that followed


@dataclass(frozen=True)
class PruneResult:
    expired: int = 0


TAKE_BACKUP = ActivityRef("backups.take", TakeInput, BackupResult)
PRUNE_BACKUPS = ActivityRef("backups.prune", type(None), PruneResult)
