"""Settlement activities of the BookingWorkflow (mixed into activities.bookings.BookingActivities): the payout
row as the workflow decided it, and the payout itself once approved.

PAY_OUT settles the booking in the ledger (escrow -> artist payable + commission, from the payout row's figures)
in one transaction, then sends the payout through the configured channel (domain.payouts.service.execute_payout)
in the next; both are idempotent, so a retried activity moves no money twice. A payout found failed is sent again
only by RETRY_PAYOUT (an operator's retry), never by PAY_OUT."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.accounts.crypto import FieldCipher
from domain.bookings.messages import PAY_OUT, RECORD_PAYOUT, RETRY_PAYOUT, PayoutOutcome, PayoutRecord
from domain.db import session_scope
from domain.ledger import postings as ledger
from domain.models import Booking, Payout
from domain.payouts.channel import PayoutChannel
from domain.payouts.factory import payout_channel_from_settings
from domain.payouts.service import execute_payout, retry_payout
from domain.settings import get_settings
from domain.time import utc_now

REOPENABLE = ("pending_approval", "rejected", "approved")  # a new settlement (after a dispute) may replace these


class SettlementActivities:
    database_url: str
    payout_channel: PayoutChannel | None = None
    payout_cipher: FieldCipher | None = None  # decrypts the payee's real name and bank account (None: settings)

    def _channel(self) -> PayoutChannel:
        if self.payout_channel is None:
            self.payout_channel = payout_channel_from_settings(get_settings())
        return self.payout_channel

    @activity.defn(name=RECORD_PAYOUT.name)
    def record_payout(self, rec: PayoutRecord) -> None:
        with session_scope(self.database_url) as session:
            booking = session.get(Booking, rec.booking_id)
            if booking is None:
                raise ApplicationError(f"booking {rec.booking_id} not in the database", non_retryable=True)
            self._write_payout(session, booking, rec)

    @staticmethod
    def _write_payout(session: Session, booking: Booking, rec: PayoutRecord) -> None:
        """The payout row as `rec` says, in the caller's transaction (RECORD_PAYOUT's own, or a step's)."""
        payout = session.scalar(select(Payout).where(Payout.booking_id == rec.booking_id).with_for_update())
        if rec.status == "pending_approval":
            auto = datetime.fromisoformat(rec.auto_approve_at) if rec.auto_approve_at else None
            figures = {"gross_amount": rec.gross_amount, "commission_amount": rec.commission_amount,
                       "payout_amount": rec.payout_amount, "auto_approve_at": auto}
            if payout is None:
                session.execute(insert(Payout).values(booking_id=rec.booking_id, artist_id=booking.artist_id,
                                                      status="pending_approval", **figures)
                                .on_conflict_do_nothing(index_elements=["booking_id"]))
            elif payout.status in REOPENABLE:  # settled again after a dispute ruling: new figures
                for name, value in figures.items():
                    setattr(payout, name, value)
                payout.status, payout.approved_at, payout.approved_by = "pending_approval", None, None
                payout.failure_reason = None
            return
        if payout is None:
            raise ApplicationError(f"booking {rec.booking_id} has no payout", non_retryable=True)
        if rec.status == "approved" and payout.status in ("pending_approval", "rejected"):
            payout.status, payout.approved_at, payout.approved_by = "approved", utc_now(), rec.operator_id
            payout.failure_reason = None
        elif rec.status == "rejected" and payout.status == "pending_approval":
            payout.status, payout.approved_by = "rejected", rec.operator_id
            payout.failure_reason = (rec.reason or "")[:300]

    @activity.defn(name=PAY_OUT.name)
    def pay_out(self, booking_id: int) -> PayoutOutcome:
        return self._pay_out(booking_id, retry=False)

    @activity.defn(name=RETRY_PAYOUT.name)
    def retry_pay_out(self, booking_id: int) -> PayoutOutcome:
        return self._pay_out(booking_id, retry=True)

    def _pay_out(self, booking_id: int, *, retry: bool) -> PayoutOutcome:
        with session_scope(self.database_url) as session:
            payout = session.scalar(select(Payout).where(Payout.booking_id == booking_id).with_for_update())
            if payout is None or payout.status in ("pending_approval", "rejected"):
                raise ApplicationError(f"payout of booking {booking_id} is not approved", non_retryable=True)
            if payout.status != "paid":
                ledger.settlement(session, booking_id, payout.artist_id, gross=payout.gross_amount,
                                  commission=payout.commission_amount, payout=payout.payout_amount)
            if payout.status == "approved" and payout.payout_amount == 0:  # all commission: nothing to send
                payout.status, payout.paid_at = "paid", utc_now()
        with session_scope(self.database_url) as session:
            payout = session.scalar(select(Payout).where(Payout.booking_id == booking_id).with_for_update())
            if payout is not None and payout.status == "failed" and not retry:
                # Failed outside this activity (a bank line recorded as failed) or in an attempt whose answer was
                # lost: reported to the workflow, which leaves it to an operator; nothing is sent again.
                status = "failed"
            elif payout is not None and payout.status == "failed":  # an operator retries: a new transfer if needed
                status = retry_payout(session, self._channel(), booking_id, cipher=self.payout_cipher).status
            else:
                status = execute_payout(session, self._channel(), booking_id, cipher=self.payout_cipher)
            payout = session.get(Payout, booking_id)
            reason = payout.failure_reason if payout is not None else None
        if status == "paid":
            return PayoutOutcome("paid")
        if status == "failed":
            return PayoutOutcome("failed", reason or "出款失败")
        return PayoutOutcome("processing")
