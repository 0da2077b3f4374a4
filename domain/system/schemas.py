"""What the 系统设置 routes send and take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from domain.inputs import Input, Text
from domain.system.registry import Kind


class SettingIn(Input):
    key: Annotated[str, Text(60, min_length=1)]
    # bool / int / text / tiers ([{"days_before", "refund_percent"}]) by the rule's kind; checked by the registry
    value: Any = Field(json_schema_extra={"description": "按规则类型：布尔、整数、文字或退款阶梯列表"})


class SettingOut(BaseModel):
    key: str
    label: str
    group: str
    group_label: str
    kind: Kind
    value: Any
    default: Any
    help: str
    unit: str
    min: int | None
    max: int | None
    max_length: int
    pattern: str | None
    pattern_hint: str
    updated_at: datetime | None     # None: never changed (the default is in effect)
    updated_by: str | None          # the operator's display name


class SettingChangeOut(BaseModel):
    id: int
    key: str
    before: Any
    after: Any
    operator_id: int | None
    operator_name: str | None
    created_at: datetime


class CustomerServiceOut(BaseModel):
    phone: str
    wechat: str
    hours: str


class TierDefault(BaseModel):
    days_before: int
    refund_percent: int


class QuoteDefaultsOut(BaseModel):
    """What an artist's quote form starts from (系统设置): the balance due days and the refund tiers."""

    balance_due_days: int
    cancellation_tiers: list[TierDefault]


class IntegrationOut(BaseModel):
    kind: str          # sms / wechat_login / content_security / payment / payout / realname / search / storage / ...
    label: str         # 短信 / 微信登录 / ...
    backend: str       # the adapter's name: sandbox / aliyun / wechatpay / postgresql ...
    backend_label: str
    sandbox: bool
    status: str        # ok / down / unchecked
    detail: str        # what was checked, or why it failed (never a secret)
    latency_ms: int | None
