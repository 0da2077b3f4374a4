"""Replay (determinism) test: today's BookingWorkflow must replay the histories bookings recorded before.

Running bookings live for weeks; a worker deployed with changed workflow code replays their histories, and a
change in the order of commands (activities, timers) without `workflow.patched(...)` fails them with a
non-determinism error. The histories in histories/ were recorded by `python -m tests.workflows.record_histories`
(see there for when and how to refresh them); no Temporal server or database is needed here.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

with workflow.unsafe.imports_passed_through():
    from domain.bookings.messages import BookingInput
    from workflows.booking import BookingWorkflow

HISTORIES = Path(__file__).parent / "histories"
FILES = sorted(HISTORIES.glob("*.json"))
SCENARIOS = {"happy_path", "client_cancel_after_deposit", "dispute_partial_refund", "expired_no_answer",
             "balance_overdue_extended", "dispute_before_show_cancelled", "request_expires_before_show",
             "happy_path_local_steps", "happy_path_merged_steps"}


def _history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"booking-replay-{path.stem}", path.read_text(encoding="utf-8"))


def test_every_scenario_has_a_recorded_history() -> None:
    assert SCENARIOS <= {p.stem for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
async def test_recorded_history_replays(path: Path) -> None:
    result = await Replayer(workflows=[BookingWorkflow]).replay_workflow(_history(path))
    assert result.replay_failure is None


@workflow.defn(name="BookingWorkflow")
class TimerFirstBookingWorkflow(BookingWorkflow):
    """A careless change: a timer before the first step, so the first command no longer matches history."""

    @workflow.run
    async def run(self, inp: BookingInput) -> str:
        await workflow.sleep(timedelta(seconds=1))
        return await super().run(inp)


async def test_a_changed_command_order_fails_replay() -> None:
    """The test above can fail: the same history against a reordered workflow is non-deterministic."""
    replayer = Replayer(workflows=[TimerFirstBookingWorkflow])
    history = _history(HISTORIES / "happy_path.json")
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert isinstance(result.replay_failure, workflow.NondeterminismError)
    with pytest.raises(workflow.NondeterminismError):
        await replayer.replay_workflow(history)
