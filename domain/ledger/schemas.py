"""What the settlement approval routes take and answer (amounts in fen)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel

from domain.inputs import Input, Text

SettlementStatus = Literal["pending_approval", "approved", "paying", "paid", "failed", "rejected"]
SettlementDecisionName = Literal["approve", "reject", "retry"]


class SettlementOut(BaseModel):
    booking_id: int
    artist_id: int
    artist_name: str | None       # stage name
    client_id: int
    booking_status: str
    booking_status_label: str     # e.g. 结算中 / 已取消 (kept money of a cancelled booking)
    show_end_at: datetime
    gross_amount: int             # what the client paid and kept paid
    commission_rate_bp: int       # snapshotted on the booking
    commission_amount: int
    payout_amount: int
    status: SettlementStatus
    status_label: str             # 待审核 / 已审核待打款 / 打款中 / 已打款 / 打款失败 / 已驳回
    payout_no: str
    channel: str | None           # payout channel once sent: sandbox / wechat_transfer / bank
    channel_label: str | None     # 沙箱出款 for the sandbox: never shown as a real transfer
    auto_approve_at: datetime | None  # approved automatically then (never before the dispute window ends)
    approved_at: datetime | None
    approved_by: int | None       # operator id; None with approved_at: approved automatically
    failure_reason: str | None    # why the payout failed, or why an operator rejected it
    attempts: int
    paid_at: datetime | None
    created_at: datetime
    needs_operator: str | None
    allowed_decisions: list[SettlementDecisionName]  # what an operator may do now


class SettlementDecisionIn(Input):
    """Body of POST /admin/settlements/{booking_id}/approve|reject|retry: the reason (required to reject)."""

    reason: Annotated[str, Text(500, multiline=True)] | None = None


class SettlementRejectIn(Input):
    reason: Annotated[str, Text(500, min_length=1, multiline=True)]


class BookingSettlementOut(BaseModel):
    """The settlement on a booking's page: the artist (and operators) see the figures and where the payout is; the
    client sees only whether the booking is settled."""

    status: SettlementStatus
    status_label: str
    gross_amount: int | None = None
    commission_amount: int | None = None
    payout_amount: int | None = None
    auto_approve_at: datetime | None = None  # approved automatically then at the latest
    paid_at: datetime | None = None
    channel_label: str | None = None         # 沙箱出款 for the sandbox
    failure_reason: str | None = None        # why the payout failed or was held
