"""An action sent before the booking's workflow has run its first task (the validator answers NotReady) is sent
again by the API for a few seconds instead of answering 409 at once; other refusals are answered at once."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.bookings import commands
from domain.bookings.messages import ActionRequest, ActionResult, Actor


class Handle:
    """A workflow handle whose update is refused with `refusals` in turn, then answers."""

    def __init__(self, *refusals: str):
        self.refusals, self.calls = list(refusals), 0

    async def execute_update(self, _update: object, req: ActionRequest) -> ActionResult:
        self.calls += 1
        if self.refusals:
            kind = self.refusals.pop(0)
            raise WorkflowUpdateFailedError(ApplicationError("预约尚未就绪，请稍后重试", type=kind))
        return ActionResult(status="CONFIRMED")


REQ = ActionRequest(action="confirm", actor=Actor("artist", 1))


async def test_an_action_waits_for_a_booking_that_is_not_ready_yet() -> None:
    handle = Handle("NotReady", "NotReady", "NotReady")
    assert (await commands._update_when_ready(handle, REQ)).status == "CONFIRMED"  # type: ignore[arg-type]
    assert handle.calls == 4


@pytest.mark.parametrize("kind", ["InvalidAction", "Forbidden", "BadRequest"])
async def test_other_refusals_are_answered_at_once(kind: str) -> None:
    handle = Handle(kind)
    with pytest.raises(WorkflowUpdateFailedError):
        await commands._update_when_ready(handle, REQ)  # type: ignore[arg-type]
    assert handle.calls == 1


async def test_a_booking_never_ready_is_answered_after_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "NOT_READY_WAIT", 0.2)
    handle = Handle(*["NotReady"] * 100)
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await commands._update_when_ready(handle, REQ)  # type: ignore[arg-type]
    assert commands._application_cause(info.value).type == "NotReady"  # type: ignore[union-attr]
    assert 2 <= handle.calls < 10
