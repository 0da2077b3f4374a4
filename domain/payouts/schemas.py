"""Request and response shapes of payouts: the artist's 收款账户, operators' payout views, bank batches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from domain.inputs import Input, Text


class PayoutAccountIn(Input):
    account_name: Annotated[str, Text(50, min_length=2)] = Field(description="收款户名（须与实名一致）")
    account_no: Annotated[str, Field(pattern=r"^\d{8,30}$", description="银行卡号/账号，8-30 位数字")]
    bank_name: Annotated[str, Text(60, min_length=2)] = Field(description="开户行，如：招商银行上海分行")


class PayoutAccountOut(BaseModel):
    account_name_masked: str
    account_no_masked: str
    bank_name: str
    updated_at: datetime


class PayoutOut(BaseModel):
    booking_id: int
    artist_id: int
    payout_no: str
    transfer_no: str
    status: str
    status_label: str
    channel: str | None
    payout_amount: int
    provider_id: str | None
    failure_reason: str | None
    attempts: int
    paid_at: datetime | None


class BatchLineOut(BaseModel):
    id: int
    booking_id: int
    transfer_no: str
    amount: int
    account_name_masked: str
    account_no_masked: str
    bank_name: str
    status: Literal["exported", "paid", "failed"]
    failure_reason: str | None
    settled_at: datetime | None


class BatchOut(BaseModel):
    id: int
    batch_no: str
    line_count: int
    total_amount: int
    created_at: datetime
    lines: list[BatchLineOut]


class BatchResultIn(Input):
    status: Literal["paid", "failed"]
    reason: Annotated[str, Text(200)] | None = Field(default=None, description="失败原因（银行退回说明）")


class TransferConfirmationOut(BaseModel):
    """Parameters of wx.requestMerchantTransfer: the artist confirms receipt of a WeChat transfer in the app."""

    mch_id: str
    app_id: str
    package: str = Field(description="package_info of the transfer bill")
    amount: int = Field(description="转账金额（分）")
