"""Settlement on the time-skipping server with the platform's default rules: the dispute window after the show,
an operator's approval or the automatic one after N days, the payout through the channel, a failed payout left to
an operator (never retried silently), and the money a cancelled booking kept settled the same way."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.accounts.rules import DEFAULTS
from domain.bookings.messages import ActionResult, Actor, Quote, SettlementDecision
from domain.ledger import accounts
from domain.ledger.service import balance
from domain.models import BookingEvent, Notification, Payout
from domain.payouts.channel import TransferResult
from domain.payouts.service import apply_result
from tests.fakes.scripted_payouts import ScriptedPayoutChannel
from tests.workflows.booking_helpers import act, booking, booking_id, parties, pay, settled, start, to_signed
from workflows.booking import BookingWorkflow

pytestmark = pytest.mark.usefixtures("worker")

WINDOW_HOURS = DEFAULTS["booking.settlement_dispute_window_hours"]  # 72
AUTO_DAYS = DEFAULTS["booking.settlement_auto_approve_days"]  # 3
OPERATOR = 7


async def decide(h: WorkflowHandle, decision: str, reason: str | None = None, role: str = "operator",
                 actor_id: int | None = OPERATOR) -> ActionResult:
    return await h.execute_update(BookingWorkflow.decide_settlement,
                                  SettlementDecision(decision, Actor(role, actor_id), reason))


async def _performed(temporal_env, db: Session, handles: list, days: int = 10):  # type: ignore[no-untyped-def]
    """A booking with the platform's settlement rules, paid in full, its show over and confirmed."""
    client_id, [artist_id] = parties(db, 1)
    [h] = await start(temporal_env, db, client_id, [artist_id], settlement=None, days=days)
    handles.append(h)
    await to_signed(h, client_id, artist_id)
    await pay(h, db, client_id, "deposit")
    await pay(h, db, client_id, "balance")
    await temporal_env.sleep(timedelta(days=days, hours=4))  # the 3-hour show ended an hour ago
    assert await h.query(BookingWorkflow.status) == "PERFORMED"
    await act(h, "confirm_performance", "client", client_id)
    return client_id, artist_id, h


async def refused(pending: Awaitable[object]) -> str:
    """The message of the workflow's refusal (the validator's ApplicationError)."""
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await pending
    assert isinstance(info.value.cause, ApplicationError), info.value.cause
    return info.value.cause.message


def _payout(db: Session, h: WorkflowHandle) -> Payout:
    db.expire_all()
    payout = db.get(Payout, booking_id(h))
    assert payout is not None
    return payout


def _actions(db: Session, h: WorkflowHandle) -> list[str]:
    return list(db.scalars(select(BookingEvent.action).where(BookingEvent.booking_id == booking_id(h))
                           .order_by(BookingEvent.step)))


async def test_payout_waits_for_the_dispute_window_after_an_operators_approval(temporal_env, db: Session,
                                                                               handles):  # type: ignore[no-untyped-def]
    client, artist, h = await _performed(temporal_env, db, handles)
    assert (await act(h, "request_settlement", "artist", artist)).status == "SETTLING"
    payout = _payout(db, h)
    assert (payout.status, payout.gross_amount, payout.commission_amount, payout.payout_amount) == (
        "pending_approval", 1_000_000, 100_000, 900_000)
    b = booking(db, h)
    assert (b.status, b.commission_amount, b.payout_amount) == ("SETTLING", 100_000, 900_000)
    # Nothing left escrow yet: a dispute in the window could still give money back.
    assert balance(db, accounts.ESCROW, booking_id=b.id) == -1_000_000
    assert "只有平台运营" in await refused(decide(h, "approve", role="artist", actor_id=artist))
    assert "不能重新打款" in await refused(decide(h, "retry"))
    await decide(h, "approve", "核对无误")
    payout = _payout(db, h)
    assert (payout.status, payout.approved_by, payout.paid_at) == ("approved", OPERATOR, None)
    await temporal_env.sleep(timedelta(hours=WINDOW_HOURS - 2))
    assert await h.query(BookingWorkflow.status) == "SETTLING"  # the window is still open
    await temporal_env.sleep(timedelta(hours=2))
    assert await h.result() == "COMPLETED"
    payout = _payout(db, h)
    assert (payout.status, payout.channel, payout.payout_no) == ("paid", "sandbox", f"PO{b.id}")
    assert balance(db, accounts.ESCROW, booking_id=b.id) == 0
    assert balance(db, accounts.COMMISSION, booking_id=b.id) == -100_000
    assert balance(db, accounts.payout("sandbox"), booking_id=b.id) == -900_000
    actions = _actions(db, h)
    assert actions[-3:] == ["settlement_pending", "settlement_approved", "settled"]
    titles = list(db.scalars(select(Notification.title).where(Notification.user_id == artist)))
    assert {"结算待审核", "结算已审核", "结算完成"} <= set(titles)


async def test_settlement_is_approved_automatically_after_the_configured_days(temporal_env, db: Session,
                                                                              handles):  # type: ignore[no-untyped-def]
    client, artist, h = await _performed(temporal_env, db, handles)
    await temporal_env.sleep(timedelta(hours=WINDOW_HOURS))  # the window is over before the request
    await act(h, "request_settlement", "artist", artist)
    await temporal_env.sleep(timedelta(days=AUTO_DAYS) - timedelta(hours=1))
    assert (await h.query(BookingWorkflow.status), _payout(db, h).status) == ("SETTLING", "pending_approval")
    await temporal_env.sleep(timedelta(hours=1))
    assert await h.result() == "COMPLETED"
    payout = _payout(db, h)
    assert (payout.status, payout.approved_by) == ("paid", None) and payout.approved_at is not None


async def test_a_rejected_settlement_waits_for_an_operator_and_may_be_approved_later(
        temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, artist, h = await _performed(temporal_env, db, handles)
    await temporal_env.sleep(timedelta(hours=WINDOW_HOURS))
    await act(h, "request_settlement", "artist", artist)
    assert "驳回理由" in await refused(decide(h, "reject", " "))
    await decide(h, "reject", "演出视频待核实")
    payout, b = _payout(db, h), booking(db, h)
    assert (payout.status, payout.failure_reason, b.needs_operator) == (
        "rejected", "演出视频待核实", "结算已驳回：演出视频待核实")
    await temporal_env.sleep(timedelta(days=AUTO_DAYS + 1))  # no automatic approval once rejected
    assert (await h.query(BookingWorkflow.status), _payout(db, h).status) == ("SETTLING", "rejected")
    await decide(h, "approve", "已核实")
    assert await h.result() == "COMPLETED"
    b = booking(db, h)
    assert (_payout(db, h).status, b.needs_operator) == ("paid", None)


async def test_a_failed_payout_stays_in_settlement_for_an_operator_to_retry(
        temporal_env, db: Session, handles, payout_channel: ScriptedPayoutChannel):  # type: ignore[no-untyped-def]
    client, artist, h = await _performed(temporal_env, db, handles)
    await temporal_env.sleep(timedelta(hours=WINDOW_HOURS))
    await act(h, "request_settlement", "artist", artist)
    number = f"PO{booking_id(h)}"
    payout_channel.script(booking_id(h), TransferResult("failed", failure_reason="收款用户未实名"))
    await decide(h, "approve")
    await settled(h)
    b, payout = booking(db, h), _payout(db, h)
    assert (b.status, payout.status, payout.failure_reason) == ("SETTLING", "failed", "收款用户未实名")
    assert b.needs_operator is not None and "收款用户未实名" in b.needs_operator
    await temporal_env.sleep(timedelta(days=10))  # nothing retries by itself
    assert [c for c in payout_channel.calls if c[1].startswith(number)] == [("transfer", number)]
    assert await h.query(BookingWorkflow.status) == "SETTLING"
    # The money left escrow when the payout was sent: no dispute now.
    assert "打款已开始" in await refused(act(h, "dispute", "client", client, reason="演出不满意"))
    await decide(h, "retry", "艺人已补充实名")
    assert await h.result() == "COMPLETED"
    b, payout = booking(db, h), _payout(db, h)
    assert (payout.status, b.needs_operator, b.payout_amount) == ("paid", None, 900_000)
    assert balance(db, accounts.ARTIST_PAYABLE, booking_id=b.id) == 0
    assert "payout_failed" in _actions(db, h) and "payout_retry" in _actions(db, h)


async def test_a_payout_in_flight_is_looked_up_until_the_channel_knows(
        temporal_env, db: Session, handles, payout_channel: ScriptedPayoutChannel):  # type: ignore[no-untyped-def]
    client, artist, h = await _performed(temporal_env, db, handles)
    await temporal_env.sleep(timedelta(hours=WINDOW_HOURS))
    await act(h, "request_settlement", "artist", artist)
    payout_channel.script(booking_id(h), TransferResult("processing"), TransferResult("processing"))
    await decide(h, "approve")
    await settled(h)
    assert (await h.query(BookingWorkflow.status), _payout(db, h).status) == ("SETTLING", "paying")
    assert await h.result() == "COMPLETED"  # looked up every 10 minutes: paid on the second look
    assert _payout(db, h).status == "paid"


async def test_a_dispute_in_the_window_freezes_the_settlement_until_the_ruling(temporal_env, db: Session,
                                                                               handles):  # type: ignore[no-untyped-def]
    client, artist, h = await _performed(temporal_env, db, handles)
    await act(h, "request_settlement", "artist", artist)
    await decide(h, "approve")
    await act(h, "dispute", "client", client, reason="演出时长不足")
    assert "纠纷处理中" in await refused(decide(h, "approve"))
    await temporal_env.sleep(timedelta(days=AUTO_DAYS + 4))  # past the window and the automatic approval: frozen
    assert (await h.query(BookingWorkflow.status), _payout(db, h).status) == ("DISPUTED", "approved")
    await act(h, "resolve_dispute", "operator", 1, resolution="partial_refund", refund_amount=400_000,
              reason="时长不足，退部分款")
    await settled(h)
    payout = _payout(db, h)  # settled again on what the client kept paid, and approved again
    assert (payout.status, payout.gross_amount, payout.payout_amount) == ("pending_approval", 600_000, 540_000)
    await decide(h, "approve")
    assert await h.result() == "COMPLETED"
    b = booking(db, h)
    assert (b.refunded_amount, b.payout_amount, _payout(db, h).status) == (400_000, 540_000, "paid")


async def test_the_deposit_a_cancelled_booking_kept_is_settled_to_the_artist(temporal_env, db: Session,
                                                                             handles):  # type: ignore[no-untyped-def]
    client_id, [artist_id] = parties(db, 1)
    [h] = await start(temporal_env, db, client_id, [artist_id], settlement=None, days=15)
    handles.append(h)
    await to_signed(h, client_id, artist_id, Quote(fee_amount=1_000_000, deposit_percent=30, balance_due_days=1))
    await pay(h, db, client_id, "deposit")
    await act(h, "cancel", "client", client_id, reason="活动取消")  # 7-29 days before: half the deposit back
    await settled(h)
    b, payout = booking(db, h), _payout(db, h)
    assert (b.status, b.refunded_amount) == ("CANCELLED", 150_000)
    assert (payout.status, payout.gross_amount, payout.commission_amount, payout.payout_amount) == (
        "pending_approval", 150_000, 15_000, 135_000)
    assert "驳回理由" in await refused(decide(h, "reject"))
    await temporal_env.sleep(timedelta(days=AUTO_DAYS))
    assert await h.result() == "CANCELLED"
    b, payout = booking(db, h), _payout(db, h)
    assert (payout.status, b.payout_amount, b.commission_amount) == ("paid", 135_000, 15_000)
    assert balance(db, accounts.ESCROW, booking_id=b.id) == 0


async def test_a_payout_failed_at_the_channel_while_in_flight_waits_for_an_operator(
        temporal_env, db: Session, handles, payout_channel: ScriptedPayoutChannel):  # type: ignore[no-untyped-def]
    """Finance records a bank line as failed (the row turns failed outside the workflow): the next look-up
    reports the failure to an operator and sends nothing; only the operator's retry sends a transfer again."""
    client, artist, h = await _performed(temporal_env, db, handles)
    await temporal_env.sleep(timedelta(hours=WINDOW_HOURS))
    await act(h, "request_settlement", "artist", artist)
    number = f"PO{booking_id(h)}"
    payout_channel.script(booking_id(h), TransferResult("processing"))
    await decide(h, "approve")
    await settled(h)
    assert _payout(db, h).status == "paying"
    payout = _payout(db, h)
    apply_result(db, payout, payout.channel or "sandbox", TransferResult("failed", failure_reason="银行退回：户名不符"))
    db.commit()
    await temporal_env.sleep(timedelta(hours=2))  # several look-ups
    await settled(h)
    sent = [c for c in payout_channel.calls if c[0] == "transfer" and c[1] in (number, f"{number}A2")]
    assert sent == [("transfer", number)]  # nothing sent again by itself
    assert _payout(db, h).status == "failed" and "payout_failed" in _actions(db, h)
    assert await h.query(BookingWorkflow.status) == "SETTLING"
    await decide(h, "retry", "艺人已更正收款账户")
    assert await h.result() == "COMPLETED"
    assert _payout(db, h).status == "paid"
    assert balance(db, accounts.ARTIST_PAYABLE, booking_id=booking_id(h)) == 0
