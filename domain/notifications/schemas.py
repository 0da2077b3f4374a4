from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from domain.notifications.kinds import Channel, Kind
from domain.pages import Page


class NotificationOut(BaseModel):
    id: int
    booking_id: int | None
    kind: str
    title: str
    body: str
    created_at: datetime
    read: bool


class NotificationPage(Page[NotificationOut]):
    """The Page envelope plus `unread`: all of the user's unread notifications, not just this page's."""

    unread: int


class ChannelSetting(BaseModel):
    channel: Channel
    label: str
    enabled: bool
    locked: bool = Field(description="站内通知始终开启，不能关闭")


class KindSetting(BaseModel):
    kind: Kind
    label: str
    description: str
    urgent: bool
    channels: list[ChannelSetting]
    wechat_subscribed: int = Field(description="已授权、尚未用掉的微信订阅消息次数")


class NotificationSettings(BaseModel):
    kinds: list[KindSetting]
    wechat_bound: bool = Field(description="账号已绑定微信（有 openid），才能收到订阅消息")
    phone_bound: bool


class NotificationSettingChange(BaseModel):
    kind: Kind
    channel: Channel
    enabled: bool


class SettingsIn(BaseModel):
    changes: list[NotificationSettingChange] = Field(min_length=1, max_length=100)


class SubscriptionsIn(BaseModel):
    """What uni.requestSubscribeMessage answered: the template ids the user accepted (each allows one message)."""

    # WeChat template ids are letters, digits, '-' and '_'.
    accepted: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]] = Field(max_length=20)


class SubscribeTemplate(BaseModel):
    kind: Kind
    label: str
    template_id: str


class SubscribeTemplates(BaseModel):
    sandbox: bool = Field(description="沙箱：模板不是真实的微信模板，客户端不必申请订阅")
    templates: list[SubscribeTemplate]
    after_booking: list[str] = Field(description="提交邀约后申请的模板（最多3个）")
    after_payment: list[str] = Field(description="支付后申请的模板（最多3个）")
