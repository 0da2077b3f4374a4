"""An artist's income (收入) summed from the money rows of their bookings, in fen.

The per-booking list is GET /bookings as the artist; this is the summary above it. Every figure comes from the
rows the payment and settlement activities write (payment_orders, refunds, payouts), never from the bookings
projection's own counters, so it agrees with what the gateway and the payouts recorded:

- received_amount: Σ amount of the artist's bookings' payment orders with status `paid` (what clients paid).
- refunded_amount: Σ amount of those bookings' refunds, whatever their status: a refund row is written once the
  refund is decided, so this money is the client's even while the gateway is still paying it back.
- settled_amount: Σ payout_amount of the artist's payouts that reached them (status `paid`, 已到账).
- commission_amount: Σ commission_amount of all the artist's payouts (the platform's share, fixed at settlement).
- pending_amount: money still to reach the artist: for bookings without a payout yet, Σ (paid − refunded) per
  booking (held for a show still to be settled); plus payout_amount of payouts not paid yet (waiting for approval,
  being paid, failed or held by an operator).
- bookings_settled: bookings whose payout was paid; bookings_pending: the others that hold money (> 0).

So received = refunded + pending + settled + commission whenever a payout took everything paid less refunds
(the workflow settles exactly that).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.bookings.states import STATUS_LABELS
from domain.models import Booking, BookingEvent, ClientProfile, Inquiry, PaymentOrder, Payout, Refund
from domain.time import shanghai_day_bounds
from domain.xlsx import Column, workbook


class IncomeOut(BaseModel):
    received_amount: int
    refunded_amount: int
    pending_amount: int
    settled_amount: int
    commission_amount: int
    bookings_settled: int
    bookings_pending: int


def artist_income(session: Session, artist_id: int) -> IncomeOut:
    """The summary of the docstring above for one artist: two aggregate queries keyed by artist id."""
    paid = (select(PaymentOrder.booking_id, func.sum(PaymentOrder.amount).label("amount"))
            .join(Booking, Booking.id == PaymentOrder.booking_id)
            .where(Booking.artist_id == artist_id, PaymentOrder.status == "paid")
            .group_by(PaymentOrder.booking_id).subquery())
    refunded = (select(Refund.booking_id, func.sum(Refund.amount).label("amount"))
                .join(Booking, Booking.id == Refund.booking_id)
                .where(Booking.artist_id == artist_id)
                .group_by(Refund.booking_id).subquery())
    held = func.coalesce(paid.c.amount, 0) - func.coalesce(refunded.c.amount, 0)
    per_booking = (select(Booking.id, func.coalesce(paid.c.amount, 0).label("paid"),
                          func.coalesce(refunded.c.amount, 0).label("refunded"), held.label("held"),
                          Payout.booking_id.is_not(None).label("settled"))
                   .outerjoin(paid, paid.c.booking_id == Booking.id)
                   .outerjoin(refunded, refunded.c.booking_id == Booking.id)
                   .outerjoin(Payout, Payout.booking_id == Booking.id)
                   .where(Booking.artist_id == artist_id).subquery())
    unsettled = per_booking.c.settled.is_(False)
    money = session.execute(select(
        func.coalesce(func.sum(per_booking.c.paid), 0),
        func.coalesce(func.sum(per_booking.c.refunded), 0),
        func.coalesce(func.sum(per_booking.c.held).filter(unsettled), 0),
        func.count().filter(unsettled, per_booking.c.held > 0),
    )).one()
    paid_out = Payout.status == "paid"
    payouts = session.execute(select(
        func.coalesce(func.sum(Payout.payout_amount).filter(paid_out), 0),
        func.coalesce(func.sum(Payout.commission_amount), 0), func.count().filter(paid_out),
        func.coalesce(func.sum(Payout.payout_amount).filter(~paid_out), 0),
        func.count().filter(~paid_out, Payout.payout_amount > 0)).where(Payout.artist_id == artist_id)).one()
    return IncomeOut(received_amount=int(money[0]), refunded_amount=int(money[1]),
                     pending_amount=int(money[2]) + int(payouts[3]), bookings_pending=int(money[3]) + int(payouts[4]),
                     settled_amount=int(payouts[0]), commission_amount=int(payouts[1]),
                     bookings_settled=int(payouts[2]))


# --- 收入明细: one row per booking that holds or held money, for a range of show dates

# A payout's status (the Payout row's lifecycle); a booking with money but no payout row yet is 待结算.
PAYOUT_STATUS_LABELS = {"unsettled": "待结算", "pending_approval": "待审核", "approved": "打款中",
                        "paying": "打款中", "paid": "已到账", "failed": "打款失败", "rejected": "已驳回"}


def payout_status(payout: Payout | None) -> str:
    return "unsettled" if payout is None else payout.status


class IncomeBookingOut(BaseModel):
    booking_id: int
    event_type: str
    client_org: str
    start_at: datetime
    status: str
    status_label: str
    fee_amount: int | None
    deposit_received_amount: int  # the paid deposit order, fen
    balance_received_amount: int  # the paid balance order, fen
    refunded_amount: int  # refunds decided for the booking (paid back or being paid back)
    commission_amount: int  # the platform's commission once settled, else 0
    payout_amount: int  # what the artist gets once settled, else 0
    payout_status: str  # unsettled / pending_approval / approved / paying / paid / failed / rejected
    payout_status_label: str
    settlement_requested_at: datetime | None
    payout_paid_at: datetime | None


class IncomeTotals(BaseModel):
    bookings: int
    deposit_received_amount: int
    balance_received_amount: int
    refunded_amount: int
    commission_amount: int
    payout_amount: int


class IncomeBookingsOut(BaseModel):
    items: list[IncomeBookingOut]
    totals: IncomeTotals  # over every row of the range (not only this page)
    total: int
    page: int
    page_size: int


MAX_EXPORT_ROWS = 20_000


def _income_rows(session: Session, artist_id: int, start: date | None, end: date | None,
                 limit: int | None, offset: int) -> tuple[list[IncomeBookingOut], IncomeTotals]:
    paid_by_kind = (select(PaymentOrder.booking_id,
                           func.sum(PaymentOrder.amount).filter(PaymentOrder.kind == "deposit").label("deposit"),
                           func.sum(PaymentOrder.amount).filter(PaymentOrder.kind == "balance").label("balance"))
                    .where(PaymentOrder.status == "paid").group_by(PaymentOrder.booking_id).subquery())
    refunded = (select(Refund.booking_id, func.sum(Refund.amount).label("amount"))
                .group_by(Refund.booking_id).subquery())
    requested = (select(BookingEvent.booking_id, func.min(BookingEvent.created_at).label("at"))
                 .where(BookingEvent.action == "request_settlement").group_by(BookingEvent.booking_id).subquery())
    deposit = func.coalesce(paid_by_kind.c.deposit, 0)
    balance = func.coalesce(paid_by_kind.c.balance, 0)
    refund = func.coalesce(refunded.c.amount, 0)
    where = [Booking.artist_id == artist_id,
             # Bookings that never held money are not income: requests, quotes, unpaid contracts.
             (paid_by_kind.c.booking_id.is_not(None)) | (Payout.booking_id.is_not(None))]
    if start is not None:
        where.append(Booking.start_at >= shanghai_day_bounds(start)[0])
    if end is not None:
        where.append(Booking.start_at < shanghai_day_bounds(end)[1])
    base = (select(Booking, deposit.label("deposit"), balance.label("balance"), refund.label("refunded"), Payout,
                   requested.c.at, Inquiry.event_type, ClientProfile.org_name)
            .join(Inquiry, Inquiry.id == Booking.inquiry_id)
            .outerjoin(ClientProfile, ClientProfile.user_id == Booking.client_id)
            .outerjoin(paid_by_kind, paid_by_kind.c.booking_id == Booking.id)
            .outerjoin(refunded, refunded.c.booking_id == Booking.id)
            .outerjoin(requested, requested.c.booking_id == Booking.id)
            .outerjoin(Payout, Payout.booking_id == Booking.id)
            .where(*where))
    sums = session.execute(select(func.count(), func.coalesce(func.sum(deposit), 0),
                                  func.coalesce(func.sum(balance), 0), func.coalesce(func.sum(refund), 0),
                                  func.coalesce(func.sum(Payout.commission_amount), 0),
                                  func.coalesce(func.sum(Payout.payout_amount), 0))
                           .select_from(Booking)
                           .outerjoin(paid_by_kind, paid_by_kind.c.booking_id == Booking.id)
                           .outerjoin(refunded, refunded.c.booking_id == Booking.id)
                           .outerjoin(Payout, Payout.booking_id == Booking.id)
                           .where(*where)).one()
    totals = IncomeTotals(bookings=int(sums[0]), deposit_received_amount=int(sums[1]),
                          balance_received_amount=int(sums[2]), refunded_amount=int(sums[3]),
                          commission_amount=int(sums[4]), payout_amount=int(sums[5]))
    query = base.order_by(Booking.start_at.desc(), Booking.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    items = []
    for b, dep, bal, ref, payout, requested_at, event_type, org in session.execute(query):
        status = payout_status(payout)
        items.append(IncomeBookingOut(
            booking_id=b.id, event_type=event_type, client_org=org or "", start_at=b.start_at, status=b.status,
            status_label=STATUS_LABELS.get(b.status, b.status), fee_amount=b.fee_amount,
            deposit_received_amount=int(dep), balance_received_amount=int(bal), refunded_amount=int(ref),
            commission_amount=payout.commission_amount if payout else 0,
            payout_amount=payout.payout_amount if payout else 0, payout_status=status,
            payout_status_label=PAYOUT_STATUS_LABELS.get(status, status), settlement_requested_at=requested_at,
            payout_paid_at=payout.paid_at if payout else None))
    return items, totals


def income_bookings(session: Session, artist_id: int, *, start: date | None, end: date | None, page: int,
                    page_size: int) -> IncomeBookingsOut:
    """The artist's 收入明细 of bookings whose show falls in [start, end] (China days), newest show first."""
    items, totals = _income_rows(session, artist_id, start, end, page_size, (page - 1) * page_size)
    return IncomeBookingsOut(items=items, totals=totals, total=totals.bookings, page=page, page_size=page_size)


INCOME_COLUMNS = [
    Column("预约编号", "int", 10, total=False), Column("演出时间", "datetime", 20), Column("活动类型", width=12),
    Column("需求方", width=20), Column("订单状态", width=10), Column("演出费(元)", "money", 13, total=False),
    Column("定金已收(元)", "money", 13), Column("尾款已收(元)", "money", 13), Column("已退款(元)", "money", 12),
    Column("平台佣金(元)", "money", 13), Column("结算金额(元)", "money", 13), Column("结算状态", width=10),
    Column("申请结算时间", "datetime", 20), Column("到账时间", "datetime", 20),
]


def income_workbook(session: Session, artist_id: int, *, start: date | None, end: date | None) -> bytes:
    """收入明细 of the range as .xlsx: the same rows and totals as income_bookings."""
    items, _ = _income_rows(session, artist_id, start, end, MAX_EXPORT_ROWS, 0)
    rows = [[i.booking_id, i.start_at, i.event_type, i.client_org, i.status_label, i.fee_amount,
             i.deposit_received_amount, i.balance_received_amount, i.refunded_amount, i.commission_amount,
             i.payout_amount, i.payout_status_label, i.settlement_requested_at, i.payout_paid_at] for i in items]
    span = f"{start or '最早'}至{end or '今'}"
    return workbook(f"收入明细 {span}", INCOME_COLUMNS, rows)
