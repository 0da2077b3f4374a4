"""资金流水 for operators: payments, refunds, payouts and commission, filtered, paged, totalled and exported.

Every list reads the money rows themselves (payment_orders, refunds, payouts), so a figure here is the one the
gateway callback, the refund and the settlement wrote. Each list has one query (`_query`) that both the page and
the Excel export use, so the export holds exactly the filtered rows and the same totals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from domain.bookings.income import PAYOUT_STATUS_LABELS, payout_status
from domain.bookings.service import PAYMENT_STATUS_LABELS, REFUND_STATUS_LABELS, _refund_reason
from domain.ledger.labels import CHANNEL_LABELS  # the sandbox says it moves no money
from domain.models import ArtistProfile, Booking, ClientProfile, PaymentOrder, Payout, Refund
from domain.payments.records import gateway_label
from domain.payments.service import KIND_LABELS
from domain.time import shanghai_day_bounds
from domain.xlsx import Column, workbook

FlowKind = Literal["payments", "refunds", "payouts", "commissions"]
FLOW_TITLES = {"payments": "支付流水", "refunds": "退款流水", "payouts": "结算打款", "commissions": "平台佣金"}
MAX_EXPORT_ROWS = 50_000


@dataclass(frozen=True)
class FlowFilter:
    start: date | None = None  # China days, inclusive
    end: date | None = None
    gateway: str | None = None  # payments, refunds: the gateway that took the money
    status: str | None = None  # payments: created/paid/closed; refunds: pending/failing/succeeded; payouts
    booking_id: int | None = None
    artist_id: int | None = None


class PaymentFlowOut(BaseModel):
    order_id: str
    booking_id: int
    artist_id: int
    artist_name: str
    client_org: str
    kind: str
    kind_label: str
    amount: int
    gateway: str
    gateway_label: str
    gateway_txn_id: str | None
    status: str
    status_label: str
    created_at: datetime
    paid_at: datetime | None


class RefundFlowOut(BaseModel):
    id: int
    booking_id: int
    artist_id: int
    artist_name: str
    client_org: str
    reason: str
    amount: int
    gateway: str
    gateway_label: str
    gateway_refund_id: str | None
    status: str
    status_label: str
    attempts: int
    last_error: str | None
    created_at: datetime
    refunded_at: datetime | None


class PayoutFlowOut(BaseModel):
    booking_id: int
    artist_id: int
    artist_name: str
    client_org: str
    gross_amount: int
    commission_amount: int
    payout_amount: int
    status: str
    status_label: str
    channel: str | None
    channel_label: str | None
    payout_no: str | None
    failure_reason: str | None
    created_at: datetime
    paid_at: datetime | None


class CommissionFlowOut(BaseModel):
    booking_id: int
    artist_id: int
    artist_name: str
    client_org: str
    gross_amount: int
    commission_rate_bp: int
    commission_amount: int
    settled_at: datetime


class FlowTotals(BaseModel):
    count: int
    amount: int  # payments/refunds: Σ amount; payouts: Σ payout_amount; commissions: Σ commission_amount
    gross_amount: int | None = None  # payouts, commissions
    commission_amount: int | None = None  # payouts, commissions


class PaymentFlowPage(BaseModel):
    items: list[PaymentFlowOut]
    totals: FlowTotals
    total: int
    page: int
    page_size: int


class RefundFlowPage(BaseModel):
    items: list[RefundFlowOut]
    totals: FlowTotals
    total: int
    page: int
    page_size: int


class PayoutFlowPage(BaseModel):
    items: list[PayoutFlowOut]
    totals: FlowTotals
    total: int
    page: int
    page_size: int


class CommissionFlowPage(BaseModel):
    items: list[CommissionFlowOut]
    totals: FlowTotals
    total: int
    page: int
    page_size: int


def _range(column: Any, f: FlowFilter) -> list[ColumnElement[bool]]:
    out = []
    if f.start is not None:
        out.append(column >= shanghai_day_bounds(f.start)[0])
    if f.end is not None:
        out.append(column < shanghai_day_bounds(f.end)[1])
    return out


def _booking_filters(f: FlowFilter) -> list[ColumnElement[bool]]:
    out = []
    if f.booking_id is not None:
        out.append(Booking.id == f.booking_id)
    if f.artist_id is not None:
        out.append(Booking.artist_id == f.artist_id)
    return out


def _with_names(query: Any) -> Select[Any]:
    return (query.add_columns(ArtistProfile.stage_name, ClientProfile.org_name)
            .outerjoin(ArtistProfile, ArtistProfile.user_id == Booking.artist_id)
            .outerjoin(ClientProfile, ClientProfile.user_id == Booking.client_id))


# The gateway that took a booking's money: refunds go back through it.
_BOOKING_GATEWAY = (select(PaymentOrder.gateway).where(PaymentOrder.booking_id == Booking.id,
                                                       PaymentOrder.status == "paid")
                    .order_by(PaymentOrder.paid_at).limit(1).correlate(Booking).scalar_subquery())


@dataclass(frozen=True)
class _Flow:
    query: Callable[[FlowFilter], Select[Any]]  # rows: (entity, booking, [extra...], stage_name, org_name)
    order: Callable[[], list[Any]]
    sums: Callable[[], list[Any]]  # Σ columns over the filtered rows: amount, [gross, commission]
    row: Callable[[Any], BaseModel]
    columns: list[Column]
    cells: Callable[[Any], list[Any]]


def _payments(f: FlowFilter) -> Select[Any]:
    where = [*_booking_filters(f), *_range(func.coalesce(PaymentOrder.paid_at, PaymentOrder.created_at), f)]
    if f.gateway:
        where.append(PaymentOrder.gateway == f.gateway)
    if f.status:
        where.append(PaymentOrder.status == f.status)
    return _with_names(select(PaymentOrder, Booking).join(Booking, Booking.id == PaymentOrder.booking_id)
                       .where(*where))


def _payment_row(r: Any) -> PaymentFlowOut:
    o, b, artist, org = r
    return PaymentFlowOut(order_id=o.id, booking_id=b.id, artist_id=b.artist_id, artist_name=artist or "",
                          client_org=org or "", kind=o.kind, kind_label=KIND_LABELS.get(o.kind, o.kind),
                          amount=o.amount, gateway=o.gateway, gateway_label=gateway_label(o.gateway),
                          gateway_txn_id=o.gateway_txn_id, status=o.status,
                          status_label=PAYMENT_STATUS_LABELS.get(o.status, o.status), created_at=o.created_at,
                          paid_at=o.paid_at)


def _refunds(f: FlowFilter) -> Select[Any]:
    where = [*_booking_filters(f), *_range(Refund.created_at, f), Refund.amount > 0]
    if f.gateway:
        where.append(exists().where(PaymentOrder.booking_id == Booking.id, PaymentOrder.status == "paid",
                                    PaymentOrder.gateway == f.gateway))
    if f.status:
        where.append(Refund.status == f.status)
    return _with_names(select(Refund, Booking, _BOOKING_GATEWAY.label("gateway"))
                       .join(Booking, Booking.id == Refund.booking_id).where(*where))


def _refund_row(r: Any) -> RefundFlowOut:
    x, b, gateway, artist, org = r
    return RefundFlowOut(id=x.id, booking_id=b.id, artist_id=b.artist_id, artist_name=artist or "",
                         client_org=org or "", reason=_refund_reason(x.step), amount=x.amount, gateway=gateway or "",
                         gateway_label=gateway_label(gateway), gateway_refund_id=x.gateway_refund_id, status=x.status,
                         status_label=REFUND_STATUS_LABELS.get(x.status, x.status), attempts=x.attempts,
                         last_error=x.last_error, created_at=x.created_at, refunded_at=x.succeeded_at)


def _payouts(f: FlowFilter) -> Select[Any]:
    where = [*_booking_filters(f), *_range(Payout.created_at, f)]
    if f.status:
        where.append(Payout.status == f.status)
    return _with_names(select(Payout, Booking).join(Booking, Booking.id == Payout.booking_id).where(*where))


def _payout_row(r: Any) -> PayoutFlowOut:
    p, b, artist, org = r
    status = payout_status(p)
    return PayoutFlowOut(booking_id=b.id, artist_id=b.artist_id, artist_name=artist or "", client_org=org or "",
                         gross_amount=p.gross_amount, commission_amount=p.commission_amount,
                         payout_amount=p.payout_amount, status=status,
                         status_label=PAYOUT_STATUS_LABELS.get(status, status),
                         channel=p.channel,
                         channel_label=CHANNEL_LABELS.get(p.channel, p.channel) if p.channel else None,
                         payout_no=p.payout_no, failure_reason=p.failure_reason,
                         created_at=p.created_at, paid_at=p.paid_at)


def _commissions(f: FlowFilter) -> Select[Any]:
    where = [*_booking_filters(f), *_range(Payout.created_at, f), Payout.commission_amount != 0]
    return _with_names(select(Payout, Booking).join(Booking, Booking.id == Payout.booking_id).where(*where))


def _commission_row(r: Any) -> CommissionFlowOut:
    p, b, artist, org = r
    return CommissionFlowOut(booking_id=b.id, artist_id=b.artist_id, artist_name=artist or "", client_org=org or "",
                             gross_amount=p.gross_amount, commission_rate_bp=b.commission_rate_bp,
                             commission_amount=p.commission_amount, settled_at=p.created_at)


_PARTIES = [Column("预约编号", "int", 10, total=False), Column("艺人", width=14), Column("需求方", width=20)]

FLOWS: dict[str, _Flow] = {
    "payments": _Flow(
        _payments, lambda: [func.coalesce(PaymentOrder.paid_at, PaymentOrder.created_at).desc(), PaymentOrder.id],
        lambda: [PaymentOrder.amount], _payment_row,
        [Column("订单号", width=30), *_PARTIES, Column("款项", width=8), Column("金额(元)", "money", 13),
         Column("支付渠道", width=10), Column("渠道交易号", width=32), Column("状态", width=8),
         Column("创建时间", "datetime", 20), Column("支付时间", "datetime", 20)],
        lambda x: [x.order_id, x.booking_id, x.artist_name, x.client_org, x.kind_label, x.amount, x.gateway_label,
                   x.gateway_txn_id, x.status_label, x.created_at, x.paid_at]),
    "refunds": _Flow(
        _refunds, lambda: [Refund.created_at.desc(), Refund.id.desc()], lambda: [Refund.amount], _refund_row,
        [Column("退款编号", width=10), *_PARTIES, Column("原因", width=14), Column("金额(元)", "money", 13),
         Column("退款渠道", width=10), Column("渠道退款单号", width=32), Column("状态", width=10),
         Column("尝试次数", "int", 8, total=False), Column("最近错误", width=30), Column("创建时间", "datetime", 20),
         Column("退款时间", "datetime", 20)],
        lambda x: [f"R{x.id}", x.booking_id, x.artist_name, x.client_org, x.reason, x.amount, x.gateway_label,
                   x.gateway_refund_id, x.status_label, x.attempts, x.last_error, x.created_at, x.refunded_at]),
    "payouts": _Flow(
        _payouts, lambda: [Payout.created_at.desc(), Payout.booking_id.desc()],
        lambda: [Payout.payout_amount, Payout.gross_amount, Payout.commission_amount], _payout_row,
        [*_PARTIES, Column("结算总额(元)", "money", 13), Column("佣金(元)", "money", 12),
         Column("打款金额(元)", "money", 13), Column("状态", width=10), Column("打款渠道", width=14),
         Column("打款单号", width=16), Column("失败原因", width=24), Column("创建时间", "datetime", 20),
         Column("到账时间", "datetime", 20)],
        lambda x: [x.booking_id, x.artist_name, x.client_org, x.gross_amount, x.commission_amount, x.payout_amount,
                   x.status_label, x.channel_label, x.payout_no, x.failure_reason, x.created_at, x.paid_at]),
    "commissions": _Flow(
        _commissions, lambda: [Payout.created_at.desc(), Payout.booking_id.desc()],
        lambda: [Payout.commission_amount, Payout.gross_amount], _commission_row,
        [*_PARTIES, Column("结算总额(元)", "money", 13), Column("佣金比例(%)", width=12),
         Column("佣金(元)", "money", 12), Column("结算时间", "datetime", 20)],
        lambda x: [x.booking_id, x.artist_name, x.client_org, x.gross_amount, f"{x.commission_rate_bp / 100:g}",
                   x.commission_amount, x.settled_at]),
}


def _totals(session: Session, kind: str, f: FlowFilter) -> FlowTotals:
    flow = FLOWS[kind]
    filtered = flow.query(f).with_only_columns(*flow.sums(), maintain_column_froms=True).subquery()
    sums = session.execute(select(func.count(), *[func.coalesce(func.sum(c), 0) for c in filtered.c])).one()
    totals = FlowTotals(count=int(sums[0]), amount=int(sums[1]))
    if kind == "payouts":
        totals.gross_amount, totals.commission_amount = int(sums[2]), int(sums[3])
    elif kind == "commissions":
        totals.gross_amount, totals.commission_amount = int(sums[2]), int(sums[1])
    return totals


def flow_page(session: Session, kind: str, f: FlowFilter, page: int, page_size: int) -> dict[str, Any]:
    """One page of a list and its totals over every filtered row (a dict for the kind's *FlowPage model)."""
    flow = FLOWS[kind]
    rows = session.execute(flow.query(f).order_by(*flow.order()).limit(page_size)
                           .offset((page - 1) * page_size)).all()
    totals = _totals(session, kind, f)
    return {"items": [flow.row(r) for r in rows], "totals": totals, "total": totals.count, "page": page,
            "page_size": page_size}


def flow_workbook(session: Session, kind: str, f: FlowFilter) -> bytes:
    """The filtered list as .xlsx, with a totals row (the same rows as the pages, in the same order)."""
    flow = FLOWS[kind]
    rows = session.execute(flow.query(f).order_by(*flow.order()).limit(MAX_EXPORT_ROWS)).all()
    return workbook(FLOW_TITLES[kind], flow.columns, [flow.cells(flow.row(r)) for r in rows])
