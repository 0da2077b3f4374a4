"""Money paths on many bookings, permanent failures, refused refunds and the show's start as a limit — the
defects an outside probe found that one booking per test never showed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.models import BookingEvent, CalendarSlot, Dispute, Notification, PaymentOrder, Refund
from integrations.errors import IntegrationError
from tests.workflows.booking_helpers import act, booking, parties, pay, settled, start, to_signed
from workflows.booking import BookingWorkflow

pytestmark = pytest.mark.usefixtures("worker")


async def _new(temporal_env, db: Session, handles: list, **kw) -> tuple[int, int, WorkflowHandle]:  # type: ignore[no-untyped-def]
    client_id, [artist_id] = parties(db, 1)
    [h] = await start(temporal_env, db, client_id, [artist_id], **kw)
    handles.append(h)
    return client_id, artist_id, h


def _events(db: Session, booking_id: int) -> list[tuple[str, dict]]:
    db.expire_all()
    return [(e.action, e.data) for e in db.scalars(select(BookingEvent).where(BookingEvent.booking_id == booking_id)
                                                   .order_by(BookingEvent.step))]


def _update_error(err: pytest.ExceptionInfo[WorkflowUpdateFailedError]) -> tuple[str | None, str]:
    cause = err.value.cause
    return getattr(cause, "type", None), str(getattr(cause, "message", cause))


@pytest.mark.parametrize("n", [2, 10])
async def test_every_cancellation_refund_goes_through_on_many_bookings(temporal_env, db: Session, handles,
                                                                       n: int):  # type: ignore[no-untyped-def]
    """The same refund step ("refund-cancel") on booking after booking: the key is (booking, step)."""
    bookings = []
    for _ in range(n):
        client, artist, h = await _new(temporal_env, db, handles)
        await to_signed(h, client, artist)
        await pay(h, db, client, "deposit")
        await act(h, "cancel", "client", client, reason="活动取消")  # 40 days ahead: the whole deposit back
        bookings.append(h)
    for h in bookings:
        assert await h.result() == "CANCELLED"
        b = booking(db, h)
        assert (b.refunded_amount, b.needs_operator) == (300_000, None)
        refunds = db.execute(select(Refund.step, Refund.amount, Refund.status)
                             .where(Refund.booking_id == b.id)).all()
        assert [(r.amount, r.status) for r in refunds] == [(300_000, "succeeded")]
        assert "refund_refused" not in [a for a, _ in _events(db, b.id)]
    assert db.scalar(select(func.count()).select_from(Refund)) >= n


async def test_a_step_that_can_never_succeed_flags_the_booking_and_frees_it(temporal_env, db: Session,
                                                                             handles):  # type: ignore[no-untyped-def]
    """PostgreSQL refuses a NUL byte every time: no endless retry; the booking is flagged, stays where it was,
    and takes the next action."""
    client, artist, h = await _new(temporal_env, db, handles)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    with pytest.raises(WorkflowUpdateFailedError) as err:  # before: retried forever, the update never answered
        await asyncio.wait_for(act(h, "dispute", "client", client, reason="a\u0000b"), timeout=120)
    kind, message = _update_error(err)
    assert kind == "PermanentFailure" and "运营" in message
    b = booking(db, h)
    assert b.status == "DEPOSIT_PAID" and b.needs_operator and "open_dispute" in b.needs_operator
    assert await h.query(BookingWorkflow.status) == "DEPOSIT_PAID"
    await act(h, "dispute", "client", client, reason="艺人失联")  # later updates don't hang
    assert booking(db, h).status == "DISPUTED"


async def test_a_refused_dispute_refund_stays_open_for_the_operator(temporal_env, db: Session,
                                                                     handles):  # type: ignore[no-untyped-def]
    client, artist, h = await _new(temporal_env, db, handles)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    await pay(h, db, client, "balance")
    await temporal_env.sleep(timedelta(days=41))
    await act(h, "confirm_performance", "client", client)
    await act(h, "dispute", "client", client, reason="演出时长不足")
    b = booking(db, h)
    # The balance order is no longer paid at the gateway's side of our books: the refund must be refused.
    db.execute(update(PaymentOrder).where(PaymentOrder.booking_id == b.id, PaymentOrder.kind == "balance")
               .values(status="closed"))
    db.commit()
    await act(h, "resolve_dispute", "operator", 1, resolution="partial_refund", refund_amount=400_000,
              reason="核实后部分退款")
    await settled(h)
    b = booking(db, h)
    assert b.status == "DISPUTED" and b.refunded_amount == 0 and b.payout_amount is None
    assert b.needs_operator and "退款被拒绝" in b.needs_operator
    actions = [a for a, _ in _events(db, b.id)]
    assert actions[-1] == "refund_refused" and "refunded" not in actions and "settled" not in actions
    dispute = db.scalar(select(Dispute).where(Dispute.booking_id == b.id))
    assert dispute is not None and dispute.resolved_at is None
    # The operator rules again once the books are right.
    db.execute(update(PaymentOrder).where(PaymentOrder.booking_id == b.id, PaymentOrder.kind == "balance")
               .values(status="paid"))
    db.commit()
    await act(h, "resolve_dispute", "operator", 1, resolution="partial_refund", refund_amount=400_000,
              reason="核实后部分退款")
    assert await h.result() == "COMPLETED"
    b = booking(db, h)
    assert (b.refunded_amount, b.payout_amount, b.needs_operator) == (400_000, 540_000, None)


async def test_a_refused_cancellation_refund_claims_no_money(temporal_env, db: Session,
                                                              handles):  # type: ignore[no-untyped-def]
    client, artist, h = await _new(temporal_env, db, handles)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    db.execute(update(PaymentOrder).where(PaymentOrder.booking_id == booking(db, h).id).values(status="closed"))
    db.commit()
    await act(h, "cancel", "client", client, reason="活动取消")
    assert await h.result() == "CANCELLED"
    b = booking(db, h)
    assert b.refunded_amount == 0 and b.needs_operator and "退款被拒绝" in b.needs_operator
    actions = [a for a, _ in _events(db, b.id)]
    assert "refund_refused" in actions and "refunded" not in actions
    assert db.scalar(select(CalendarSlot.id).where(CalendarSlot.booking_id == b.id)) is None  # still released


async def test_no_cancellation_once_the_show_has_started(temporal_env, db: Session,
                                                          handles):  # type: ignore[no-untyped-def]
    client, artist, h = await _new(temporal_env, db, handles, days=5)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    await pay(h, db, client, "balance")
    await temporal_env.sleep(timedelta(days=5, hours=1))  # an hour into a three-hour show
    assert await h.query(BookingWorkflow.status) == "FULLY_PAID"
    for role, actor in (("client", client), ("artist", artist), ("operator", 1)):
        with pytest.raises(WorkflowUpdateFailedError) as err:
            await act(h, "cancel", role, actor, reason="不想办了")
        assert _update_error(err) == ("InvalidAction", "演出已开始，不能取消；如演出有问题，请发起纠纷")
    await act(h, "dispute", "client", client, reason="艺人迟到一小时")
    assert booking(db, h).status == "DISPUTED" and booking(db, h).refunded_amount == 0


async def test_a_request_expires_before_its_show_starts(temporal_env, db: Session,
                                                         handles):  # type: ignore[no-untyped-def]
    client, artist, h = await _new(temporal_env, db, handles, days=0.5)  # the show is 12 hours away; 48 h to answer
    await settled(h)
    b = booking(db, h)
    assert b.deadline_at == b.start_at
    await temporal_env.sleep(timedelta(hours=12, minutes=1))
    assert await h.result() == "EXPIRED"
    titles = db.scalars(select(Notification.title).where(Notification.user_id == artist)).all()
    assert titles.count("演出邀约即将过期") <= 1


async def test_contract_and_deposit_deadlines_end_at_the_show(temporal_env, db: Session,
                                                               handles):  # type: ignore[no-untyped-def]
    from domain.bookings.messages import Quote

    client, artist, h = await _new(temporal_env, db, handles, days=1)  # contract 72 h and deposit 24 h windows
    await act(h, "confirm", "artist", artist, quote=Quote(fee_amount=500_000, deposit_percent=50,
                                                          balance_due_days=0))
    b = booking(db, h)
    assert b.deadline_at == b.start_at
    await temporal_env.sleep(timedelta(days=1, minutes=1))
    assert await h.result() == "EXPIRED"
    assert db.scalar(select(CalendarSlot.id).where(CalendarSlot.booking_id == b.id)) is None


async def test_a_refund_the_gateway_refuses_for_good_goes_to_an_operator_at_once(
        temporal_env, db: Session, handles, gateway, monkeypatch):  # type: ignore[no-untyped-def]
    """NOT_ENOUGH_REFUND (nothing left to refund at the gateway) is answered the same way every time: the refund
    is not retried for ever, the booking is flagged and no money is claimed refunded."""
    client, artist, h = await _new(temporal_env, db, handles)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    calls = []

    def refuse(order_id: str, refund_id: str, amount: int, *, total: int) -> None:
        calls.append(refund_id)
        raise IntegrationError("payment_refund_refused", "退款金额超过订单可退金额", status=409,
                               provider_code="NOT_ENOUGH_REFUND")

    monkeypatch.setattr(gateway, "refund", refuse)
    await act(h, "cancel", "client", client, reason="活动取消")
    assert await asyncio.wait_for(h.result(), 20) == "CANCELLED"
    b = booking(db, h)
    assert b.refunded_amount == 0 and b.needs_operator and "退款被拒绝" in b.needs_operator
    assert len(calls) == 1
    assert db.scalar(select(Refund.status).where(Refund.booking_id == b.id)) == "failing"
    assert "refund_refused" in [a for a, _ in _events(db, b.id)]
