"""Request and response shapes of inquiries, bookings and notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from domain.accounts.schemas import Phone
from domain.bookings.states import Stage
from domain.inputs import Input, Text
from domain.ledger.schemas import BookingSettlementOut
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
    # Left out: the platform's defaults (系统设置 booking.balance_due_days, booking.cancellation_tiers).
    balance_due_days: Annotated[int, Field(ge=0, le=180)] | None = None
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
    gateway: Literal["wechatpay", "alipay", "sandbox"] | None = None  # pay_deposit / pay_balance: the method
    # sign / countersign: the SMS code sent by POST /bookings/{id}/contract/sign-code (signing intent)
    sms_code: Annotated[str, Text(12)] | None = None


class ProceedIn(Input):
    booking_ids: Annotated[list[Annotated[int, Field(ge=1, le=2**62)]], Field(min_length=1, max_length=10)]


class EventOut(BaseModel):
    step: str
    action: str
    title: str  # 艺人发送合同, 定金已支付 …
    actor_role: str
    actor_label: str
    from_status: str | None
    from_stage: str | None  # where a closed booking's progress bar stopped: the stage it left
    to_status: str
    to_status_label: str
    data: dict
    created_at: datetime


class ConflictOut(BaseModel):
    start: datetime
    end: datetime
    status: str
    label: str


class TierOut(BaseModel):
    days_before: int
    refund_percent: int  # of the deposit


class QuoteOut(BaseModel):
    """The artist's quote as the booking stored it (deposit and balance worked out from the fee)."""

    fee_amount: int
    deposit_percent: int
    deposit_amount: int
    balance_amount: int
    balance_due_days: int
    cancellation_tiers: list[TierOut]
    rider: list[str]
    note: str


class BookingOut(BaseModel):
    id: int
    inquiry_id: int
    client_id: int
    artist_id: int
    artist_name: str
    artist_avatar_url: str | None  # short-lived signed thumbnail link
    artist_rating: float | None
    artist_review_count: int
    artist_completed_shows: int
    artist_verified: bool
    client_org: str
    status: str
    status_label: str
    stage: Stage  # the progress bar 预约—签约—支付—演出—结算, or done / closed
    stage_label: str
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
    quote: QuoteOut | None
    deadline_at: datetime | None
    deadline_label: str | None  # what deadline_at is for; None: no deadline runs in this state
    balance_due_at: datetime | None
    needs_operator: str | None
    reason: str | None
    response_minutes: int | None
    has_conflict: bool  # the artist's view of a request: the time overlaps a hold, booking or rest of theirs
    review_id: int | None
    can_review: bool  # the client may write the review now
    allowed_actions: list[str]
    created_at: datetime


class ContractOut(BaseModel):
    terms: dict
    terms_sha256: str
    sent_at: datetime
    client_signed_at: datetime | None
    client_signature_url: str | None  # short-lived signed links, only in the parties' (and operators') detail
    artist_signed_at: datetime | None
    artist_signature_url: str | None


class CancelPreviewOut(BaseModel):
    """What cancelling now would give back, by the rule the cancellation itself applies."""

    paid_amount: int
    refund_amount: int
    kept_amount: int
    rule: str


class PaymentOut(BaseModel):
    id: str
    kind: str  # deposit / balance
    kind_label: str
    amount: int
    status: str  # created / paid / closed
    status_label: str
    created_at: datetime
    paid_at: datetime | None


class RefundOut(BaseModel):
    amount: int
    status: str  # pending / processing (the gateway is paying it back) / failing / succeeded
    status_label: str
    reason: str
    created_at: datetime
    refunded_at: datetime | None


class DisputeOut(BaseModel):
    reason: str
    opened_by_role: str
    evidence_urls: list[str]
    created_at: datetime
    resolution: str | None
    resolution_label: str | None
    refund_amount: int | None
    resolution_reason: str | None
    resolved_at: datetime | None


class BookingDetail(BookingOut):
    events: list[EventOut]
    conflicts: list[ConflictOut]
    requirements: str
    audience_size: int
    budget_amount: int
    contact_name: str
    contact_phone: str
    contract: ContractOut | None
    cancel_preview: CancelPreviewOut | None  # when `cancel` is among allowed_actions
    payments: list[PaymentOut]
    refunds: list[RefundOut]
    dispute: DisputeOut | None  # the latest
    settlement: BookingSettlementOut | None = None  # once the artist asked for it (or a cancellation kept money)


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
    pay_url: str | None = None  # a page to open: the sandbox cashier, Alipay's wap cashier
    # WeChat Pay: the signed uni.requestPayment parameters (appId, timeStamp, nonceStr, package, signType, paySign)
    pay_params: dict[str, str] | None = None
    gateway: str | None = None  # wechatpay / alipay / sandbox: where this payment is made
    booking: BookingDetail
