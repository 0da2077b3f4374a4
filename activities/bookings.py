"""Activities of the BookingWorkflow: every side effect, idempotent by booking id + step.

Each takes one input (the booking id, or a dataclass of domain.bookings.messages) and is registered under the
name of its `ActivityRef` there, which is how the workflow calls it."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contract_documents import DocumentMaker
from activities.operator_actions import OperatorActionActivities
from activities.settlement import SettlementActivities
from domain.artists.changes import artist_changed
from domain.bookings.messages import (
    BOOK_SLOT,
    CREATE_PAYMENT,
    FLAG_FOR_OPERATOR,
    HOLD_SLOT,
    OPEN_DISPUTE,
    PAYOUT,
    RECORD_PENALTY,
    RECORD_STEP,
    REFUND,
    RELEASE_SLOT,
    RESOLVE_DISPUTE,
    SEND_CONTRACT,
    SIGN_CONTRACT,
    CreatePaymentInput,
    FlagInput,
    OpenDisputeInput,
    PayoutInput,
    PenaltyInput,
    RefundInput,
    ResolveDisputeInput,
    SignContractInput,
    StepRecord,
)
from domain.bookings.states import Action, BookingStatus
from domain.calendar import service as calendar
from domain.contracts.documents import ContractPapers
from domain.db import session_scope
from domain.errors import AppError
from domain.ledger import postings as ledger
from domain.models import (
    Booking,
    BookingEvent,
    Contract,
    Dispute,
    Inquiry,
    Payout,
    Penalty,
    Refund,
)
from domain.models.payments import payout_no
from domain.notifications.kinds import booking_step_kind
from domain.notifications.service import notify
from domain.payments import service as payments
from domain.payments.gateway import PaymentGateway
from domain.payments.registry import Gateways
from domain.settings import get_settings
from domain.time import utc_now
from integrations.errors import IntegrationError
from storage.factory import storage_from_settings

log = logging.getLogger(__name__)

DATETIME_FIELDS = {"deadline_at", "balance_due_at"}
ORPHAN_ATTEMPTS = 8  # about two minutes of retries


class BookingActivities(SettlementActivities, OperatorActionActivities):
    def __init__(self, database_url: str, gateway: PaymentGateway | Gateways, *,
                 papers: ContractPapers | None = None):
        # All configured payment gateways: a payment goes to the client's choice (or the default), a refund back
        # through the gateway of the order that took the money.
        self.database_url, self.gateways = database_url, Gateways.of(gateway)
        self._papers = papers
        # Set by `python -m workers`: contract PDFs are made beside the steps (activities.contract_documents).
        self.documents: DocumentMaker | None = None

    @property
    def papers(self) -> ContractPapers:
        """Renders and seals contract documents (domain.contracts); from the default settings unless given."""
        if self._papers is None:
            settings = get_settings()
            self._papers = ContractPapers.from_settings(settings, storage_from_settings(settings))
        return self._papers

    def _booking(self, session: Any, booking_id: int) -> Booking:
        booking = session.get(Booking, booking_id, with_for_update=True)
        if booking is None:
            # The API starts the workflow before its commit; a retry finds the row. If it never appears
            # (the request's transaction rolled back), the orphan workflow ends instead of retrying forever.
            raise ApplicationError(f"booking {booking_id} not in the database",
                                   non_retryable=activity.info().attempt >= ORPHAN_ATTEMPTS)
        return booking

    @activity.defn(name=RECORD_STEP.name)
    def record_step(self, rec: StepRecord) -> bool:
        """Event row + projection fields + notifications in one transaction; a repeat changes nothing."""
        recorded = self._record_step(rec)
        if recorded and self.documents is not None:
            # Committed: the quote is agreed, so the contract's document can be rendered ahead of its sending; a
            # booking that leaves the quote another way has no use for it.
            if rec.action == Action.confirm:
                self.documents.draft(rec.booking_id)
            elif rec.from_status == BookingStatus.CONFIRMED and rec.to_status != BookingStatus.CONTRACT_SENT:
                self.documents.drop_drafts(rec.booking_id)
        return recorded

    def _record_step(self, rec: StepRecord) -> bool:
        with session_scope(self.database_url) as session:
            booking = self._booking(session, rec.booking_id)
            inserted = session.execute(insert(BookingEvent).values(
                booking_id=rec.booking_id, step=rec.step, action=rec.action, actor_role=rec.actor_role,
                actor_id=rec.actor_id, from_status=rec.from_status, to_status=rec.to_status,
                data={**rec.data, **({"reason": rec.reason} if rec.reason else {})},
            ).on_conflict_do_nothing(constraint="uq_booking_events_step").returning(BookingEvent.id)).first()
            if inserted is None:
                return False
            if rec.slot == "hold":
                self._hold(session, booking)
            elif rec.slot == "book":
                calendar.book_for_booking(session, booking.id)
            for payout in rec.payouts:
                self._write_payout(session, booking, payout)
            later = session.scalar(select(BookingEvent.id).where(BookingEvent.booking_id == rec.booking_id,
                                                                 BookingEvent.step > rec.step).limit(1))
            # A late retry of an older step must not roll the projection back (steps are zero-padded).
            for name, value in ({} if later else rec.fields).items():
                if name in DATETIME_FIELDS and isinstance(value, str):
                    value = datetime.fromisoformat(value)
                setattr(booking, name, value)
            booking.updated_at = utc_now()
            if rec.from_status != rec.to_status:
                artist_changed(session, booking.artist_id)  # confirmed-or-later bookings count towards popularity
            kind = booking_step_kind(rec.action, rec.step)
            for user_id, title, body in rec.notify:
                notify(session, user_id, kind, title, body, booking_id=rec.booking_id,
                       step=f"{rec.booking_id}:{rec.step}")
            return True

    @activity.defn(name=HOLD_SLOT.name)
    def hold_slot(self, booking_id: int) -> None:
        with session_scope(self.database_url) as session:
            self._hold(session, self._booking(session, booking_id))

    @staticmethod
    def _hold(session: Any, b: Booking) -> None:
        try:
            calendar.hold_for_booking(session, b.id, b.artist_id, b.start_at, b.end_at)
        except calendar.CalendarConflict as exc:
            raise ApplicationError(exc.message, type="CalendarConflict", non_retryable=True) from exc

    @activity.defn(name=BOOK_SLOT.name)
    def book_slot(self, booking_id: int) -> None:
        with session_scope(self.database_url) as session:
            calendar.book_for_booking(session, booking_id)

    @activity.defn(name=RELEASE_SLOT.name)
    def release_slot(self, booking_id: int) -> None:
        with session_scope(self.database_url) as session:
            calendar.release_for_booking(session, booking_id)

    @activity.defn(name=SEND_CONTRACT.name)
    def send_contract(self, booking_id: int) -> str:
        """Snapshot the terms from the quote; the SHA-256 of the canonical JSON is what both sign."""
        with session_scope(self.database_url) as session:
            existing = session.get(Contract, booking_id)
            if existing is not None:
                return existing.terms_sha256
            b = self._booking(session, booking_id)
            inquiry = session.get(Inquiry, b.inquiry_id)
            assert inquiry is not None
            terms = {
                "booking_id": b.id, "client_id": b.client_id, "artist_id": b.artist_id,
                "event_type": inquiry.event_type, "city": inquiry.city, "venue_address": inquiry.venue_address,
                "start_at": b.start_at.isoformat(), "end_at": b.end_at.isoformat(), "currency": b.currency,
                "fee_amount": b.fee_amount, "deposit_amount": b.deposit_amount, "balance_amount": b.balance_amount,
                "balance_due_at": b.balance_due_at.isoformat() if b.balance_due_at else None,
                "quote": b.quote, "commission_rate_bp": b.commission_rate_bp,
            }
            digest = hashlib.sha256(json.dumps(terms, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
            session.add(Contract(booking_id=booking_id, terms=terms, terms_sha256=digest, sent_at=utc_now()))
            session.flush()
            if self.documents is None:
                self._contract_document(session, booking_id, self.papers.prepare)
        if self.documents is not None:
            self.documents.submit(booking_id)  # committed: the maker sees the contract
        return digest

    @staticmethod
    def _contract_document(session: Any, booking_id: int, step: Callable[[Any, int], object]) -> None:
        """Render (and seal) the contract PDF without holding up the booking: a document that can't be made now
        (a missing font, a signature image gone) is made again when the contract is next opened or downloaded."""
        try:
            with session.begin_nested():
                step(session, booking_id)
        except AppError as exc:
            log.error("contract document of booking %s not made: %s", booking_id, exc)

    @activity.defn(name=SIGN_CONTRACT.name)
    def sign_contract(self, inp: SignContractInput) -> None:
        with session_scope(self.database_url) as session:
            contract = session.get(Contract, inp.booking_id, with_for_update=True)
            if contract is None:
                raise ApplicationError("contract missing", non_retryable=True)
            if inp.side == "client" and contract.client_signed_at is None:
                contract.client_signed_at, contract.client_signer_id = utc_now(), inp.signer_id
                contract.client_signature_key = inp.signature_key
            elif inp.side == "artist" and contract.artist_signed_at is None:
                contract.artist_signed_at, contract.artist_signer_id = utc_now(), inp.signer_id
                contract.artist_signature_key = inp.signature_key
            session.flush()
            both = bool(contract.client_signature_key and contract.artist_signature_key)
            if self.documents is None:
                # Both signed: the final document with both signatures, sealed by the platform.
                self._contract_document(session, inp.booking_id, self.papers.finish)
        if self.documents is not None and both:
            self.documents.submit(inp.booking_id)

    @activity.defn(name=CREATE_PAYMENT.name)
    def create_payment(self, inp: CreatePaymentInput) -> tuple[str, str]:
        with session_scope(self.database_url) as session:
            try:
                gateway = self.gateways.choose(inp.gateway)
                started = payments.create_order(session, gateway, inp.booking_id, inp.kind, inp.amount,
                                                gateways=self.gateways)
            except AppError as exc:
                raise ApplicationError(exc.message, type="BadRequest", non_retryable=True) from exc
            except IntegrationError as exc:
                if exc.status >= 500:
                    raise  # the gateway is down or busy: Temporal retries
                raise ApplicationError(exc.message, type="BadRequest", non_retryable=True) from exc
            return started.order.id, started.pay_url

    @activity.defn(name=REFUND.name)
    def refund(self, inp: RefundInput) -> str:
        try:
            with session_scope(self.database_url) as session:
                row = payments.refund(session, self.gateways, inp.booking_id, inp.step, inp.amount)
                return row.gateway_refund_id or ""
        except IntegrationError as exc:
            if payments.refused_for_good(exc):  # asking again gets the same answer: an operator decides
                raise ApplicationError(exc.message, type="RefundRefused", non_retryable=True) from exc
            # Temporal retries; from the 3rd failure on operators see it in their queue meanwhile.
            with session_scope(self.database_url) as session:
                if session.scalar(select(Refund.status).where(Refund.booking_id == inp.booking_id,
                                                               Refund.step == inp.step)) == "failing":
                    payments.flag_for_operator(session, inp.booking_id, "退款失败，系统正在自动重试，请运营关注")
            raise
        except AppError as exc:
            raise ApplicationError(exc.message, type="RefundRefused", non_retryable=True) from exc

    @activity.defn(name=FLAG_FOR_OPERATOR.name)
    def flag_for_operator(self, inp: FlagInput) -> None:
        """Put the booking in the operator queue (a step failed for good); plain values, so it can't fail alike."""
        with session_scope(self.database_url) as session:
            payments.flag_for_operator(session, inp.booking_id, inp.reason)

    @activity.defn(name=RECORD_PENALTY.name)
    def record_penalty(self, inp: PenaltyInput) -> None:
        with session_scope(self.database_url) as session:
            b = self._booking(session, inp.booking_id)
            session.execute(insert(Penalty).values(booking_id=inp.booking_id, artist_id=b.artist_id,
                                                   reason=inp.reason)
                            .on_conflict_do_nothing(index_elements=["booking_id"]))

    @activity.defn(name=OPEN_DISPUTE.name)
    def open_dispute(self, inp: OpenDisputeInput) -> None:
        with session_scope(self.database_url) as session:
            session.execute(insert(Dispute).values(
                booking_id=inp.booking_id, step=inp.step, opened_by_role=inp.role, opened_by_id=inp.actor_id,
                reason=inp.reason, evidence=inp.evidence, from_status=inp.from_status).on_conflict_do_nothing(
                constraint="uq_disputes_booking_step"))

    @activity.defn(name=RESOLVE_DISPUTE.name)
    def resolve_dispute(self, inp: ResolveDisputeInput) -> None:
        with session_scope(self.database_url) as session:
            dispute = session.scalar(select(Dispute).where(Dispute.booking_id == inp.booking_id,
                                                           Dispute.resolved_at.is_(None))
                                     .order_by(Dispute.id.desc()).with_for_update())
            if dispute is None:
                return  # already resolved by an earlier attempt
            dispute.resolution, dispute.refund_amount = inp.resolution, inp.refund_amount
            dispute.resolution_reason, dispute.resolved_by = inp.reason, inp.operator_id
            dispute.resolved_at = utc_now()

    @activity.defn(name=PAYOUT.name)
    def payout(self, inp: PayoutInput) -> None:
        with session_scope(self.database_url) as session:
            b = self._booking(session, inp.booking_id)
            session.execute(insert(Payout).values(booking_id=inp.booking_id, artist_id=b.artist_id,
                                                  gross_amount=inp.gross_amount,
                                                  commission_amount=inp.commission_amount,
                                                  payout_amount=inp.payout_amount, status="paid",
                                                  channel="sandbox", approved_at=utc_now(), paid_at=utc_now(),
                                                  attempts=1)
                            .on_conflict_do_nothing(index_elements=["booking_id"]))
            # Bookings settled before approval existed: settled and paid out at once (through the sandbox).
            ledger.settlement(session, inp.booking_id, b.artist_id, gross=inp.gross_amount,
                              commission=inp.commission_amount, payout=inp.payout_amount)
            ledger.payout_paid(session, inp.booking_id, b.artist_id, payout_no(inp.booking_id), "sandbox",
                               inp.payout_amount)

    def all(self) -> list[Any]:
        return [self.record_step, self.hold_slot, self.book_slot, self.release_slot, self.send_contract,
                self.sign_contract, self.create_payment, self.refund, self.record_penalty, self.open_dispute,
                self.resolve_dispute, self.payout, self.flag_for_operator, self.record_payout, self.pay_out,
                self.retry_pay_out, self.check_operator, self.audit_operator_action]
