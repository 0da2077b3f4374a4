"""The entries each money movement posts (see docs in domain/ledger/service.py): a payment received, one part
of a refund, a booking's settlement. Called in the same transaction as the row that records the movement."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.ledger import accounts
from domain.ledger.service import post
from domain.models import Booking, JournalEntry, PaymentOrder, Refund


def _artist(session: Session, booking_id: int) -> int | None:
    booking = session.get(Booking, booking_id)
    return booking.artist_id if booking is not None else None


def payment_received(session: Session, order: PaymentOrder) -> JournalEntry | None:
    """Dr gateway:<gw> / Cr escrow: the client's money is held for the booking."""
    return post(session, kind="payment", ref=order.id, booking_id=order.booking_id,
                artist_id=_artist(session, order.booking_id),
                lines=[(accounts.gateway(order.gateway), order.amount), (accounts.ESCROW, -order.amount)],
                memo=f"收款 {order.kind} {order.id}")


def refund_part(session: Session, refund: Refund, order: PaymentOrder, amount: int) -> JournalEntry | None:
    """Dr escrow / Cr gateway:<the order's gateway>: one part of a refund, back through the gateway that took it."""
    return post(session, kind="refund", ref=f"{refund.id}:{order.id}", booking_id=refund.booking_id,
                artist_id=_artist(session, refund.booking_id),
                lines=[(accounts.ESCROW, amount), (accounts.gateway(order.gateway), -amount)],
                memo=f"退款 {refund.step} {order.id}")


def settlement(session: Session, booking_id: int, artist_id: int, *, gross: int, commission: int,
               payout: int) -> JournalEntry | None:
    """Dr escrow (paid − refunded) / Cr artist_payable payout / Cr commission: what the client did not get back
    becomes the artist's, less the platform's commission."""
    return post(session, kind="settlement", ref=f"booking-{booking_id}", booking_id=booking_id, artist_id=artist_id,
                lines=[(accounts.ESCROW, gross), (accounts.ARTIST_PAYABLE, -payout),
                       (accounts.COMMISSION, -commission)],
                memo=f"结算 预约#{booking_id}")


def payout_paid(session: Session, booking_id: int, artist_id: int, payout_no: str, channel: str,
                amount: int) -> JournalEntry | None:
    """Dr artist_payable / Cr payout:<channel>: the artist's money left through the channel."""
    return post(session, kind="payout", ref=payout_no, booking_id=booking_id, artist_id=artist_id,
                lines=[(accounts.ARTIST_PAYABLE, amount), (accounts.payout(channel), -amount)],
                memo=f"出款 {payout_no}")
