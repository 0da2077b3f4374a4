"""What a BookingWorkflow remembers between events, and the search attributes operators filter bookings by."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from temporalio import workflow
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

with workflow.unsafe.imports_passed_through():
    from domain.bookings.messages import BookingInput, Quote
    from domain.bookings.states import BookingStatus

STATUS_KEY = SearchAttributeKey.for_keyword("BookingStatus")
ARTIST_KEY = SearchAttributeKey.for_int("ArtistId")
CLIENT_KEY = SearchAttributeKey.for_int("ClientId")
DATE_KEY = SearchAttributeKey.for_datetime("PerformanceDate")
INQUIRY_KEY = SearchAttributeKey.for_int("InquiryId")


def search_attributes(inp: BookingInput, status: str) -> TypedSearchAttributes:
    return TypedSearchAttributes([
        SearchAttributePair(STATUS_KEY, status), SearchAttributePair(ARTIST_KEY, inp.artist_id),
        SearchAttributePair(CLIENT_KEY, inp.client_id), SearchAttributePair(INQUIRY_KEY, inp.inquiry_id),
        SearchAttributePair(DATE_KEY, datetime.fromisoformat(inp.start_at)),
    ])


@dataclass
class Timer:
    at: datetime
    kind: str  # expire_response / remind_response / remind_contract / expire_hold / expire_deposit /
    #            remind_balance_N / balance_overdue / performed / auto_accept


@dataclass
class Ruling:
    """An operator's dispute ruling waiting for its refund: `then` is what happens once the money moved."""

    resolution: str  # full_refund / partial_refund / release
    reason: str
    operator_id: int
    refund_amount: int = 0
    then: str = "release"  # release / cancel (before the show) / settle (after the show)


@dataclass
class Settlement:
    """A settlement waiting for its payout: the dispute window, the operator's approval (or the automatic one),
    then the payout through the channel."""

    gross: int       # what the client paid and kept paid
    commission: int
    payout: int
    window_ends_at: datetime   # no payout before (disputes may still be opened)
    auto_approve_at: datetime  # approved automatically then, unless an operator decided
    status: str = "pending_approval"  # approved / paying / failed / rejected / paid
    approved_by: int | None = None
    checks: int = 0  # how often a payout in flight was looked up
    check_at: datetime | None = None  # when it is looked up next


@dataclass
class BookingState:
    status: BookingStatus = BookingStatus.REQUESTED
    quote: Quote | None = None
    deposit_amount: int = 0
    balance_amount: int = 0
    paid_amount: int = 0
    refunded_amount: int = 0
    deadline: datetime | None = None
    balance_due_at: datetime | None = None
    auto_accept_at: datetime | None = None
    disputed_from: BookingStatus | None = None
    fired: set[str] = field(default_factory=set)
    failed_timers: set[str] = field(default_factory=set)  # failed permanently: wait for an operator instead
    paid_orders: set[str] = field(default_factory=set)
    settlement: Settlement | None = None
