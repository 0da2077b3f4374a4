"""Sending one delivery row (a notification on WeChat or SMS), once.

`send` runs inside an activity with the row locked: a row that is no longer pending is left alone, so a
retried or duplicated activity never sends twice. A failure that will recur (the user refused the template,
a bad openid or phone, a template the provider rejects) marks the row failed at once; a passing one raises
`TransientDeliveryError` after recording the attempt, and the workflow's retry policy decides when to stop
(`give_up` then records it failed)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.models import Booking, Notification, NotificationDelivery, User
from domain.notifications.kinds import Channel, Kind, kind_of
from domain.settings import Settings
from domain.time import SHANGHAI, utc_now
from integrations.errors import IntegrationError
from integrations.sms.base import SmsSender
from integrations.wechat.subscribe import PERMANENT_CODES, SandboxSubscribeMessenger, SubscribeMessenger

log = logging.getLogger(__name__)

# Provider answers to an SMS that will not change on a retry: the number, the template or the sign name.
SMS_PERMANENT_CODES = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL", "isv.INVALID_JSON_PARAM",
    "isv.TEMPLATE_MISSING_PARAMETERS", "InvalidParameterValue.IncorrectPhoneNumber",
    "FailedOperation.TemplateIncorrectOrUnapproved", "FailedOperation.SignatureIncorrectOrUnapproved",
    "InvalidParameterValue.TemplateParameterFormatError", "InvalidParameterValue.TemplateParameterLengthLimit",
})


class TransientDeliveryError(Exception):
    """Worth another try later (WeChat busy, the SMS service down or rate-limiting the number)."""


@dataclass
class Channels:
    """The adapters and per-kind templates the worker sends with (chosen by configuration)."""

    wechat: SubscribeMessenger
    sms: SmsSender
    wechat_templates: dict[str, str] = field(default_factory=dict)
    sms_templates: dict[str, str] = field(default_factory=dict)
    wechat_page: str = "pages/messages/index"

    def wechat_template(self, kind: str) -> str | None:
        if kind in self.wechat_templates:
            return self.wechat_templates[kind]
        return f"sandbox-{kind}" if self.wechat.is_sandbox else None

    def sms_template(self, kind: str) -> str | None:
        if kind in self.sms_templates:
            return self.sms_templates[kind]
        return "SANDBOX_NOTIFY" if self.sms.is_sandbox else None

    def is_sandbox(self, channel: str) -> bool:
        """Nothing leaves the machine on this channel: a send can't meet an outage, so it needs no retries."""
        return (self.wechat if channel == Channel.WECHAT else self.sms).is_sandbox


def channels_from_settings(settings: Settings) -> Channels:
    """Real WeChat and SMS when configured, else their 沙箱 (which sends nothing and says so in the log).

    Unlike a sandbox login, a sandbox notification grants nobody anything, so it needs no ALLOW_SANDBOX: an
    unconfigured channel only means those messages stay in the in-app centre."""
    from integrations.sandbox_policy import SandboxNotAllowed
    from integrations.sms.factory import sms_sender_from_settings
    from integrations.sms.sandbox import SandboxSmsSender
    from integrations.wechat.miniprogram import WechatMiniProgramAuth
    from integrations.wechat.subscribe import WechatSubscribeMessenger

    wechat: SubscribeMessenger = SandboxSubscribeMessenger()
    if settings.wechat_appid and settings.wechat_secret:
        auth = WechatMiniProgramAuth(settings.wechat_appid, settings.wechat_secret, api_base=settings.wechat_api_base)
        wechat = WechatSubscribeMessenger(auth, state=settings.wechat_subscribe_state)
    else:
        log.warning("微信订阅消息未配置（WECHAT_APPID, WECHAT_SECRET）：使用沙箱，订阅消息不会发出")
    sms: SmsSender
    try:
        sms = sms_sender_from_settings(settings)
    except SandboxNotAllowed:
        log.warning("短信服务未配置：紧急通知的短信使用沙箱，不会发出")
        sms = SandboxSmsSender()
    return Channels(wechat=wechat, sms=sms, wechat_templates=dict(settings.wechat_subscribe_templates),
                    sms_templates=dict(settings.sms_notify_templates))


def subscribe_templates(settings: Settings) -> dict[str, str]:
    """kind -> template id the mini-program asks the user to accept (sandbox ids when WeChat is not set up)."""
    if settings.wechat_appid and settings.wechat_secret:
        return dict(settings.wechat_subscribe_templates)
    return {kind.value: f"sandbox-{kind.value}" for kind in Kind}


# --- what a message says ------------------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    """WeChat refuses (47003) a `thing` longer than 20 characters: cut with an ellipsis instead."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wechat_data(note: Notification, booking: Booking | None) -> dict[str, str]:
    """Fields every template of ours uses: thing1 what happened, thing2 the detail, time3 when. Booking kinds also
    carry character_string4 the order number (pick templates with these keywords in the WeChat console)."""
    data = {"thing1": _clip(note.title, 20), "thing2": _clip(note.body or note.title, 20),
            "time3": note.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")}
    if booking is not None:
        data["character_string4"] = str(booking.id)
        if kind_of(note.kind) == Kind.SHOW_TOMORROW:
            data["time3"] = booking.start_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return data


def sms_params(note: Notification) -> dict[str, str]:
    # Aliyun caps a variable at 35 characters; the SMS says what happened and points to the mini-program.
    return {"title": _clip(note.title, 20), "detail": _clip(note.body or note.title, 35)}


# --- sending -------------------------------------------------------------------------------------------------


def send(session: Session, delivery_id: int, channels: Channels) -> str:
    """Send one pending delivery; returns the row's status afterwards. Commit is the caller's."""
    row = session.scalar(select(NotificationDelivery).where(NotificationDelivery.id == delivery_id)
                         .with_for_update())
    if row is None or row.status != "pending":
        return row.status if row is not None else "missing"
    note = session.get(Notification, row.notification_id)
    user = session.get(User, row.user_id)
    assert note is not None and user is not None
    row.attempts += 1
    row.updated_at = utc_now()
    try:
        if row.channel == Channel.WECHAT:
            template = channels.wechat_template(row.kind)
            if template is None or not user.wechat_openid:
                return _skip(row, "未配置订阅消息模板" if template is None else "未绑定微信")
            booking = session.get(Booking, note.booking_id) if note.booking_id else None
            page = f"subpkg/booking/order?id={booking.id}" if booking is not None else channels.wechat_page
            channels.wechat.send(user.wechat_openid, template, wechat_data(note, booking), page)
        else:
            template = channels.sms_template(row.kind)
            if template is None or not user.phone:
                return _skip(row, "未配置短信模板" if template is None else "未绑定手机号")
            channels.sms.send_template(user.phone, template, sms_params(note))
    except IntegrationError as exc:
        error = f"{exc.code}({exc.provider_code or '-'}): {exc.message}"[:300]
        if exc.code in PERMANENT_CODES or exc.code == "phone_invalid" or exc.provider_code in SMS_PERMANENT_CODES:
            row.status, row.reason, row.last_error = "failed", exc.message[:200], error
            return row.status
        row.last_error = error
        raise TransientDeliveryError(error) from exc
    row.status, row.sent_at, row.last_error = "sent", utc_now(), None
    # Never shown as delivered when nothing left the machine.
    row.reason = "沙箱：未真正发出" if channels.is_sandbox(row.channel) else None
    return row.status


def _skip(row: NotificationDelivery, reason: str) -> str:
    row.status, row.reason = "skipped", reason
    return row.status


def record_attempt(session: Session, delivery_id: int, error: str) -> None:
    """Keep a transient failure's count and message although the sending transaction rolls back."""
    session.execute(update(NotificationDelivery).where(NotificationDelivery.id == delivery_id,
                                                       NotificationDelivery.status == "pending")
                    .values(attempts=NotificationDelivery.attempts + 1, last_error=error[:300], updated_at=utc_now()))


def give_up(session: Session, delivery_id: int) -> None:
    """The retries ran out: recorded failed, never tried again."""
    session.execute(update(NotificationDelivery).where(NotificationDelivery.id == delivery_id,
                                                       NotificationDelivery.status == "pending")
                    .values(status="failed", reason="多次发送失败，已停止重试",
                            updated_at=utc_now()))


# --- the dispatcher's side -----------------------------------------------------------------------------------


def undispatched(session: Session, limit: int = 200) -> list[tuple[int, int, str]]:
    """Pending rows no workflow was started for yet: (delivery id, notification id, channel)."""
    rows = session.execute(select(NotificationDelivery.id, NotificationDelivery.notification_id,
                                  NotificationDelivery.channel)
                           .where(NotificationDelivery.status == "pending",
                                  NotificationDelivery.dispatched_at.is_(None))
                           .order_by(NotificationDelivery.id).limit(limit)).all()
    return [(r[0], r[1], r[2]) for r in rows]


def mark_dispatched(session: Session, delivery_ids: list[int]) -> None:
    if delivery_ids:
        session.execute(update(NotificationDelivery).where(NotificationDelivery.id.in_(delivery_ids))
                        .values(dispatched_at=utc_now()))


# A workflow gives up within about 20 minutes (workflows.notifications.RETRY); a row still pending long after its
# workflow started lost it (terminated, history reset): record it failed rather than leave it pending forever.
STALE_AFTER = timedelta(hours=2)


def fail_stale(session: Session, now: datetime) -> int:
    result = session.execute(update(NotificationDelivery).where(
        NotificationDelivery.status == "pending", NotificationDelivery.dispatched_at < now - STALE_AFTER,
    ).values(status="failed", reason="发送流程中断，已停止", updated_at=now))
    return int(getattr(result, "rowcount", 0) or 0)
