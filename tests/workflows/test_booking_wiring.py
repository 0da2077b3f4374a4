"""How the booking workflow reaches its activities: by name, through the typed references in
domain.bookings.messages, without importing their implementation; and tasks scheduled the old way still run."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import timedelta
from typing import Any, get_type_hints

import pytest
from sqlalchemy.orm import Session
from temporalio import workflow
from temporalio.worker import Worker

from activities.bookings import BookingActivities
from domain.bookings import messages
from domain.bookings.states import Action
from domain.payments.sandbox import SandboxGateway
from tests.workflows.booking_helpers import QUEUE, booking, parties, start
from workflows.booking import BookingWorkflow

REFS = [v for v in vars(messages).values() if isinstance(v, messages.ActivityRef)]


def test_importing_the_workflow_loads_no_sqlalchemy() -> None:
    """The sandbox re-imports the workflow module for every run: it must stay free of the database layer."""
    code = ("import sys, workflows.booking; "
            "loaded = sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'domain.models', 'activities')));"
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_activity_matches_its_reference() -> None:
    """Same name, same input and result types as the ActivityRef the workflow schedules it by."""
    unused = BookingActivities("postgresql://unused", SandboxGateway("unused", notify_url="http://unused/"))
    implemented = {fn.__name__ for fn in unused.all()}
    assert implemented == {ref.label for ref in REFS}
    for ref in REFS:
        method = getattr(BookingActivities, ref.label)
        assert method.__temporal_activity_definition.name == ref.name
        hints = get_type_hints(method)
        result = hints.pop("return")
        assert (list(hints.values()), result) == ([ref.input], ref.result), ref.name


def test_every_action_has_a_handler() -> None:
    assert set(BookingWorkflow()._handlers) == set(Action)


@workflow.defn(sandboxed=False)
class OldVersionCaller:
    """Schedules an activity the way the previous version did: one payload per positional argument."""

    @workflow.run
    async def run(self, args: list[Any]) -> None:
        await workflow.execute_activity(messages.FLAG_FOR_OPERATOR.name, args=args, task_queue=QUEUE,
                                        start_to_close_timeout=timedelta(seconds=10))


@pytest.mark.usefixtures("worker")
async def test_a_task_scheduled_with_positional_arguments_still_runs(temporal_env, db: Session,
                                                                    handles) -> None:  # type: ignore[no-untyped-def]
    client_id, [artist_id] = parties(db, 1)
    [h] = await start(temporal_env, db, client_id, [artist_id])
    handles.append(h)
    b = booking(db, h)
    queue = f"old-version-{uuid.uuid4().hex[:8]}"
    async with Worker(temporal_env.client, task_queue=queue, workflows=[OldVersionCaller]):
        await temporal_env.client.execute_workflow(OldVersionCaller.run, [b.id, "旧版本排队的任务"],
                                                   id=f"old-version-{b.id}", task_queue=queue)
    assert booking(db, h).needs_operator == "旧版本排队的任务"
