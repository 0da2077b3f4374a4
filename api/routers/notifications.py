"""The notification centre and each user's 通知设置 (which kinds reach them on which channel)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Ctx, Db, Me, Page, PageSize, PathId
from domain.notifications import service
from domain.notifications.delivery import subscribe_templates
from domain.notifications.kinds import CATALOGUE, Kind
from domain.notifications.schemas import (
    NotificationPage,
    NotificationSettings,
    SettingsIn,
    SubscribeTemplate,
    SubscribeTemplates,
    SubscriptionsIn,
)

router = APIRouter(tags=["notifications"])

# When the mini-program asks for subscriptions (WeChat shows at most three templates per request).
AFTER_BOOKING = (Kind.BOOKING_RESULT, Kind.CONTRACT, Kind.CANCELLATION)
AFTER_PAYMENT = (Kind.PAYMENT_DUE, Kind.SHOW_TOMORROW, Kind.REFUND)


@router.get("/notifications", response_model=NotificationPage, summary="通知中心（分页，最新在前）")
def list_notifications(
    me: Me, db: Db, unread_only: bool = False,
    page: Page = 1,
    page_size: PageSize = 20,
    limit: Annotated[int | None, Query(ge=1, le=100, deprecated=True,
                                       description="旧参数，等同 page_size；请改用 page/page_size")] = None,
) -> NotificationPage:
    return service.page(db, me.user.id, unread_only=unread_only, page=page,
                        page_size=page_size if limit is None else limit)


@router.get("/notifications/unread-count", summary="未读通知数")
def unread(me: Me, db: Db) -> dict[str, int]:
    return {"unread": service.unread_count(db, me.user.id)}


@router.post("/notifications/{notification_id}/read", summary="标记已读")
def read_one(notification_id: PathId, me: Me, db: Db) -> dict[str, int]:
    service.mark_one_read(db, me.user.id, notification_id)
    return {"unread": service.unread_count(db, me.user.id)}


@router.post("/notifications/read-all", summary="全部标记已读")
def read_all(me: Me, db: Db) -> dict[str, int]:
    service.mark_all_read(db, me.user.id)
    return {"unread": 0}


@router.get("/me/notification-settings", response_model=NotificationSettings, summary="通知设置")
def get_settings(me: Me, db: Db) -> NotificationSettings:
    """Every kind with its channels: 站内通知 always on, 微信订阅消息, and 短信 for urgent kinds only."""
    return service.settings_of(db, me.user)


@router.put("/me/notification-settings", response_model=NotificationSettings, summary="修改通知设置")
def put_settings(body: SettingsIn, me: Me, db: Db) -> NotificationSettings:
    return service.update_settings(db, me.user, body)


@router.post("/me/notification-settings/subscriptions", response_model=NotificationSettings,
             summary="记录已同意的订阅消息")
def add_subscriptions(body: SubscriptionsIn, me: Me, db: Db, ctx: Ctx) -> NotificationSettings:
    """What uni.requestSubscribeMessage answered 'accept' for: each accepted template allows one message of its
    kinds. Unknown template ids are ignored (an old app version may ask for retired ones)."""
    by_template: dict[str, list[Kind]] = {}
    for kind, template in subscribe_templates(ctx.settings).items():
        if kind in Kind.__members__.values():
            by_template.setdefault(template, []).append(Kind(kind))
    kinds = [k for t in body.accepted for k in by_template.get(t, [])]
    return service.add_subscriptions(db, me.user, kinds)


@router.get("/meta/subscribe-templates", response_model=SubscribeTemplates, summary="订阅消息模板（公开）")
def templates(ctx: Ctx) -> SubscribeTemplates:
    """The template ids the mini-program asks the user to accept, per kind, and which to ask for after submitting a
    booking request and after paying. `sandbox`: ids are not real WeChat templates (沙箱), don't ask."""
    ids = subscribe_templates(ctx.settings)
    sandbox = not (ctx.settings.wechat_appid and ctx.settings.wechat_secret)
    items = [SubscribeTemplate(kind=k, label=CATALOGUE[k].label, template_id=ids[k.value])
             for k in CATALOGUE if k.value in ids]
    return SubscribeTemplates(sandbox=sandbox, templates=items,
                              after_booking=[ids[k.value] for k in AFTER_BOOKING if k.value in ids],
                              after_payment=[ids[k.value] for k in AFTER_PAYMENT if k.value in ids])
