"""Request and response shapes of the reconciliation queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from domain.inputs import Input, InputDate, Text
from domain.pages import Page

DifferenceKind = Literal["missing_on_our_side", "missing_at_gateway", "amount_mismatch", "ledger_missing"]
KIND_LABELS = {"missing_on_our_side": "平台漏记（渠道有、平台无）",
               "missing_at_gateway": "渠道无此笔（平台有、渠道无）",
               "amount_mismatch": "金额不一致", "ledger_missing": "账簿未记账"}


class DifferenceOut(BaseModel):
    id: int
    gateway: str
    day: date
    kind: DifferenceKind
    kind_label: str
    line_kind: Literal["payment", "refund"]
    order_id: str | None
    refund_no: str | None
    gateway_txn_id: str | None
    booking_id: int | None
    our_amount: int | None = Field(description="平台记录金额（分）")
    gateway_amount: int | None = Field(description="渠道账单金额（分）")
    detail: str
    status: Literal["open", "resolved"]
    resolution_note: str | None
    resolved_by: int | None
    resolved_at: datetime | None
    created_at: datetime


DifferencePage = Page[DifferenceOut]


class ResolveIn(Input):
    note: Annotated[str, Text(500, min_length=2, multiline=True)] = Field(description="处理说明（必填）")


class RunIn(Input):
    day: InputDate = Field(description="对账日期（北京时间），须早于今天")
    gateway: Annotated[str, Text(20, min_length=1)] | None = Field(default=None, description="不填：全部支付渠道")


class RunOut(BaseModel):
    gateway: str
    day: str
    bill_lines: int
    matched: int
    differences: int
    new_differences: int
    fee_amount: int
    error: str | None


class RunsOut(BaseModel):
    workflow_id: str = Field(description="Temporal 工作流 id（可在 Temporal UI 查看）")
    status: Literal["completed", "running"]
    results: list[RunOut]
