"""Which durable timer a booking waits for next: answer, contract and deposit deadlines, reminders, the end of
the show and the automatic acceptance. What a timer does when it fires is `BookingWorkflow._on_timer`."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

from workflows.booking.state import BookingState, Timer

with workflow.unsafe.imports_passed_through():
    from domain.bookings.messages import BookingInput
    from domain.bookings.states import BookingStatus as S

REMIND_BALANCE_DAYS = (7, 1)
PATCH_CONTRACT_REMINDER = "contract-deadline-reminder"
PATCH_SKIP_PAST_REMINDERS = "skip-past-balance-reminders"


def next_timer(s: BookingState, inp: BookingInput, *, clip_deadlines: bool) -> Timer | None:
    candidates: list[Timer] = []
    if s.status == S.REQUESTED and s.deadline:
        remind = s.deadline - timedelta(hours=inp.response_hours / 2)
        if "remind_response" not in s.fired:
            candidates.append(Timer(remind, "remind_response"))
        candidates.append(Timer(s.deadline, "expire_response"))
    elif s.status in (S.CONFIRMED, S.CONTRACT_SENT, S.CLIENT_SIGNED) and s.deadline:
        # Added after the first release: bookings recorded before it (no patch marker in their history)
        # keep running without this reminder; new ones get it.
        if workflow.patched(PATCH_CONTRACT_REMINDER) and "remind_contract" not in s.fired:
            candidates.append(Timer(s.deadline - timedelta(hours=24), "remind_contract"))
        candidates.append(Timer(s.deadline, "expire_hold"))
    elif s.status == S.SIGNED and s.deadline:
        candidates.append(Timer(s.deadline, "expire_deposit"))
    elif s.status == S.DEPOSIT_PAID and s.balance_due_at:
        skip_past = workflow.patched(PATCH_SKIP_PAST_REMINDERS)
        for days in REMIND_BALANCE_DAYS:
            at = s.balance_due_at - timedelta(days=days)
            if skip_past and at <= workflow.now():
                continue  # a due date close to the deposit: one reminder, not two at once
            if f"remind_balance_{days}" not in s.fired:
                candidates.append(Timer(at, f"remind_balance_{days}"))
        if "balance_overdue" not in s.fired:
            candidates.append(Timer(s.balance_due_at, "balance_overdue"))
    elif s.status == S.FULLY_PAID:
        candidates.append(Timer(datetime.fromisoformat(inp.end_at), "performed"))
    elif s.status == S.PERFORMED and s.auto_accept_at:
        candidates.append(Timer(s.auto_accept_at, "auto_accept"))
    candidates = [t for t in candidates if t.kind not in s.failed_timers]
    if clip_deadlines:  # a reminder already due when its deadline was clipped to the show is skipped
        candidates = [t for t in candidates if not t.kind.startswith("remind_") or t.at > workflow.now()]
    return min(candidates, key=lambda t: t.at) if candidates else None
