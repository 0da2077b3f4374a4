"""Tomorrow's BookingWorkflow, for the deploy fault test (tests/faults/test_deploy.py): registered under the same
name, after the show it also thanks the artist, behind `workflow.patched(...)`. Its own module with workflow
imports only: Temporal's sandbox re-imports the module a workflow is defined in."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

from workflows.booking import BookingWorkflow

with workflow.unsafe.imports_passed_through():
    from domain.bookings.messages import BookingInput
    from workflows.booking.state import Timer

PATCH = "fault-test-thank-artist-after-show"
THANKS = "感谢您的精彩演出"


@workflow.defn(name="BookingWorkflow")
class NextBookingWorkflow(BookingWorkflow):
    @workflow.run
    async def run(self, inp: BookingInput) -> str:
        self.thank_artist = workflow.patched(PATCH)  # False when replaying a booking started before the deploy
        return await super().run(inp)

    async def _on_timer(self, timer: Timer) -> None:
        await super()._on_timer(timer)
        if timer.kind == "performed" and self.thank_artist:
            assert self.inp is not None
            await self._note("thank_artist", [(self.inp.artist_id, THANKS, "演出已结束，感谢您的付出")])


@workflow.defn(name="BookingWorkflow")
class CarelessBookingWorkflow(BookingWorkflow):
    """The same kind of change without the patch: an open booking replayed on it meets a command its history
    doesn't have (a timer before the first step) and its workflow task fails as non-deterministic."""

    @workflow.run
    async def run(self, inp: BookingInput) -> str:
        await workflow.sleep(timedelta(seconds=1))
        return await super().run(inp)
