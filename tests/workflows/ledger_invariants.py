"""The ledger's invariants over what a workflow test left behind (checked after every workflow test by the
autouse fixture in conftest.py):

- every journal entry balances (its signed lines add up to zero);
- a booking whose workflow ended with everything settled (no operator flag, every refund through, the payout
  paid) has nothing left in escrow, and payments − refunds = payouts + commission, by the ledger and by the rows
  it accounts for (paid orders, succeeded refunds, the paid payout)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.ledger import accounts
from domain.ledger.service import balance
from domain.models import Booking, JournalEntry, JournalLine, PaymentOrder, Payout, Refund


def unbalanced_entries(session: Session) -> list[tuple[int, str, str, int]]:
    return [tuple(row) for row in session.execute(  # type: ignore[misc]
        select(JournalEntry.id, JournalEntry.kind, JournalEntry.ref, func.sum(JournalLine.amount))
        .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .group_by(JournalEntry.id).having(func.sum(JournalLine.amount) != 0)).all()]


def _posted(session: Session, booking_id: int, kind: str, account_prefix: str) -> int:
    """What entries of `kind` moved on accounts starting with `account_prefix` for the booking (debits − credits)."""
    return int(session.scalar(
        select(func.coalesce(func.sum(JournalLine.amount), 0))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalEntry.booking_id == booking_id, JournalEntry.kind == kind,
               JournalLine.account.startswith(account_prefix))) or 0)


def settled_completely(session: Session, booking: Booking) -> bool:
    if booking.needs_operator:
        return False
    if session.scalar(select(Refund.id).where(Refund.booking_id == booking.id, Refund.status != "succeeded")):
        return False
    payout = session.get(Payout, booking.id)
    return payout is None or payout.status == "paid"


def booking_problems(session: Session, booking_id: int) -> list[str]:
    """What is wrong with the money of a booking whose workflow ended (empty when nothing is)."""
    booking = session.get(Booking, booking_id)
    if booking is None or not settled_completely(session, booking):
        return []
    problems = []
    escrow = balance(session, accounts.ESCROW, booking_id=booking_id)
    if escrow != 0:
        problems.append(f"escrow balance {escrow} (expected 0)")
    payments = -_posted(session, booking_id, "payment", accounts.ESCROW)
    refunds = _posted(session, booking_id, "refund", accounts.ESCROW)
    payouts = _posted(session, booking_id, "payout", accounts.ARTIST_PAYABLE)
    commission = -balance(session, accounts.COMMISSION, booking_id=booking_id)
    if payments - refunds != payouts + commission:
        problems.append(f"payments {payments} - refunds {refunds} != payouts {payouts} + commission {commission}")
    paid_orders = session.scalar(select(func.coalesce(func.sum(PaymentOrder.amount), 0)).where(
        PaymentOrder.booking_id == booking_id, PaymentOrder.status == "paid")) or 0
    refunded = session.scalar(select(func.coalesce(func.sum(Refund.amount), 0)).where(
        Refund.booking_id == booking_id, Refund.status == "succeeded")) or 0
    payout = session.get(Payout, booking_id)
    if paid_orders != payments:
        problems.append(f"paid orders {paid_orders} != payments posted {payments}")
    if refunded != refunds:
        problems.append(f"succeeded refunds {refunded} != refunds posted {refunds}")
    if (payout.payout_amount if payout else 0) != payouts:
        problems.append(f"payout row {payout.payout_amount if payout else None} != payouts posted {payouts}")
    if payout is not None and payout.commission_amount != commission:
        problems.append(f"payout commission {payout.commission_amount} != commission posted {commission}")
    payable = balance(session, accounts.ARTIST_PAYABLE, booking_id=booking_id)
    if payable != 0:
        problems.append(f"artist payable balance {payable} (expected 0 once paid out)")
    return problems
