"""BookingWorkflow on the time-skipping Temporal server with the real activities on PostgreSQL: every path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from temporalio.client import WorkflowUpdateFailedError

from domain.bookings.messages import CancellationTier, Quote
from domain.models import BookingEvent, CalendarSlot, Dispute, Notification, Payout, Penalty, Refund
from domain.payments.sandbox import SandboxGateway
from tests.workflows.booking_helpers import (
    QUOTE,
    act,
    booking,
    paid_callback,
    parties,
    pay,
    settled,
    start,
    to_signed,
)
from workflows.booking import BookingWorkflow

pytestmark = pytest.mark.usefixtures("worker")


async def _new(temporal_env, db: Session, handles: list, n: int = 1, **kw) -> tuple[int, list[int], list]:  # type: ignore[no-untyped-def]
    client_id, artists = parties(db, n)
    hs = await start(temporal_env, db, client_id, artists, **kw)
    handles.extend(hs)
    return client_id, artists, hs


def _slot(db: Session, booking_id: int) -> str | None:
    db.expire_all()
    return db.scalar(select(CalendarSlot.status).where(CalendarSlot.booking_id == booking_id))


async def test_happy_path_to_completed(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles)
    await to_signed(h, client, artist)
    b = booking(db, h)
    assert (b.status, b.fee_amount, b.deposit_amount, b.balance_amount) == ("SIGNED", 1_000_000, 300_000, 700_000)
    assert _slot(db, b.id) == "held"
    await pay(h, db, client, "deposit")
    assert booking(db, h).status == "DEPOSIT_PAID" and _slot(db, b.id) == "booked"
    await pay(h, db, client, "balance")
    assert booking(db, h).status == "FULLY_PAID" and booking(db, h).paid_amount == 1_000_000
    await temporal_env.sleep(timedelta(days=41))  # the show ends
    assert await h.query(BookingWorkflow.status) == "PERFORMED"
    await act(h, "confirm_performance", "client", client)
    await act(h, "request_settlement", "artist", artist)
    assert await h.result() == "COMPLETED"
    b = booking(db, h)
    assert (b.status, b.commission_amount, b.payout_amount) == ("COMPLETED", 100_000, 900_000)
    payout = db.get(Payout, b.id)
    assert payout is not None and payout.payout_amount == 900_000
    steps = db.scalars(select(BookingEvent.to_status).where(BookingEvent.booking_id == b.id,
                                                            BookingEvent.from_status.is_not(None))
                       .order_by(BookingEvent.step)).all()
    assert steps == ["CONFIRMED", "CONTRACT_SENT", "CLIENT_SIGNED", "SIGNED", "DEPOSIT_PAID", "FULLY_PAID",
                     "PERFORMED", "ACCEPTED", "SETTLING", "COMPLETED"]
    titles = set(db.scalars(select(Notification.title).where(Notification.user_id == client)))
    assert {"艺人已报价", "定金已支付", "演出已结束"} <= titles
    contract_events = db.scalars(select(BookingEvent.action).where(BookingEvent.booking_id == b.id)).all()
    assert "balance_overdue" not in contract_events


async def test_reject_needs_a_reason_and_ends_the_booking(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles)
    with pytest.raises(WorkflowUpdateFailedError):
        await act(h, "reject", "artist", artist, reason="  ")
    with pytest.raises(WorkflowUpdateFailedError):  # a client can't answer for the artist
        await act(h, "confirm", "client", client, quote=QUOTE)
    with pytest.raises(WorkflowUpdateFailedError):  # another artist can't either
        await act(h, "confirm", "artist", artist + 999, quote=QUOTE)
    await act(h, "reject", "artist", artist, reason="当天已有其他演出")
    assert await h.result() == "REJECTED"
    b = booking(db, h)
    assert b.reason == "当天已有其他演出"
    # Refused actions left no trace in the history of events.
    assert db.scalar(select(func.count()).where(BookingEvent.booking_id == b.id)) == 2


async def test_no_answer_expires_after_a_reminder(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles)
    await temporal_env.sleep(timedelta(hours=25))
    assert await h.query(BookingWorkflow.status) == "REQUESTED"
    assert db.scalar(select(Notification.title).where(Notification.user_id == artist,
                                                      Notification.title == "演出邀约即将过期"))
    await temporal_env.sleep(timedelta(hours=24))
    assert await h.result() == "EXPIRED"


async def test_unsigned_contract_expires_and_releases_the_hold(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles)
    await act(h, "confirm", "artist", artist, quote=QUOTE)
    await act(h, "send_contract", "artist", artist)
    assert _slot(db, booking(db, h).id) == "held"
    await temporal_env.sleep(timedelta(hours=49))
    assert db.scalar(select(Notification.title).where(Notification.user_id == client,
                                                      Notification.title == "合同即将过期"))
    await temporal_env.sleep(timedelta(hours=24))
    assert await h.result() == "EXPIRED"
    assert _slot(db, booking(db, h).id) is None


async def test_deposit_not_paid_in_time_cancels(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles)
    await to_signed(h, client, artist)
    await temporal_env.sleep(timedelta(hours=25))
    assert await h.result() == "CANCELLED"
    assert booking(db, h).reason == "定金未按时支付" and _slot(db, booking(db, h).id) is None


@pytest.mark.parametrize(("days", "refund"), [(40, 300_000), (15, 150_000), (3, 0)])
async def test_client_cancellation_follows_the_contract_tiers(temporal_env, db: Session, handles, days: int,
                                                              refund: int):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles, days=days)
    await to_signed(h, client, artist, Quote(fee_amount=1_000_000, deposit_percent=30, balance_due_days=1))
    await pay(h, db, client, "deposit")
    await act(h, "cancel", "client", client, reason="活动取消")
    assert await h.result() == "CANCELLED"
    b = booking(db, h)
    assert (b.refunded_amount, _slot(db, b.id)) == (refund, None)
    assert db.scalar(select(func.coalesce(func.sum(Refund.amount), 0)).where(Refund.booking_id == b.id)) == refund
    # The deposit the client did not get back is the artist's, less the commission: settled and paid out.
    kept = 300_000 - refund
    payout = db.get(Payout, b.id)
    if kept == 0:
        assert payout is None and b.payout_amount is None
    else:
        assert payout is not None and (payout.status, payout.gross_amount, payout.payout_amount) == (
            "paid", kept, kept - kept // 10)
        assert (b.status, b.commission_amount, b.payout_amount) == ("CANCELLED", kept // 10, kept - kept // 10)


async def test_custom_tiers_are_honoured(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles, days=20)
    quote = Quote(fee_amount=500_000, deposit_percent=50, balance_due_days=2,
                  cancellation_tiers=[CancellationTier(14, 80), CancellationTier(0, 10)])
    await to_signed(h, client, artist, quote)
    await pay(h, db, client, "deposit")
    await act(h, "cancel", "client", client, reason="预算调整")
    await h.result()
    assert booking(db, h).refunded_amount == 250_000 * 80 // 100


async def test_artist_cancellation_refunds_everything_and_records_a_penalty(temporal_env, db: Session,
                                                                             handles):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles, days=5)
    await to_signed(h, client, artist, Quote(fee_amount=1_000_000, deposit_percent=30, balance_due_days=1))
    await pay(h, db, client, "deposit")
    await pay(h, db, client, "balance")
    await act(h, "cancel", "artist", artist, reason="突发疾病")
    assert await h.result() == "CANCELLED"
    assert booking(db, h).refunded_amount == 1_000_000
    penalty = db.scalar(select(Penalty).where(Penalty.booking_id == booking(db, h).id))
    assert penalty is not None and penalty.artist_id == artist and penalty.reason == "突发疾病"


async def test_operator_cancels_with_chosen_refund(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    with pytest.raises(WorkflowUpdateFailedError):  # more than was paid
        await act(h, "cancel", "operator", 1, refund_amount=300_001, reason="场地取消")
    await act(h, "cancel", "operator", 1, refund_amount=120_000, reason="双方协商")
    await h.result()
    assert booking(db, h).refunded_amount == 120_000


# Rulings by timing: before the show a ruling cancels (refund, release the calendar, no review) or lets the
# booking continue; after the show it settles what the client did not get back.
@pytest.mark.parametrize(("when", "resolution", "status", "refunded", "payout", "slot"), [
    ("before", "full_refund", "CANCELLED", 1_000_000, None, None),
    ("before", "partial_refund", "CANCELLED", 400_000, 540_000, None),  # what was kept is settled
    ("before", "release", "FULLY_PAID", 0, None, "booked"),
    ("after", "full_refund", "COMPLETED", 1_000_000, 0, "booked"),
    ("after", "partial_refund", "COMPLETED", 400_000, 540_000, "booked"),  # (10,000 - 4,000) - 10 % commission
    ("after", "release", "ACCEPTED", 0, None, "booked"),
])
async def test_dispute_rulings_by_timing(temporal_env, db: Session, handles, when: str, resolution: str, status: str,
                                         refunded: int, payout: int | None, slot: str | None):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    await pay(h, db, client, "balance")
    if when == "after":
        await temporal_env.sleep(timedelta(days=41))
        await act(h, "confirm_performance", "client", client)
    with pytest.raises(WorkflowUpdateFailedError):
        await act(h, "dispute", "client", client, reason="")
    await act(h, "dispute", "client", client, reason="演出时长不足", evidence=["private/evidence/1.jpg"])
    assert await h.query(BookingWorkflow.status) == "DISPUTED"
    with pytest.raises(WorkflowUpdateFailedError):  # money is frozen: no settlement or cancellation while disputed
        await act(h, "request_settlement" if when == "after" else "cancel", "artist", artist, reason="x")
    await act(h, "resolve_dispute", "operator", 1, resolution=resolution, reason="核实后处理",
              refund_amount=400_000 if resolution == "partial_refund" else None)
    await settled(h)
    if status in ("CANCELLED", "COMPLETED"):
        assert await h.result() == status
    else:
        assert await h.query(BookingWorkflow.status) == status
    b = booking(db, h)
    assert (b.status, b.refunded_amount, b.payout_amount, b.needs_operator) == (status, refunded, payout, None)
    assert _slot(db, b.id) == slot
    assert db.scalar(select(func.coalesce(func.sum(Refund.amount), 0)).where(Refund.booking_id == b.id)) == refunded
    dispute = db.scalar(select(Dispute).where(Dispute.booking_id == b.id))
    assert dispute is not None and dispute.resolution == resolution and dispute.resolved_at is not None


async def test_overdue_balance_goes_to_operators_not_cancelled(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles, days=20)
    await to_signed(h, client, artist)  # balance due 3 days before the show
    await pay(h, db, client, "deposit")
    await temporal_env.sleep(timedelta(days=10))
    titles = db.scalars(select(Notification.title).where(Notification.user_id == client)).all()
    assert "尾款即将到期" in titles
    await temporal_env.sleep(timedelta(days=7, hours=1))
    b = booking(db, h)
    assert b.status == "DEPOSIT_PAID" and b.needs_operator == "尾款逾期未付，请运营跟进"
    await act(h, "extend_deadline", "operator", 1, extend_hours=48, reason="客户申请延期")
    b = booking(db, h)
    assert b.needs_operator is None
    await pay(h, db, client, "balance")
    assert booking(db, h).status == "FULLY_PAID"


async def test_show_is_auto_confirmed_after_72_hours(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles, days=10)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    await pay(h, db, client, "balance")
    await temporal_env.sleep(timedelta(days=10, hours=4))
    assert await h.query(BookingWorkflow.status) == "PERFORMED"
    await temporal_env.sleep(timedelta(hours=72))
    assert await h.query(BookingWorkflow.status) == "ACCEPTED"
    await act(h, "request_settlement", "artist", artist)
    assert await h.result() == "COMPLETED"


async def test_duplicate_payment_signals_count_once(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    from domain.bookings.messages import PaymentReceived

    client, [artist], [h] = await _new(temporal_env, db, handles)
    await to_signed(h, client, artist)
    order_id = await pay(h, db, client, "deposit")
    for _ in range(10):
        await h.signal(BookingWorkflow.payment_received, PaymentReceived(order_id, "deposit", 300_000, "sandbox", "T"))
    await settled(h)
    b = booking(db, h)
    assert (b.status, b.paid_amount) == ("DEPOSIT_PAID", 300_000)
    assert db.scalar(select(func.count()).where(BookingEvent.booking_id == b.id,
                                                BookingEvent.action == "deposit_paid")) == 1


async def test_payment_after_cancellation_is_refunded(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    from domain.bookings.messages import PaymentReceived
    from domain.models import PaymentOrder

    client, [artist], [h] = await _new(temporal_env, db, handles)
    await to_signed(h, client, artist)
    started = await act(h, "pay_deposit", "client", client)
    # The calendar row held: the cancellation's compensation (releasing it) waits, so the workflow is still open
    # when the payment arrives, as while a refund is under way. (Once closed, the callback route hands the money
    # to an operator instead: domain.payments.signals.)
    with Session(db.get_bind()) as holder:
        holder.scalars(select(CalendarSlot).where(CalendarSlot.booking_id == booking(db, h).id).with_for_update()).all()
        await act(h, "cancel", "client", client, reason="不办了")
        order = db.get(PaymentOrder, started.payment_order_id)
        assert order is not None
        received = paid_callback(db, order, "T-late")  # the client paid the order anyway
        assert received == PaymentReceived(order.id, "deposit", 300_000, "sandbox", "T-late")
        await h.signal(BookingWorkflow.payment_received, received)
        holder.commit()
    assert await h.result() == "CANCELLED"
    assert booking(db, h).refunded_amount == 300_000


async def test_failing_refund_is_retried_and_shown_to_operators(temporal_env, db: Session, handles,
                                                                gateway: SandboxGateway):  # type: ignore[no-untyped-def]
    client, [artist], [h] = await _new(temporal_env, db, handles)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    gateway.fail_refunds = 4
    try:
        await act(h, "cancel", "artist", artist, reason="档期冲突")
        await temporal_env.sleep(timedelta(seconds=40))
        db.expire_all()
        refund = db.scalar(select(Refund).where(Refund.booking_id == booking(db, h).id))
        assert refund is not None and refund.status == "failing" and refund.attempts >= 3
        assert booking(db, h).needs_operator
        await temporal_env.sleep(timedelta(minutes=5))
        assert await h.result() == "CANCELLED"
    finally:
        gateway.fail_refunds = 0
    db.expire_all()
    refund = db.scalar(select(Refund).where(Refund.booking_id == booking(db, h).id))
    assert refund is not None and refund.status == "succeeded" and booking(db, h).refunded_amount == 300_000


async def test_second_confirmation_for_an_overlapping_slot_is_refused(temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, [artist], [h1] = await _new(temporal_env, db, handles)
    other = await start(temporal_env, db, client, [artist])
    handles.extend(other)
    await act(h1, "confirm", "artist", artist, quote=QUOTE)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await act(other[0], "confirm", "artist", artist, quote=QUOTE)
    assert "档期已被占用" in str(err.value.cause)
    assert await other[0].query(BookingWorkflow.status) == "REQUESTED"
    # The refused step left nothing: no event, no quote on the booking, no notice, no slot.
    refused = booking(db, other[0])
    assert (refused.status, refused.fee_amount, _slot(db, refused.id)) == ("REQUESTED", None, None)
    assert _steps(db, refused.id) == ["001-requested"]
    assert db.scalar(select(func.count()).where(Notification.booking_id == refused.id,
                                                Notification.title == "艺人已报价")) == 0
    # Once the first booking lets the time go, the same confirmation goes through as the next step.
    await act(h1, "withdraw", "client", client)
    assert _slot(db, booking(db, h1).id) is None
    await act(other[0], "confirm", "artist", artist, quote=QUOTE)
    confirmed = booking(db, other[0])
    assert (confirmed.status, confirmed.fee_amount, _slot(db, confirmed.id)) == ("CONFIRMED", 1_000_000, "held")
    assert _steps(db, confirmed.id) == ["001-requested", "002-confirm"]


def _steps(db: Session, booking_id: int) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(BookingEvent.step).where(BookingEvent.booking_id == booking_id)
                           .order_by(BookingEvent.step)))
