"""The client's 支付记录 (every payment and refund of their bookings) and 支付凭证 (one receipt per payment).

Read-only views over payment_orders and refunds, keyed by the client's id: another client's order is "not
found", never "forbidden". A payment is listed once paid; a refund as soon as it is decided (its status shows
whether the gateway has paid it back yet)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import String, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from domain.bookings.service import PAYMENT_STATUS_LABELS, REFUND_STATUS_LABELS, _refund_reason
from domain.errors import NotFound
from domain.models import ArtistProfile, Booking, ClientProfile, Inquiry, PaymentOrder, Refund
from domain.pages import Page
from domain.payments.service import KIND_LABELS

# What a user sees for each gateway; the sandbox always says so (it never moves real money).
GATEWAY_LABELS = {"sandbox": "沙箱支付", "wechatpay": "微信支付", "alipay": "支付宝"}


def gateway_label(name: str | None) -> str:
    if not name:
        return ""
    return GATEWAY_LABELS.get(name, name)


class PaymentNotFound(NotFound):
    code, message = "payment_not_found", "支付记录不存在"


class PaymentRecordOut(BaseModel):
    type: str  # payment / refund
    type_label: str  # 支付 / 退款
    id: str  # the payment order id (out_trade_no), or "R<refund id>"
    order_id: str | None  # the payment's order id (its receipt); None for a refund
    booking_id: int
    artist_name: str
    event_type: str
    title: str  # 定金 / 尾款 / 取消预约退款 ...
    amount: int  # fen; a refund is money back to the client (positive here, shown with a minus)
    gateway: str
    gateway_label: str
    gateway_txn_id: str | None  # the gateway's transaction id, or its refund id(s)
    status: str
    status_label: str
    at: datetime  # paid at, or the refund's time (refunded, else decided)


class ReceiptRefundOut(BaseModel):
    id: str
    title: str
    amount: int  # the part of this payment the refund gives back, fen
    status: str
    status_label: str
    gateway_refund_id: str | None
    created_at: datetime
    refunded_at: datetime | None


class ReceiptOut(BaseModel):
    order_id: str
    booking_id: int
    kind: str
    kind_label: str
    amount: int
    currency: str
    status: str
    status_label: str
    gateway: str
    gateway_label: str
    is_sandbox: bool
    gateway_txn_id: str | None
    created_at: datetime
    paid_at: datetime | None
    payer: str  # the client's organisation
    payer_contact: str
    artist_name: str
    event_type: str
    show_start_at: datetime
    refunds: list[ReceiptRefundOut]
    refunded_amount: int  # Σ refunds[].amount


def refund_allocation(orders: Sequence[PaymentOrder], refunds: Sequence[Refund]) -> dict[tuple[int, str], int]:
    """{(refund id, order id): fen}. A refund that records its parts (one gateway refund per paid order) says so
    itself; an older one took consecutive slices of the booking's paid orders, deposit first then balance, in the
    order the refunds were created (as the refund service asked the gateway then)."""
    paid = sorted((o for o in orders if o.status == "paid"),
                  key=lambda o: (o.kind != "deposit", o.paid_at or o.created_at, o.id))
    out: dict[tuple[int, str], int] = {}
    offset = 0
    for r in sorted(refunds, key=lambda r: r.id):
        if r.parts:
            for part in r.parts:
                key = (r.id, str(part.get("order_id")))
                out[key] = out.get(key, 0) + int(part.get("amount") or 0)
        else:
            start, end, cursor = offset, offset + r.amount, 0
            for o in paid:
                lo, hi = max(start, cursor), min(end, cursor + o.amount)
                if hi > lo:
                    out[(r.id, o.id)] = hi - lo
                cursor += o.amount
        offset += r.amount
    return out


def _part_refund_id(refund: Refund, order_id: str) -> str | None:
    """The gateway's refund id for the part of `refund` taken from `order_id` (the refund's own, before parts)."""
    ids = [str(p["gateway_refund_id"]) for p in refund.parts or []
           if p.get("order_id") == order_id and p.get("gateway_refund_id")]
    return ",".join(ids) if ids else refund.gateway_refund_id


def _gateways_of(session: Session, booking_ids: set[int]) -> dict[int, str]:
    """The gateway that took each booking's money (a refund goes back through it)."""
    if not booking_ids:
        return {}
    rows = session.execute(select(PaymentOrder.booking_id, PaymentOrder.gateway).where(
        PaymentOrder.booking_id.in_(booking_ids), PaymentOrder.status == "paid")
        .order_by(PaymentOrder.paid_at)).all()
    out: dict[int, str] = {}
    for booking_id, gateway in rows:
        out.setdefault(booking_id, gateway)
    return out


def client_payments(session: Session, client_id: int, page: int, page_size: int) -> Page[PaymentRecordOut]:
    """The client's paid orders and refunds, newest first, one page."""
    payments = (select(literal("payment").label("type"), PaymentOrder.id.label("ref"),
                       PaymentOrder.paid_at.label("at"))
                .join(Booking, Booking.id == PaymentOrder.booking_id)
                .where(Booking.client_id == client_id, PaymentOrder.status == "paid"))
    refunds = (select(literal("refund").label("type"), cast(Refund.id, String).label("ref"),
                      func.coalesce(Refund.succeeded_at, Refund.created_at).label("at"))
               .join(Booking, Booking.id == Refund.booking_id)
               .where(Booking.client_id == client_id, Refund.amount > 0))
    both = union_all(payments, refunds).subquery()
    total = session.scalar(select(func.count()).select_from(both)) or 0
    keys = session.execute(select(both.c.type, both.c.ref).order_by(both.c.at.desc(), both.c.ref.desc())
                           .limit(page_size).offset((page - 1) * page_size)).all()
    order_ids = [ref for kind, ref in keys if kind == "payment"]
    refund_ids = [int(ref) for kind, ref in keys if kind == "refund"]
    orders = {o.id: o for o in session.scalars(select(PaymentOrder).where(PaymentOrder.id.in_(order_ids)))}
    refund_rows = {r.id: r for r in session.scalars(select(Refund).where(Refund.id.in_(refund_ids)))}
    booking_ids = {o.booking_id for o in orders.values()} | {r.booking_id for r in refund_rows.values()}
    names = _booking_names(session, booking_ids)
    gateways = _gateways_of(session, {r.booking_id for r in refund_rows.values()})
    items: list[PaymentRecordOut] = []
    for kind, ref in keys:
        if kind == "payment":
            o = orders[ref]
            artist, event = names[o.booking_id]
            assert o.paid_at is not None
            items.append(PaymentRecordOut(
                type="payment", type_label="支付", id=o.id, order_id=o.id, booking_id=o.booking_id,
                artist_name=artist, event_type=event, title=KIND_LABELS.get(o.kind, o.kind), amount=o.amount,
                gateway=o.gateway, gateway_label=gateway_label(o.gateway), gateway_txn_id=o.gateway_txn_id,
                status=o.status, status_label=PAYMENT_STATUS_LABELS.get(o.status, o.status), at=o.paid_at))
        else:
            r = refund_rows[int(ref)]
            artist, event = names[r.booking_id]
            gw = gateways.get(r.booking_id, "")
            items.append(PaymentRecordOut(
                type="refund", type_label="退款", id=f"R{r.id}", order_id=None, booking_id=r.booking_id,
                artist_name=artist, event_type=event, title=_refund_reason(r.step), amount=r.amount, gateway=gw,
                gateway_label=gateway_label(gw), gateway_txn_id=r.gateway_refund_id, status=r.status,
                status_label=REFUND_STATUS_LABELS.get(r.status, r.status), at=r.succeeded_at or r.created_at))
    return Page[PaymentRecordOut](items=items, total=total, page=page, page_size=page_size)


def _booking_names(session: Session, booking_ids: set[int]) -> dict[int, tuple[str, str]]:
    """{booking id: (artist's stage name, event type)}."""
    rows = session.execute(select(Booking.id, ArtistProfile.stage_name, Inquiry.event_type)
                           .join(Inquiry, Inquiry.id == Booking.inquiry_id)
                           .outerjoin(ArtistProfile, ArtistProfile.user_id == Booking.artist_id)
                           .where(Booking.id.in_(booking_ids))).all()
    return {bid: (name or "", event) for bid, name, event in rows}


def receipt(session: Session, client_id: int, order_id: str) -> ReceiptOut:
    """The 支付凭证 of one paid order of the client's bookings; any other order is not found."""
    found = session.execute(select(PaymentOrder, Booking).join(Booking, Booking.id == PaymentOrder.booking_id)
                            .where(PaymentOrder.id == order_id, Booking.client_id == client_id,
                                   PaymentOrder.status == "paid")).one_or_none()
    if found is None:
        raise PaymentNotFound()
    order, booking = found.tuple()
    profile = session.get(ClientProfile, client_id)
    artist, event = _booking_names(session, {booking.id})[booking.id]
    orders = session.scalars(select(PaymentOrder).where(PaymentOrder.booking_id == booking.id)).all()
    refunds = session.scalars(select(Refund).where(Refund.booking_id == booking.id).order_by(Refund.id)).all()
    parts = refund_allocation(orders, refunds)
    listed = [ReceiptRefundOut(id=f"R{r.id}", title=_refund_reason(r.step), amount=parts[(r.id, order.id)],
                               status=r.status, status_label=REFUND_STATUS_LABELS.get(r.status, r.status),
                               gateway_refund_id=_part_refund_id(r, order.id), created_at=r.created_at,
                               refunded_at=r.succeeded_at)
              for r in refunds if parts.get((r.id, order.id))]
    return ReceiptOut(
        order_id=order.id, booking_id=booking.id, kind=order.kind, kind_label=KIND_LABELS.get(order.kind, order.kind),
        amount=order.amount, currency=order.currency, status=order.status,
        status_label=PAYMENT_STATUS_LABELS.get(order.status, order.status), gateway=order.gateway,
        gateway_label=gateway_label(order.gateway), is_sandbox=order.gateway == "sandbox",
        gateway_txn_id=order.gateway_txn_id, created_at=order.created_at, paid_at=order.paid_at,
        payer=profile.org_name if profile else "", payer_contact=profile.contact_name if profile else "",
        artist_name=artist, event_type=event, show_start_at=booking.start_at, refunds=listed,
        refunded_amount=sum(r.amount for r in listed))
