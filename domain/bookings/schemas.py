"""Request and response shapes of inquiries, bookings and notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from domain.accounts.schemas import Phone
from domain.inputs import Input, Text
from domain.pages import Page
from domain.time import UtcDatetime

Text50 = Annotated[str, Text(50, min_length=1)]
Reason = Annotated[str, Text(500, min_length=2, multiline=True)]


class InquiryIn(Input):
    artist_ids: Annotated[list[Annotated[int, Field(ge=1, le=2**62)]], Field(min_length=1, max_length=10)]
    event_type: Text50
    start_at: UtcDatetime
    end_at: UtcDatetime
    city: Annotated[str, Text(30, min_length=2)]
    venue_address: Annotated[str, Text(200, min_length=2)]
    audience_size: Annotated[int, Field(ge=1, le=1_000_000)]
    requirements: Annotated[str, Text(2000, multiline=True)] = ""
    budget_amount: Annotated[int, Field(ge=0, le=10**11)]
    contact_name: Text50
    contact_phone: Phone

    @model_validator(mode="after")
    def _times(self) -> InquiryIn:
        if self.end_at <= self.start_at:
            raise ValueError("结束时间必须晚于开始时间")
        if (self.end_at - self.start_at).total_seconds() > 24 * 3600:
            raise ValueError("单场演出时长不能超过24小时")
        return self


class TierIn(Input):
    days_before: Annotated[int, Field(ge=0, le=365)]
    refund_percent: Annotated[int, Field(ge=0, le=100)]


class QuoteIn(Input):
    fee_amount: Annotated[int, Field(ge=100, le=10**11)]
    deposit_percent: Annotated[int, Field(ge=10, le=100)] = 30
    balance_due_days: Annotated[int, Field(ge=0, le=180)] = 3
    cancellation_tiers: Annotated[list[TierIn], Field(min_length=1, max_length=10)] | None = None
    rider: Annotated[list[Annotated[str, Text(200)]], Field(max_length=30)] = []
    note: Annotated[str, Text(1000, multiline=True)] = ""


class ActionIn(Input):
    """Body of POST /bookings/{id}/actions/{action}; each action reads the fields it needs."""

    reason: Annotated[str, Text(1000, multiline=True)] | None = None
    quote: QuoteIn | None = None
    signature_png_base64: Annotated[str, Text(700_000, strip=False)] | None = None
    refund_amount: Annotated[int, Field(ge=0, le=10**11)] | None = None
    resolution: Literal["full_refund", "partial_refund", "release"] | None = None
    extend_hours: Annotated[int, Field(ge=1, le=720)] | None = None
    evidence: Annotated[list[Annotated[str, Text(200)]], Field(max_length=9)] = []


class ProceedIn(Input):
    booking_ids: Annotated[list[Annotated[int, Field(ge=1, le=2**62)]], Field(min_length=1, max_length=10)]


class EventOut(BaseModel):
    step: str
    action: str
    actor_role: str
    from_status: str | None
    to_status: str
    data: dict
    created_at: datetime


class ConflictOut(BaseModel):
    start: datetime
    end: datetime
    status: str
    label: str


class BookingOut(BaseModel):
    id: int
    inquiry_id: int
    client_id: int
    artist_id: int
    artist_name: str
    client_org: str
    status: str
    status_label: str
    start_at: datetime
    end_at: datetime
    event_type: str
    city: str
    venue_address: str
    fee_amount: int | None
    deposit_amount: int | None
    balance_amount: int | None
    paid_amount: int
    refunded_amount: int
    commission_amount: int | None
    payout_amount: int | None
    quote: dict | None
    deadline_at: datetime | None
    balance_due_at: datetime | None
    needs_operator: str | None
    reason: str | None
    response_minutes: int | None
    allowed_actions: list[str]
    created_at: datetime


class BookingDetail(BookingOut):
    events: list[EventOut]
    conflicts: list[ConflictOut]
    requirements: str
    audience_size: int
    budget_amount: int
    contact_name: str
    contact_phone: str


BookingPage = Page[BookingOut]


class InquiryOut(BaseModel):
    id: int
    event_type: str
    start_at: datetime
    end_at: datetime
    city: str
    bookings: list[BookingOut]


class ActionOut(BaseModel):
    status: str
    payment_order_id: str | None = None
    pay_url: str | None = None
    booking: BookingDetail


class NotificationOut(BaseModel):
    id: int
    booking_id: int | None
    title: str
    body: str
    created_at: datetime
    read: bool


class NotificationPage(Page[NotificationOut]):
    """The Page envelope plus `unread`: all of the user's unread notifications, not just this page's."""

    unread: int
