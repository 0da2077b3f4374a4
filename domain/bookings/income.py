"""An artist's income (收入) summed from the money rows of their bookings, in fen.

The per-booking list is GET /bookings as the artist; this is the summary above it. Every figure comes from the
rows the payment and settlement activities write (payment_orders, refunds, payouts), never from the bookings
projection's own counters, so it agrees with what the gateway and the payouts recorded:

- received_amount: Σ amount of the artist's bookings' payment orders with status `paid` (what clients paid).
- refunded_amount: Σ amount of those bookings' refunds, whatever their status: a refund row is written once the
  refund is decided, so this money is the client's even while the gateway is still paying it back.
- settled_amount: Σ payout_amount of the artist's payouts (what was paid out to the artist).
- commission_amount: Σ commission_amount of the same payouts (the platform's share).
- pending_amount: for bookings without a payout yet, Σ (paid − refunded) per booking: money held for a show
  still to be settled.
- bookings_settled: bookings with a payout; bookings_pending: bookings without one that hold money (> 0).

So received = refunded + pending + settled + commission whenever a payout took everything paid less refunds
(the workflow settles exactly that).
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.models import Booking, PaymentOrder, Payout, Refund


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
    payouts = session.execute(select(
        func.coalesce(func.sum(Payout.payout_amount), 0), func.coalesce(func.sum(Payout.commission_amount), 0),
        func.count()).where(Payout.artist_id == artist_id)).one()
    return IncomeOut(received_amount=int(money[0]), refunded_amount=int(money[1]), pending_amount=int(money[2]),
                     bookings_pending=int(money[3]), settled_amount=int(payouts[0]),
                     commission_amount=int(payouts[1]), bookings_settled=int(payouts[2]))
