"""An action sent before the booking's workflow has run its first task (the validator answers NotReady), or while
the workflow is behind the booking's page (InvalidAction while the page still allows it), is sent again by the API
for a few seconds instead of answering 409 at once; other refusals are answered at once."""

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


class Page:
    """The booking's page as read again by the API: whether it allows the action, answer by answer."""

    def __init__(self, *answers: bool):
        self.answers, self.reads = list(answers), 0

    async def __call__(self) -> bool:
        self.reads += 1
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


PAGE_MOVED_ON = Page(False)


async def test_an_action_waits_for_a_booking_that_is_not_ready_yet() -> None:
    handle = Handle("NotReady", "NotReady", "NotReady")
    assert (await commands._update_when_ready(handle, REQ, PAGE_MOVED_ON)).status == "CONFIRMED"  # type: ignore[arg-type]
    assert handle.calls == 4


@pytest.mark.parametrize("kind", ["InvalidAction", "Forbidden", "BadRequest"])
async def test_other_refusals_are_answered_at_once(kind: str) -> None:
    handle = Handle(kind)
    with pytest.raises(WorkflowUpdateFailedError):
        await commands._update_when_ready(handle, REQ, PAGE_MOVED_ON)  # type: ignore[arg-type]
    assert handle.calls == 1


async def test_a_booking_never_ready_is_answered_after_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "NOT_READY_WAIT", 0.2)
    handle = Handle(*["NotReady"] * 100)
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await commands._update_when_ready(handle, REQ, PAGE_MOVED_ON)  # type: ignore[arg-type]
    assert commands._application_cause(info.value).type == "NotReady"  # type: ignore[union-attr]
    assert 2 <= handle.calls < 10


async def test_an_action_the_page_allows_waits_for_a_workflow_behind_the_page() -> None:
    handle, page = Handle("InvalidAction", "InvalidAction", "InvalidAction"), Page(True)
    assert (await commands._update_when_ready(handle, REQ, page)).status == "CONFIRMED"  # type: ignore[arg-type]
    assert (handle.calls, page.reads) == (4, 3)


async def test_an_action_refused_once_the_page_moved_on_is_answered_then() -> None:
    """Another request won the race: the page no longer allows the action, so the refusal stands at once."""
    handle, page = Handle(*["InvalidAction"] * 10), Page(True, False)
    with pytest.raises(WorkflowUpdateFailedError):
        await commands._update_when_ready(handle, REQ, page)  # type: ignore[arg-type]
    assert (handle.calls, page.reads) == (2, 2)


async def test_a_workflow_that_stays_behind_is_answered_after_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "BEHIND_WAIT", 0.2)
    handle = Handle(*["InvalidAction"] * 100)
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await commands._update_when_ready(handle, REQ, Page(True))  # type: ignore[arg-type]
    assert commands._application_cause(info.value).type == "InvalidAction"  # type: ignore[union-attr]
    assert 2 <= handle.calls < 10
