"""The one way the platform notifies someone, the in-app centre, and each user's 通知设置.

`notify` writes the in-app row and, in the same transaction, one delivery row per outside channel the kind
offers: pending when the user's settings say so and the channel can reach them, skipped with the reason
otherwise. The worker's dispatcher sends pending rows (domain.notifications.delivery)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.errors import AppError, NotFound
from domain.models import Notification, NotificationDelivery, NotificationSetting, User
from domain.notifications.kinds import CATALOGUE, CHANNEL_LABELS, OUTSIDE_CHANNELS, Channel, Kind, default_enabled
from domain.notifications.schemas import (
    ChannelSetting,
    KindSetting,
    NotificationOut,
    NotificationPage,
    NotificationSettings,
    SettingsIn,
)
from domain.time import utc_now


class ChannelNotOffered(AppError):
    status, code, message = 400, "notification_channel_not_offered", "该类通知不提供此渠道（短信仅用于紧急通知）"


class InAppAlwaysOn(AppError):
    status, code, message = 400, "notification_in_app_locked", "站内通知始终开启，不能关闭"


def notify(session: Session, user_id: int, kind: Kind, title: str, body: str, *, booking_id: int | None,
           step: str) -> int | None:
    """Notify `user_id` once per `step` (unique per user): returns the new notification's id, or None when this
    step already notified them (a retried activity or request changes nothing)."""
    note_id = session.scalar(insert(Notification).values(
        user_id=user_id, booking_id=booking_id, step=step, kind=kind.value, title=title[:100], body=body[:500],
    ).on_conflict_do_nothing(constraint="uq_notifications_user_step").returning(Notification.id))
    if note_id is None:
        return None
    _plan_deliveries(session, note_id, user_id, kind)
    return note_id


def _plan_deliveries(session: Session, note_id: int, user_id: int, kind: Kind) -> None:
    user = session.get(User, user_id)
    chosen = {s.channel: s for s in session.scalars(select(NotificationSetting).where(
        NotificationSetting.user_id == user_id, NotificationSetting.kind == kind.value).with_for_update())}
    for channel in OUTSIDE_CHANNELS:
        if channel not in CATALOGUE[kind].channels:
            continue
        setting = chosen.get(channel.value)
        enabled = setting.enabled if setting is not None else default_enabled(kind, channel)
        reason = None
        if not enabled:
            reason = "用户已关闭此渠道"
        elif user is None or (channel == Channel.WECHAT and not user.wechat_openid):
            reason = "未绑定微信"
        elif channel == Channel.SMS and not user.phone:
            reason = "未绑定手机号"
        elif channel == Channel.WECHAT:
            # A one-time subscription allows one message: spend it now, in the notification's transaction.
            if setting is None or setting.credits <= 0:
                reason = "未订阅该消息"
            else:
                setting.credits -= 1
        session.execute(insert(NotificationDelivery).values(
            notification_id=note_id, user_id=user_id, kind=kind.value, channel=channel.value,
            status="skipped" if reason else "pending", reason=reason,
        ).on_conflict_do_nothing(constraint="uq_notification_deliveries_channel"))


# --- the notification centre ----------------------------------------------------------------------------------


def page(session: Session, user_id: int, *, unread_only: bool, page: int = 1, page_size: int = 20) -> NotificationPage:
    """One page of the user's notifications, newest first; `unread` counts all unread, whatever the page."""
    where = [Notification.user_id == user_id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    # Both counts in one pass over the user's notifications (one query instead of two).
    everything, unread = session.execute(
        select(func.count(), func.count().filter(Notification.read_at.is_(None)))
        .where(Notification.user_id == user_id)).one()
    rows = session.scalars(select(Notification).where(*where)
                           .order_by(Notification.created_at.desc(), Notification.id.desc())
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return NotificationPage(
        items=[NotificationOut(id=n.id, booking_id=n.booking_id, kind=n.kind, title=n.title, body=n.body,
                               created_at=n.created_at, read=n.read_at is not None) for n in rows],
        total=unread if unread_only else everything, page=page, page_size=page_size, unread=unread)


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).where(Notification.user_id == user_id,
                                                      Notification.read_at.is_(None))) or 0


def mark_one_read(session: Session, user_id: int, notification_id: int) -> None:
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user_id:
        raise NotFound("通知不存在")
    note.read_at = note.read_at or utc_now()


def mark_all_read(session: Session, user_id: int) -> None:
    session.execute(update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
                    .values(read_at=utc_now()))


# --- 通知设置 ----------------------------------------------------------------------------------------------------


def settings_of(session: Session, user: User) -> NotificationSettings:
    rows = {(s.kind, s.channel): s for s in session.scalars(
        select(NotificationSetting).where(NotificationSetting.user_id == user.id))}
    kinds = []
    for kind, info in CATALOGUE.items():
        channels = []
        for channel in info.channels:
            row = rows.get((kind.value, channel.value))
            enabled = True if channel == Channel.IN_APP else (
                row.enabled if row is not None else default_enabled(kind, channel))
            channels.append(ChannelSetting(channel=channel, label=CHANNEL_LABELS[channel], enabled=enabled,
                                           locked=channel == Channel.IN_APP))
        wechat = rows.get((kind.value, Channel.WECHAT.value))
        kinds.append(KindSetting(kind=kind, label=info.label, description=info.description, urgent=info.urgent,
                                 channels=channels, wechat_subscribed=wechat.credits if wechat else 0))
    return NotificationSettings(kinds=kinds, wechat_bound=bool(user.wechat_openid), phone_bound=bool(user.phone))


def update_settings(session: Session, user: User, data: SettingsIn) -> NotificationSettings:
    """Validate every change first, so a request with one bad change changes nothing."""
    for change in data.changes:
        if change.channel not in CATALOGUE[change.kind].channels:
            raise ChannelNotOffered(detail={"kind": change.kind, "channel": change.channel})
        if change.channel == Channel.IN_APP and not change.enabled:
            raise InAppAlwaysOn()
    for change in data.changes:
        if change.channel == Channel.IN_APP:
            continue
        session.execute(insert(NotificationSetting).values(
            user_id=user.id, kind=change.kind.value, channel=change.channel.value, enabled=change.enabled,
        ).on_conflict_do_update(index_elements=["user_id", "kind", "channel"],
                                set_={"enabled": change.enabled, "updated_at": utc_now()}))
    session.flush()
    return settings_of(session, user)


MAX_CREDITS = 50  # WeChat keeps no more one-time subscriptions than that worth holding on to


def add_subscriptions(session: Session, user: User, kinds: list[Kind]) -> NotificationSettings:
    """The user accepted these kinds' subscribe templates in the mini-program: one more message each."""
    for kind in dict.fromkeys(kinds):
        session.execute(insert(NotificationSetting).values(
            user_id=user.id, kind=kind.value, channel=Channel.WECHAT.value, enabled=True, credits=1,
        ).on_conflict_do_update(index_elements=["user_id", "kind", "channel"], set_={
            "credits": func.least(NotificationSetting.credits + 1, MAX_CREDITS), "updated_at": utc_now()}))
    session.flush()
    return settings_of(session, user)


def review_result(session: Session, user_id: int, subject: str, name: str, approved: bool, reason: str | None,
                  ref: str, decided_at: datetime) -> int | None:
    """Tell the owner an operator approved or rejected their `subject` (资料 / 案例 / 资质 / 需求); `ref` names the
    object and `decided_at` the decision, so a reversed decision notifies again but a retry does not."""
    if approved:
        title, body = f"{subject}审核通过", f"您的{subject}「{name}」已通过审核"
    else:
        title, body = f"{subject}未通过审核", f"您的{subject}「{name}」未通过审核：{reason or '请修改后重新提交'}"
    return notify(session, user_id, Kind.REVIEW_RESULT, title, body, booking_id=None,
                  step=f"review-result:{ref}:{int(decided_at.timestamp() * 1000)}")
