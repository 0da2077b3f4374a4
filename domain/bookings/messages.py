"""What travels between the API, the BookingWorkflow and its activities (plain dataclasses: Temporal's
default converter handles them, and the workflow sandbox can import this module).

The workflow names its activities through the `ActivityRef`s at the end (name, input and result type), so it
schedules them without importing their implementation (activities.bookings, which needs SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.activity_refs import ActivityRef


@dataclass
class CancellationTier:
    days_before: int   # applies when the show is at least this many days away
    refund_percent: int  # of the deposit


DEFAULT_TIERS = [CancellationTier(30, 100), CancellationTier(7, 50), CancellationTier(0, 0)]


@dataclass
class Quote:
    fee_amount: int                  # fen
    deposit_percent: int             # 10..100
    balance_due_days: int            # balance due this many days before the show
    cancellation_tiers: list[CancellationTier] = field(default_factory=lambda: list(DEFAULT_TIERS))
    rider: list[str] = field(default_factory=list)  # technical rider / travel / lodging items
    note: str = ""


@dataclass
class BookingInput:
    booking_id: int
    inquiry_id: int
    client_id: int
    artist_id: int
    start_at: str        # ISO 8601 with offset (UTC)
    end_at: str
    response_hours: int
    contract_hours: int
    deposit_hours: int
    auto_confirm_hours: int
    commission_rate_bp: int
    # Settlement: paid out once the dispute window after the show's end is over and an operator approved, or
    # automatically this many days after the request (rules booking.settlement_*; 0 for bookings started before).
    settlement_window_hours: int = 0
    settlement_auto_approve_days: int = 0


@dataclass
class Actor:
    role: str  # client / artist / operator / system
    id: int | None = None


@dataclass
class ActionRequest:
    """One user action. `action` is a domain.bookings.states.Action value."""

    action: str
    actor: Actor
    reason: str | None = None
    quote: Quote | None = None
    signature_key: str | None = None  # stored signature image (sign / countersign)
    refund_amount: int | None = None  # operator cancel / partial refund
    resolution: str | None = None     # full_refund / partial_refund / release
    extend_hours: int | None = None
    evidence: list[str] = field(default_factory=list)
    gateway: str | None = None        # pay_deposit / pay_balance: the payment method the client chose
    # Who sent it: "console" (the API: the request itself is audited there) or "temporal_ui" (typed into the
    # Temporal UI's Send Update dialog, which leaves the field out): an operator's action from there is checked
    # (operator id, reason, role, permission) and audited by the workflow.
    via: str = "temporal_ui"


@dataclass
class ActionResult:
    status: str
    payment_order_id: str | None = None
    pay_url: str | None = None


@dataclass
class PaymentReceived:
    """Signal from the payment callback (after signature check and inbox de-duplication)."""

    order_id: str
    kind: str        # deposit / balance
    amount: int
    gateway: str
    gateway_txn_id: str


@dataclass
class SettlementDecision:
    """An operator's decision on a booking's settlement (Update `decide_settlement`): approve the payout, reject it
    (reason required; it can be approved later), or retry a payout that failed."""

    decision: str  # approve / reject / retry
    actor: Actor
    reason: str | None = None


# --- activities ------------------------------------------------------------------------------------------------

# ApplicationError type of an activity failure that will never succeed (activities.failures raises it, the
# workflow turns it into an operator flag).
PERMANENT_TYPE = "PermanentFailure"


@dataclass
class StepRecord:
    """One transition as the projection stores it: event row, booking fields, notifications."""

    booking_id: int
    step: str
    action: str
    actor_role: str
    actor_id: int | None
    from_status: str | None
    to_status: str
    data: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # booking columns to set
    notify: list[list[Any]] = field(default_factory=list)  # [user_id, title, body]
    # Written in the step's own transaction, so a step and what it implies commit together or not at all (a
    # workflow under PATCH_MERGED_STEPS sends these instead of a HOLD_SLOT / BOOK_SLOT / RECORD_PAYOUT of their own).
    slot: str | None = None  # "hold" (the quote: CalendarConflict refuses the step) or "book" (the deposit)
    payouts: list[PayoutRecord] = field(default_factory=list)  # the payout row as settlement decided it


# Inputs of the activities that need more than the booking id. Field order = the positional arguments these
# activities took before (activities.compat folds tasks scheduled that way into these dataclasses).


@dataclass
class SignContractInput:
    booking_id: int
    side: str  # client / artist
    signer_id: int | None
    signature_key: str | None


@dataclass
class CreatePaymentInput:
    booking_id: int
    kind: str  # deposit / balance
    amount: int
    gateway: str | None = None  # the payer's choice (wechatpay / alipay / sandbox); None: the default


@dataclass
class RefundInput:
    booking_id: int
    step: str  # refund-cancel, refund-<order id>, refund-dispute-NNN: unique per booking
    amount: int


@dataclass
class FlagInput:
    booking_id: int
    reason: str  # shown in the operator queue


@dataclass
class PenaltyInput:
    booking_id: int
    reason: str


@dataclass
class OpenDisputeInput:
    booking_id: int
    step: str
    role: str
    actor_id: int | None
    reason: str | None
    evidence: list[str]
    from_status: str


@dataclass
class ResolveDisputeInput:
    booking_id: int
    resolution: str | None  # full_refund / partial_refund / release
    refund_amount: int | None
    reason: str | None
    operator_id: int | None


@dataclass
class OperatorCheck:
    """May this operator take `action` on the booking? (An action typed into the Temporal UI.)"""

    operator_id: int
    action: str


@dataclass
class OperatorAudit:
    """An operator's action sent from the Temporal UI, applied: one audit row (source temporal_ui)."""

    booking_id: int
    operator_id: int
    action: str
    update_id: str  # the Temporal update's id: a retried activity writes the row once
    status: str     # the booking's status afterwards
    body: dict[str, Any] = field(default_factory=dict)


@dataclass
class PayoutInput:
    booking_id: int
    gross_amount: int
    commission_amount: int
    payout_amount: int


RECORD_STEP = ActivityRef("booking.record_step", StepRecord, bool)
HOLD_SLOT = ActivityRef("booking.hold_slot", int, type(None))  # the booking id
BOOK_SLOT = ActivityRef("booking.book_slot", int, type(None))
RELEASE_SLOT = ActivityRef("booking.release_slot", int, type(None))
SEND_CONTRACT = ActivityRef("booking.send_contract", int, str)  # -> SHA-256 of the terms
SIGN_CONTRACT = ActivityRef("booking.sign_contract", SignContractInput, type(None))
CREATE_PAYMENT: ActivityRef[CreatePaymentInput, tuple[str, str]] = ActivityRef(
    "booking.create_payment", CreatePaymentInput, tuple[str, str])  # -> (order id, pay url)
REFUND = ActivityRef("booking.refund", RefundInput, str)  # -> gateway refund id
FLAG_FOR_OPERATOR = ActivityRef("booking.flag_for_operator", FlagInput, type(None))
RECORD_PENALTY = ActivityRef("booking.record_penalty", PenaltyInput, type(None))
OPEN_DISPUTE = ActivityRef("booking.open_dispute", OpenDisputeInput, type(None))
RESOLVE_DISPUTE = ActivityRef("booking.resolve_dispute", ResolveDisputeInput, type(None))
PAYOUT = ActivityRef("booking.payout", PayoutInput, type(None))
# -> "" when the operator exists, is active and holds the action's permission codes; else why not (Chinese).
CHECK_OPERATOR = ActivityRef("booking.check_operator", OperatorCheck, str)
AUDIT_OPERATOR_ACTION = ActivityRef("booking.audit_operator_action", OperatorAudit, type(None))


@dataclass
class PayoutRecord:
    """The payout row's state as the workflow decided it (settlement opened, approved, rejected)."""

    booking_id: int
    status: str  # pending_approval / approved / rejected
    gross_amount: int = 0
    commission_amount: int = 0
    payout_amount: int = 0
    auto_approve_at: str | None = None  # ISO 8601
    operator_id: int | None = None  # who approved or rejected; None: automatic
    reason: str | None = None


@dataclass
class PayoutOutcome:
    status: str  # paid / processing / failed
    failure_reason: str | None = None


RECORD_PAYOUT = ActivityRef("booking.record_payout", PayoutRecord, type(None))
# Settles the booking in the ledger (escrow -> artist payable + commission) and sends the approved payout.
PAY_OUT = ActivityRef("booking.pay_out", int, PayoutOutcome)  # the booking id
# An operator's retry of a failed payout: a new transfer if needed (PAY_OUT never resends a failed one).
RETRY_PAYOUT = ActivityRef("booking.retry_pay_out", int, PayoutOutcome)  # the booking id
