"""Payment orders, the callback inbox and refunds. Services flush; the request or activity boundary commits
(except the refund bookkeeping described at `refund`)."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from domain.bookings.messages import PaymentReceived
from domain.errors import NotFound
from domain.ledger import postings as ledger
from domain.models import Booking, PaymentNotification, PaymentOrder, Refund
from domain.payments.errors import (
    CallbackOrderMismatch,
    PaymentAlreadyPaid,
    PaymentAmountInvalid,
    PaymentKindInvalid,
    PaymentOrderNotFound,
    RefundAmountInvalid,
    RefundExceedsPaid,
    RefundStepConflict,
)
from domain.payments.gateway import CallbackEvent, Payer, PaymentGateway, RefundEvent, RefundResult
from domain.payments.registry import Gateways
from domain.time import SHANGHAI, utc_now
from integrations.errors import IntegrationError

log = logging.getLogger(__name__)

KIND_LABELS = {"deposit": "定金", "balance": "尾款"}
REFUND_FAILING_AFTER = 3
# pg_advisory_xact_lock namespaces (first key); the second key is the booking id.
_LOCK_ORDERS, _LOCK_REFUNDS = 7301, 7302


def booking_workflow_id(booking_id: int) -> str:
    return f"booking-{booking_id}"


def format_fen(amount: int) -> str:
    """¥1,234.50 — for the sandbox page and logs; clients format with their own formatFen."""
    sign = "-" if amount < 0 else ""
    yuan, fen = divmod(abs(amount), 100)
    return f"{sign}¥{yuan:,}.{fen:02d}"


def new_order_id() -> str:
    # WeChat's out_trade_no: 6-32 of [A-Za-z0-9_-|*]; date first so operators can read it.
    return f"P{utc_now().astimezone(SHANGHAI):%Y%m%d}{secrets.token_hex(8)}"


def _lock_booking(session: Session, namespace: int, booking_id: int) -> None:
    # An advisory lock, not the booking row: callers may hold or later take the row lock themselves.
    session.execute(select(func.pg_advisory_xact_lock(namespace, booking_id % 2**31)))


@dataclass(frozen=True)
class PaymentStart:
    order: PaymentOrder
    pay_url: str  # what the client opens to pay (the sandbox page, Alipay's cashier); "" for WeChat JSAPI
    pay_params: dict[str, str] | None = None  # WeChat's requestPayment parameters, Alipay's tradeNO


def payer_of(session: Session, booking_id: int) -> Payer:
    """The booking's client as a payer (WeChat JSAPI needs the openid they logged in with)."""
    from domain.models import User  # noqa: PLC0415 - avoids widening this module's imports for one column

    openid = session.scalar(select(User.wechat_openid).join(Booking, Booking.client_id == User.id)
                            .where(Booking.id == booking_id))
    return Payer(wechat_openid=openid)


def create_order(session: Session, gateway: PaymentGateway, booking_id: int, kind: str, amount: int,
                 payer: Payer | None = None, gateways: Gateways | None = None) -> PaymentStart:
    """Open (or reuse) the order for one payment of a booking at `gateway`. An open order of the same kind,
    amount and gateway is reused, so asking twice gives the same out_trade_no; other open orders of the kind are
    closed, here and at their gateway (from `gateways`) so the payer can't pay them any more (another amount, or
    the payer switched gateway)."""
    if kind not in KIND_LABELS:
        raise PaymentKindInvalid()
    if amount <= 0:
        raise PaymentAmountInvalid()
    _lock_booking(session, _LOCK_ORDERS, booking_id)
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("预约不存在", code="booking_not_found")
    orders = session.scalars(select(PaymentOrder).where(
        PaymentOrder.booking_id == booking_id, PaymentOrder.kind == kind,
        PaymentOrder.status.in_(("created", "paid"))).order_by(PaymentOrder.created_at.desc())).all()
    if any(o.status == "paid" for o in orders):
        raise PaymentAlreadyPaid()
    order = next((o for o in orders if o.amount == amount and o.gateway == gateway.name), None)
    stale_orders = [o for o in orders if o is not order]
    for stale in stale_orders:
        stale.status = "closed"
        _close_at_gateway(gateways or Gateways.of(gateway), stale)
    if order is None:
        order = PaymentOrder(id=new_order_id(), booking_id=booking_id, kind=kind, amount=amount,
                             currency=booking.currency, gateway=gateway.name, status="created")
        session.add(order)
    session.flush()
    started = gateway.create_order(order.id, amount, f"演约预约 #{booking_id} {KIND_LABELS[kind]}",
                                   payer if payer is not None else payer_of(session, booking_id))
    order.pay_params = started.params
    session.flush()
    return PaymentStart(order, started.pay_url or "", started.params)


def _close_at_gateway(gateways: Gateways, order: PaymentOrder) -> None:
    """Best effort: a failure leaves an order nobody is shown any more; if it is paid after all, its callback (or
    the reconciliation query) records it and flags the second payment for an operator to refund."""
    at = gateways.get(order.gateway)
    if at is None or at.is_sandbox:
        return
    try:
        at.close_order(order.id)
    except IntegrationError as exc:
        log.warning("closing superseded order %s at %s failed: %s", order.id, order.gateway, exc.code)


def flag_for_operator(session: Session, booking_id: int, reason: str) -> None:
    """Money arrived that the booking can't take (paid twice, or after it ended): an operator must refund."""
    log.error("payment needs an operator: booking=%s %s", booking_id, reason)
    session.execute(update(Booking).where(Booking.id == booking_id).values(needs_operator=reason[:200]))


def record_callback(session: Session, gateway_name: str, event: CallbackEvent) -> PaymentReceived | None:
    """Record a verified notification in the inbox and mark its order paid. Returns what to signal to the
    booking workflow, or None when there is nothing new (the same notification again, or an order already
    paid). A notification that doesn't match its order raises and records nothing."""
    order = session.scalar(select(PaymentOrder).where(PaymentOrder.id == event.order_id).with_for_update())
    if order is None:
        raise PaymentOrderNotFound()
    if order.gateway != gateway_name or order.amount != event.amount or order.currency != event.currency:
        log.warning("payment callback mismatch order=%s amount=%s/%s gateway=%s/%s", order.id, event.amount,
                    order.amount, gateway_name, order.gateway)
        raise CallbackOrderMismatch()
    # The order row lock above serialises callbacks of one order; the unique index catches the rest.
    inserted = session.execute(
        pg_insert(PaymentNotification)
        .values(gateway=gateway_name, notification_id=event.notification_id, order_id=order.id,
                payload=event.payload, received_at=utc_now())
        .on_conflict_do_nothing(constraint="uq_payment_notifications_id")
        .returning(PaymentNotification.id)).scalar_one_or_none()
    if inserted is None:
        return None
    if order.status == "paid":
        if order.gateway_txn_id != event.gateway_txn_id:
            flag_for_operator(session, order.booking_id,
                              f"订单 {order.id} 收到第二笔付款 {event.gateway_txn_id}，需退款")
        return None
    other = session.scalar(select(PaymentOrder.id).where(
        PaymentOrder.booking_id == order.booking_id, PaymentOrder.kind == order.kind, PaymentOrder.status == "paid"))
    if other is not None:
        # The payer paid an older, closed order too: one paid order per booking and kind, the rest is refunded.
        flag_for_operator(session, order.booking_id,
                          f"{KIND_LABELS.get(order.kind, order.kind)}重复支付：订单 {order.id}（已付 {other}），需退款")
        return None
    order.status, order.gateway_txn_id, order.paid_at = "paid", event.gateway_txn_id, event.paid_at
    session.flush()
    ledger.payment_received(session, order)
    return PaymentReceived(order_id=order.id, kind=order.kind, amount=order.amount, gateway=gateway_name,
                           gateway_txn_id=event.gateway_txn_id)


# --- refunds


def _reserve_refund(session: Session, booking_id: int, step: str, amount: int) -> int:
    """Get or create the refund row of `step`, committed at once in its own transaction: the intent must
    survive a failed gateway call so attempts can be counted. Refunds of one booking are serialised here and
    never exceed what was paid."""
    with Session(bind=session.get_bind(), expire_on_commit=False) as own, own.begin():
        _lock_booking(own, _LOCK_REFUNDS, booking_id)
        row = own.scalar(select(Refund).where(Refund.booking_id == booking_id, Refund.step == step))
        if row is not None:
            if row.amount != amount:
                raise RefundStepConflict(detail={"step": step, "amount": row.amount})
            return row.id
        paid = own.scalar(select(func.coalesce(func.sum(PaymentOrder.amount), 0)).where(
            PaymentOrder.booking_id == booking_id, PaymentOrder.status == "paid")) or 0
        reserved = own.scalar(select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.booking_id == booking_id)) or 0
        if reserved + amount > paid:
            raise RefundExceedsPaid(detail={"paid_amount": paid, "refunded_amount": reserved})
        row = Refund(booking_id=booking_id, step=step, amount=amount, attempts=0,
                     status="succeeded" if amount == 0 else "pending",
                     succeeded_at=utc_now() if amount == 0 else None)
        own.add(row)
        own.flush()
        return row.id


def _refund_parts(session: Session, row: Refund) -> list[tuple[PaymentOrder, int]]:
    """Which paid orders this refund comes from. Refunds of a booking take consecutive slices of its paid
    orders, deposit first then balance, in the order the refunds were created; so a retried refund always
    asks the gateway for the same parts."""
    orders = sorted(session.scalars(select(PaymentOrder).where(
        PaymentOrder.booking_id == row.booking_id, PaymentOrder.status == "paid")).all(),
        key=lambda o: (o.kind != "deposit", o.paid_at or o.created_at, o.id))
    offset = session.scalar(select(func.coalesce(func.sum(Refund.amount), 0)).where(
        Refund.booking_id == row.booking_id, Refund.id < row.id)) or 0
    parts, remaining = [], row.amount
    for order in orders:
        if remaining <= 0:
            break
        skip = min(offset, order.amount)
        offset -= skip
        take = min(remaining, order.amount - skip)
        if take > 0:
            parts.append((order, take))
            remaining -= take
    if remaining > 0:  # a paid order was closed or re-labelled after the refund was reserved
        raise RefundExceedsPaid()
    return parts


# Gateway answers that asking again can never change (the order is not there, nothing left to refund, the
# payer's account can't take it back, a request the gateway refuses): the refund goes to an operator at once.
REFUND_REFUSALS = frozenset({"payment_refund_refused", "payment_refund_invalid", "payment_order_not_found",
                             "payment_request_invalid"})


def refused_for_good(exc: IntegrationError) -> bool:
    return exc.code in REFUND_REFUSALS and exc.status < 500


def _record_refund_failure(session: Session, refund_id: int, error: str, *, final: bool = False) -> None:
    failing_after = 1 if final else REFUND_FAILING_AFTER
    with Session(bind=session.get_bind()) as own, own.begin():
        own.execute(update(Refund).where(Refund.id == refund_id).values(
            attempts=Refund.attempts + 1, last_error=error[:300],
            status=case((Refund.attempts + 1 >= failing_after, "failing"), else_=Refund.status)))


def refund_no(refund_row_id: int, kind: str) -> str:
    """Our out_refund_no of one part of a refund: the refund row and the kind of the order it comes from."""
    return f"R{refund_row_id}-{kind}"


_REFUND_NO = re.compile(r"R(\d{1,18})-(deposit|balance)")


def refund(session: Session, gateways: PaymentGateway | Gateways, booking_id: int, step: str, amount: int) -> Refund:
    """Refund `amount` fen of a booking's payments, once per `step` (e.g. "cancel", "dispute-3"), each part
    through the gateway of the order it comes from (`gateways[order.gateway]`).

    Idempotent: a step that already succeeded is returned unchanged, a retried step asks the gateway for the
    same out_refund_no again (gateways treat that as the same refund). A gateway that accepts a refund but
    finishes it later (WeChat Pay: PROCESSING) leaves the row "processing" until its refund notification or a
    refund query says SUCCESS (`record_refund_event`). On success the row is updated in `session` (the caller
    commits). On IntegrationError the attempt is counted, `last_error` kept and the row marked "failing" from
    the 3rd attempt on — committed in a transaction of its own so the activity's rollback doesn't lose it — and
    the error is re-raised for Temporal to retry; a refusal the gateway will repeat (`refused_for_good`) marks the
    row "failing" at once and is re-raised for the caller to stop.
    Raises RefundExceedsPaid / RefundStepConflict / RefundAmountInvalid (not worth retrying)."""
    if amount < 0:
        raise RefundAmountInvalid()
    registry = Gateways.of(gateways)
    refund_id = _reserve_refund(session, booking_id, step, amount)
    row = session.get(Refund, refund_id, populate_existing=True)
    assert row is not None
    if row.status == "succeeded":
        return row
    parts = _refund_parts(session, row)
    known = {p["refund_no"]: p for p in row.parts or []}
    results: list[tuple[PaymentOrder, int, RefundResult]] = []
    try:
        for order, part in parts:
            no = refund_no(row.id, order.kind)
            if known.get(no, {}).get("state") == "succeeded":  # a part finished earlier is not asked again
                results.append((order, part, RefundResult(known[no].get("gateway_refund_id") or "", "succeeded")))
                continue
            results.append((order, part, registry[order.gateway].refund(order.id, no, part, total=order.amount)))
    except IntegrationError as exc:
        _record_refund_failure(session, row.id, f"{exc.code}: {exc.message} ({exc.provider_code})",
                               final=refused_for_good(exc))
        session.refresh(row)
        log.warning("refund %s of booking %s failed (attempt %s): %s", step, booking_id, row.attempts, exc.code)
        raise
    row.parts = [{"refund_no": refund_no(row.id, order.kind), "order_id": order.id, "gateway": order.gateway,
                  "amount": part, "state": result.state, "gateway_refund_id": result.gateway_refund_id}
                 for order, part, result in results]
    row.gateway_refund_id = _joined([r.gateway_refund_id for _, _, r in results], step)
    row.attempts += 1
    for order, part, result in results:
        if result.state == "succeeded":
            ledger.refund_part(session, row, order, part)
    _settle_refund_status(session, row)
    session.flush()
    return row


def _joined(ids: list[str], step: str) -> str:
    joined = ",".join(i for i in ids if i)
    if len(joined) > 64:
        log.info("refund %s gateway ids: %s", step, joined)
    return joined[:64]


def _settle_refund_status(session: Session, row: Refund) -> None:
    """The row's status from its parts: succeeded when all did, processing while any is under way; a part
    the gateway gave up on (WeChat ABNORMAL / CLOSED) puts the booking in the operator queue."""
    states = [p["state"] for p in row.parts or []]
    if states and all(state == "succeeded" for state in states):
        if row.status != "succeeded":
            row.status, row.succeeded_at = "succeeded", utc_now()
    elif "failed" in states:
        row.status, row.last_error = "failing", "退款被支付渠道退回（异常或关闭），需运营处理"
        flag_for_operator(session, row.booking_id, f"退款 {row.step} 被支付渠道退回，需运营处理（如线下退款）")
    else:
        row.status = "processing"


def record_refund_event(session: Session, gateway_name: str, event: RefundEvent) -> Refund | None:
    """A verified refund notification: kept in the inbox (once per notification id), and the refund part it
    names marked succeeded or failed. Returns the refund row, or None when there is nothing new."""
    match = _REFUND_NO.fullmatch(event.refund_no)
    if match is None:
        raise PaymentOrderNotFound("退款单不存在", code="refund_not_found")
    row = session.scalar(select(Refund).where(Refund.id == int(match.group(1))).with_for_update())
    if row is None:
        raise PaymentOrderNotFound("退款单不存在", code="refund_not_found")
    order = session.get(PaymentOrder, event.order_id)
    if order is None or order.booking_id != row.booking_id or order.gateway != gateway_name:
        raise CallbackOrderMismatch()
    inserted = session.execute(
        pg_insert(PaymentNotification)
        .values(gateway=gateway_name, notification_id=event.notification_id, order_id=order.id,
                payload=event.payload, received_at=utc_now())
        .on_conflict_do_nothing(constraint="uq_payment_notifications_id")
        .returning(PaymentNotification.id)).scalar_one_or_none()
    if inserted is None:
        return None
    return _apply_refund_state(session, row, order, event.refund_no, event.state, event.gateway_refund_id)


def _apply_refund_state(session: Session, row: Refund, order: PaymentOrder, no: str, state: str,
                        gateway_refund_id: str) -> Refund | None:
    parts = [dict(p) for p in row.parts or []]
    part = next((p for p in parts if p["refund_no"] == no), None)
    if part is None:
        # The notification came before our own request's answer was stored: wait for that (the gateway resends).
        raise PaymentOrderNotFound("退款单尚未登记", code="refund_not_found")
    if part["state"] in ("succeeded", "failed") or state == "processing":
        return None
    part["state"], part["gateway_refund_id"] = state, gateway_refund_id or part.get("gateway_refund_id")
    row.parts = parts  # a new list: JSONB changes are tracked by assignment
    if state == "succeeded":
        ledger.refund_part(session, row, order, int(part["amount"]))
    _settle_refund_status(session, row)
    session.flush()
    return row


def refresh_refund(session: Session, gateways: Gateways, refund_row_id: int) -> Refund | None:
    """Ask the gateways about a refund still processing (its notification may never come)."""
    row = session.scalar(select(Refund).where(Refund.id == refund_row_id).with_for_update())
    if row is None or row.status != "processing":
        return None
    for part in list(row.parts or []):
        if part["state"] != "processing" or part["gateway"] not in gateways:
            continue
        found = gateways[part["gateway"]].query_refund(part["order_id"], part["refund_no"])
        order = session.get(PaymentOrder, part["order_id"])
        if found is not None and order is not None and found.state != "processing":
            _apply_refund_state(session, row, order, part["refund_no"], found.state, found.gateway_refund_id)
    return row


# --- reconciliation of missing callbacks

ENDED_STATUSES = ("COMPLETED", "REJECTED", "EXPIRED", "WITHDRAWN", "CANCELLED")


def stale_open_orders(session: Session, older_than_minutes: int, limit: int = 100) -> list[str]:
    """Open orders opened more than `older_than_minutes` ago: their callback may have been lost."""
    cutoff = utc_now() - timedelta(minutes=older_than_minutes)
    return list(session.scalars(select(PaymentOrder.id).where(
        PaymentOrder.status == "created", PaymentOrder.created_at < cutoff)
        .order_by(PaymentOrder.created_at).limit(limit)))


def reconcile_order(session: Session, gateways: Gateways, order_id: str) -> PaymentReceived | None:
    """Ask the order's gateway about an order still open here. Paid: recorded exactly as its callback would
    have been (`record_callback`, notification id `query:<gateway txn id>`), and the PaymentReceived returned for
    the caller to signal; closed at the gateway: closed here; booking ended and still unpaid: closed at the
    gateway and here, so nobody pays an order no booking can take."""
    order = session.scalar(select(PaymentOrder).where(PaymentOrder.id == order_id).with_for_update())
    if order is None or order.status != "created" or order.gateway not in gateways:
        return None
    gateway = gateways[order.gateway]
    found = gateway.query_order(order.id)
    if found is not None and found.state in ("paid", "refunded"):
        log.warning("payment callback missing: order %s found paid by query at %s", order.id, gateway.name)
        return record_callback(session, gateway.name, found.as_event())
    if found is not None and found.state == "closed":
        order.status = "closed"
        session.flush()
        return None
    status = session.scalar(select(Booking.status).where(Booking.id == order.booking_id))
    if status in ENDED_STATUSES:
        try:
            gateway.close_order(order.id)
        except IntegrationError as exc:
            if exc.code != "payment_order_paid":
                raise
            return None  # paid in between: the next round (or the callback) records it
        order.status = "closed"
        session.flush()
    return None
