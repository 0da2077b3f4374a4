"""An operator starts a backup now: the same workflow the daily schedule starts, waited for a little while."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.client import Client, WorkflowFailureError

from domain.backups.messages import BackupInput, BackupResult
from domain.backups.schemas import BackupStartOut
from domain.backups.service import backup_out
from domain.errors import raises
from domain.models import Backup
from domain.settings import Settings
from domain.time import SHANGHAI, utc_now

WAIT_SECONDS = 20  # a small database dumps in seconds; a longer run shows up in the list as 进行中


class Deps(Protocol):
    @property
    def settings(self) -> Settings: ...

    async def temporal(self) -> Client: ...


@raises((503, "temporal_unavailable"))
async def start_now(deps: Deps, new_session: Callable[[], Session], operator_id: int) -> BackupStartOut:
    client = await deps.temporal()
    workflow_id = f"backup-manual-{utc_now().astimezone(SHANGHAI):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    handle = await client.start_workflow(
        "DailyBackup", BackupInput(trigger="manual", requested_by=operator_id), id=workflow_id,
        task_queue=deps.settings.temporal_task_queue, result_type=BackupResult)
    status = "succeeded"
    try:
        await asyncio.wait_for(asyncio.shield(handle.result()), timeout=WAIT_SECONDS)
    except TimeoutError:
        status = "running"
    except WorkflowFailureError:
        status = "failed"
    # The activity writes the row in its own transaction: read it fresh, not through the request's session.
    with new_session() as session:
        row = session.scalar(select(Backup).where(Backup.workflow_id == workflow_id))
        return BackupStartOut(workflow_id=workflow_id, status=status,
                              backup=backup_out(row) if row is not None else None)
