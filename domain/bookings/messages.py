"""What travels between the API, the BookingWorkflow and its activities (plain dataclasses: Temporal's
default converter handles them, and the workflow sandbox can import this module)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
