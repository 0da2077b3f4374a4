"""Notifications that reach people: 通知设置 through the API, the delivery rows `notify` writes by those settings,
and the requests each channel makes, checked against the loopback fakes of WeChat (subscribeMessage.send) and of
the SMS providers (Aliyun, Tencent Cloud)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.models import Booking, Notification, NotificationDelivery, NotificationSetting, User
from domain.notifications import delivery, reminders
from domain.notifications.delivery import Channels, TransientDeliveryError
from domain.notifications.kinds import Kind
from domain.notifications.service import notify
from domain.time import utc_now
from integrations.errors import IntegrationError
from integrations.sms.aliyun import AliyunSmsSender
from integrations.sms.sandbox import SandboxSmsSender
from integrations.sms.tencent import TencentSmsSender
from integrations.wechat.miniprogram import WechatMiniProgramAuth
from integrations.wechat.subscribe import SandboxSubscribeMessenger, WechatSubscribeMessenger
from tests.factories import (
    demand_body,
    inquiry_body,
    insert_booking,
    profile_draft,
    user_id,
    user_row,
    verified_pair,
    verify_phones,
)
from tests.fakes.aliyun_sms import FakeAliyunSms
from tests.fakes.tencent_cloud import FakeTencentCloud
from tests.fakes.wechat_api import FakeWechatApi, fake_wechat_api
from tests.helpers import V1, bearer, operator_token, register_artist, register_client

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
TEMPLATES = {"booking_request": "tpl-request-AbC123", "show_tomorrow": "tpl-show-XyZ789",
             "cancellation": "tpl-cancel-Qw12"}


def _kind(settings: dict, kind: str) -> dict:
    return next(k for k in settings["kinds"] if k["kind"] == kind)


def _channels(settings: dict, kind: str) -> dict[str, bool]:
    return {c["channel"]: c["enabled"] for c in _kind(settings, kind)["channels"]}


def _rows(db: Session, note_id: int) -> dict[str, NotificationDelivery]:
    db.expire_all()
    return {d.channel: d for d in db.scalars(select(NotificationDelivery)
                                             .where(NotificationDelivery.notification_id == note_id))}


# --- 通知设置 -------------------------------------------------------------------------------------------------


async def test_settings_offer_sms_only_for_urgent_kinds_and_keep_in_app_on(api: httpx.AsyncClient, db: Session):
    token = await register_client(api, "13800000301")
    res = await api.get(f"{V1}/me/notification-settings", headers=bearer(token))
    assert res.status_code == 200, res.text
    settings = res.json()
    assert settings["phone_bound"] is True and settings["wechat_bound"] is False
    assert _channels(settings, "booking_request") == {"in_app": True, "wechat": True, "sms": True}
    assert _channels(settings, "show_tomorrow") == {"in_app": True, "wechat": True, "sms": True}
    assert _channels(settings, "settlement") == {"in_app": True, "wechat": True}  # not urgent: no SMS offered
    urgent = {k["kind"] for k in settings["kinds"] if k["urgent"]}
    assert urgent == {"booking_request", "payment_due", "show_tomorrow", "cancellation"}
    assert _kind(settings, "review_result")["label"] == "审核结果"

    res = await api.put(f"{V1}/me/notification-settings", headers=bearer(token), json={"changes": [
        {"kind": "show_tomorrow", "channel": "sms", "enabled": False},
        {"kind": "settlement", "channel": "wechat", "enabled": False}]})
    assert res.status_code == 200, res.text
    assert _channels(res.json(), "show_tomorrow")["sms"] is False
    assert _channels(res.json(), "settlement")["wechat"] is False

    # A request with one change the catalogue refuses changes nothing, and says why.
    for bad, code in (({"kind": "settlement", "channel": "sms", "enabled": True}, "notification_channel_not_offered"),
                      ({"kind": "dispute", "channel": "in_app", "enabled": False}, "notification_in_app_locked")):
        res = await api.put(f"{V1}/me/notification-settings", headers=bearer(token), json={"changes": [
            {"kind": "show_tomorrow", "channel": "sms", "enabled": True}, bad]})
        assert res.status_code == 400 and res.json()["code"] == code, res.text
    bodies: list[dict] = [{"changes": []}, {"changes": [{"kind": "nope", "channel": "sms", "enabled": True}]}, {}]
    for body in bodies:
        assert (await api.put(f"{V1}/me/notification-settings", headers=bearer(token), json=body)).status_code == 422
    after = (await api.get(f"{V1}/me/notification-settings", headers=bearer(token))).json()
    assert _channels(after, "show_tomorrow")["sms"] is False
    # Someone else's settings are their own.
    other = await register_client(api, "13800000302")
    theirs = (await api.get(f"{V1}/me/notification-settings", headers=bearer(other))).json()
    assert _channels(theirs, "show_tomorrow")["sms"] is True


async def test_subscribe_templates_are_public_and_accepted_ones_allow_one_message_each(api: httpx.AsyncClient,
                                                                                        db: Session):
    meta = (await api.get(f"{V1}/meta/subscribe-templates")).json()
    assert meta["sandbox"] is True  # no WeChat configured in tests: 沙箱 ids, the app does not ask
    ids = {t["kind"]: t["template_id"] for t in meta["templates"]}
    assert ids["booking_result"] == "sandbox-booking_result"
    assert meta["after_booking"] == [ids["booking_result"], ids["contract"], ids["cancellation"]]
    assert meta["after_payment"] == [ids["payment_due"], ids["show_tomorrow"], ids["refund"]]

    token = await register_client(api, "13800000303")
    me = await user_id(api, token)
    db.execute(update(User).where(User.id == me).values(wechat_openid=OPENID))
    db.commit()
    res = await api.post(f"{V1}/me/notification-settings/subscriptions", headers=bearer(token),
                         json={"accepted": [ids["cancellation"], "retired-template-id"]})
    assert res.status_code == 200, res.text
    assert _kind(res.json(), "cancellation")["wechat_subscribed"] == 1 and res.json()["wechat_bound"] is True

    first = notify(db, me, Kind.CANCELLATION, "预约已取消", "定金未按时支付", booking_id=None, step="t:cancel-1")
    second = notify(db, me, Kind.CANCELLATION, "预约已取消", "另一单", booking_id=None, step="t:cancel-2")
    db.commit()
    assert first is not None and second is not None
    assert _rows(db, first)["wechat"].status == "pending"  # the subscription is spent on this one
    assert (_rows(db, second)["wechat"].status, _rows(db, second)["wechat"].reason) == ("skipped", "未订阅该消息")
    assert _rows(db, first)["sms"].status == "pending"  # urgent: SMS by default


async def test_notify_writes_one_row_per_channel_by_the_users_settings(api: httpx.AsyncClient, db: Session):
    token = await register_client(api, "13800000304")
    me = await user_id(api, token)
    await api.put(f"{V1}/me/notification-settings", headers=bearer(token), json={"changes": [
        {"kind": "booking_request", "channel": "sms", "enabled": False}]})
    no_phone = user_row(db, wechat_openid="oNoPhone0001")
    no_phone.phone = None
    db.commit()

    note = notify(db, me, Kind.BOOKING_REQUEST, "收到新的演出邀约", "请及时确认", booking_id=None, step="t:req")
    again = notify(db, me, Kind.BOOKING_REQUEST, "收到新的演出邀约", "请及时确认", booking_id=None, step="t:req")
    quiet = notify(db, me, Kind.SETTLEMENT, "结算完成", "到账", booking_id=None, step="t:settle")
    nophone = notify(db, no_phone.id, Kind.SHOW_TOMORROW, "明天有演出", "准备", booking_id=None, step="t:show")
    db.commit()
    assert note is not None and again is None  # the same step notifies once
    rows = _rows(db, note)
    assert (rows["sms"].status, rows["sms"].reason) == ("skipped", "用户已关闭此渠道")
    assert (rows["wechat"].status, rows["wechat"].reason) == ("skipped", "未绑定微信")
    assert set(_rows(db, quiet or 0)) == {"wechat"}  # no SMS row for a kind that offers none
    assert (_rows(db, nophone or 0)["sms"].reason, _rows(db, nophone or 0)["wechat"].reason) == (
        "未绑定手机号", "未订阅该消息")
    listed = (await api.get(f"{V1}/notifications", headers=bearer(token))).json()
    assert {(n["kind"], n["title"]) for n in listed["items"]} == {("booking_request", "收到新的演出邀约"),
                                                                   ("settlement", "结算完成")}


# --- the requests each channel makes --------------------------------------------------------------------------


@pytest.fixture
def wx() -> Iterator[FakeWechatApi]:
    with fake_wechat_api() as fake:
        for template in TEMPLATES.values():
            fake.add_template(template)
        yield fake


def wechat_channels(wx: FakeWechatApi, sms: object = None) -> Channels:
    messenger = WechatSubscribeMessenger(WechatMiniProgramAuth(wx.appid, wx.secret, api_base=wx.base_url))
    return Channels(wechat=messenger, sms=sms or SandboxSmsSender(),  # type: ignore[arg-type]
                    wechat_templates=dict(TEMPLATES), sms_templates={})


def _pending(db: Session, user: User, kind: Kind, step: str, booking_id: int | None = None,
             title: str = "明天有演出", body: str = "演出将于12月05日 19:30开始，请提前做好准备") -> dict[str, int]:
    """A notification of `kind` whose WeChat row is pending (the user accepted the template once); {channel: id}."""
    db.merge(NotificationSetting(user_id=user.id, kind=kind.value, channel="wechat", enabled=True, credits=1))
    db.flush()
    note = notify(db, user.id, kind, title, body, booking_id=booking_id, step=step)
    db.commit()
    assert note is not None
    return {c: r.id for c, r in _rows(db, note).items()}


def test_subscribe_message_request_carries_template_openid_data_and_page(wx: FakeWechatApi, db: Session):
    client = user_row(db, "13800000305", wechat_openid=OPENID)
    artist = user_row(db, "13800000306")
    db.commit()
    start = utc_now() + timedelta(hours=20)
    booking = insert_booking(db, client.id, artist.id, status="FULLY_PAID", start=start)
    wx.subscribe(OPENID, TEMPLATES["show_tomorrow"])
    ids = _pending(db, client, Kind.SHOW_TOMORROW, "t:show-1", booking_id=booking)

    assert delivery.send(db, ids["wechat"], wechat_channels(wx)) == "sent"
    db.commit()
    [sent] = wx.subscribe_sent
    assert sent["touser"] == OPENID and sent["template_id"] == TEMPLATES["show_tomorrow"]
    assert sent["page"] == f"subpkg/booking/order?id={booking}"
    assert sent["data"]["thing1"] == {"value": "明天有演出"}
    assert len(sent["data"]["thing2"]["value"]) <= 20 and sent["data"]["thing2"]["value"].endswith("…")
    assert sent["data"]["character_string4"] == {"value": str(booking)}
    assert sent["data"]["time3"]["value"].count(":") == 1  # the show's start, Shanghai time
    row = _rows_by_id(db, ids["wechat"])
    assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 1, True)
    # Sent is final: a repeated activity sends nothing more.
    assert delivery.send(db, ids["wechat"], wechat_channels(wx)) == "sent"
    assert len(wx.subscribe_sent) == 1 and wx.calls("/cgi-bin/message/subscribe/send") == 1


def _rows_by_id(db: Session, delivery_id: int) -> NotificationDelivery:
    db.expire_all()
    row = db.get(NotificationDelivery, delivery_id)
    assert row is not None
    return row


@pytest.mark.parametrize(("errcode", "reason"), [
    (43101, "用户拒绝接受消息或订阅次数已用完"), (40003, "用户的微信 openid 无效"), (40037, "订阅消息模板 id 无效")])
def test_a_permanent_wechat_refusal_is_recorded_failed_at_once(wx: FakeWechatApi, db: Session, errcode: int,
                                                               reason: str):
    openid = OPENID if errcode != 40003 else "bad"
    user = user_row(db, wechat_openid=openid)
    db.commit()
    if errcode == 40037:
        wx.templates.clear()
    elif errcode == 40003:
        wx.subscribe(openid, TEMPLATES["cancellation"])
    ids = _pending(db, user, Kind.CANCELLATION, f"t:{errcode}", title="预约已取消", body="已退款")
    assert delivery.send(db, ids["wechat"], wechat_channels(wx)) == "failed"
    db.commit()
    row = _rows_by_id(db, ids["wechat"])
    assert (row.status, row.reason, row.attempts) == ("failed", reason, 1)
    assert row.last_error is not None and f"({errcode})" in row.last_error
    assert wx.subscribe_sent == []


def test_data_the_template_refuses_is_permanent_and_a_busy_wechat_is_worth_retrying(wx: FakeWechatApi,
                                                                                    db: Session):
    user = user_row(db, wechat_openid=OPENID)
    db.commit()
    wx.subscribe(OPENID, TEMPLATES["booking_request"], times=2)
    channels = wechat_channels(wx)
    ids = _pending(db, user, Kind.BOOKING_REQUEST, "t:busy", title="收到新的演出邀约", body="请确认")
    wx.fail_openid(OPENID, -1)
    with pytest.raises(TransientDeliveryError):
        delivery.send(db, ids["wechat"], channels)
    db.rollback()
    delivery.record_attempt(db, ids["wechat"], "wechat_unavailable(-1)")
    db.commit()
    assert (_rows_by_id(db, ids["wechat"]).status, _rows_by_id(db, ids["wechat"]).attempts) == ("pending", 1)
    assert delivery.send(db, ids["wechat"], channels) == "sent"
    db.commit()
    assert _rows_by_id(db, ids["wechat"]).attempts == 2

    # A keyword value WeChat refuses (47003): the messenger only ever sends what fits, so force one through.
    with pytest.raises(IntegrationError) as exc:
        channels.wechat.send(OPENID, TEMPLATES["booking_request"], {"thing1": "超" * 21}, None)
    assert exc.value.code == "template_data_invalid" and exc.value.provider_code == "47003"


def test_urgent_sms_goes_through_the_configured_provider_with_its_template(db: Session):
    user = user_row(db, "13800000307", wechat_openid=None)
    db.commit()
    with FakeAliyunSms() as aliyun:
        aliyun.add_template("SMS_NOTIFY_SHOW")
        sender = AliyunSmsSender(access_key_id=aliyun.access_key_id, access_key_secret=aliyun.access_key_secret,
                                 sign_name=aliyun.sign_name, template_code=aliyun.template_code, endpoint=aliyun.url)
        channels = Channels(wechat=SandboxSubscribeMessenger(), sms=sender,
                            sms_templates={"show_tomorrow": "SMS_NOTIFY_SHOW"})
        ids = _pending(db, user, Kind.SHOW_TOMORROW, "t:sms-1")
        assert delivery.send(db, ids["sms"], channels) == "sent"
        db.commit()
        [sms] = aliyun.sent
        assert (sms.phone, sms.template_code, sms.sign_name) == ("13800000307", "SMS_NOTIFY_SHOW", "演约")
        assert sms.template_param == {"title": "明天有演出", "detail": "演出将于12月05日 19:30开始，请提前做好准备"}
        # A kind with no SMS template configured is skipped, not sent with the wrong one.
        ids = _pending(db, user, Kind.CANCELLATION, "t:sms-2", title="预约已取消", body="已退款")
        assert delivery.send(db, ids["sms"], channels) == "skipped"
        db.commit()
        assert _rows_by_id(db, ids["sms"]).reason == "未配置短信模板" and len(aliyun.sent) == 1
        # A template the provider does not know is permanent.
        channels.sms_templates["cancellation"] = "SMS_NOT_APPROVED"
        ids = _pending(db, user, Kind.CANCELLATION, "t:sms-3", title="预约已取消", body="已退款")
        assert delivery.send(db, ids["sms"], channels) == "failed"
        db.commit()
        assert "isv.SMS_TEMPLATE_ILLEGAL" in (_rows_by_id(db, ids["sms"]).last_error or "")

    with FakeTencentCloud() as tencent:
        tencent.add_sms_template("2100001")
        tsender = TencentSmsSender(secret_id=tencent.secret_id, secret_key=tencent.secret_key,
                                   sdk_app_id=tencent.sms_sdk_app_id, sign_name=tencent.sms_sign_name,
                                   template_id=tencent.sms_template_id, endpoint=tencent.url)
        channels = Channels(wechat=SandboxSubscribeMessenger(), sms=tsender,
                            sms_templates={"payment_due": "2100001"})
        ids = _pending(db, user, Kind.PAYMENT_DUE, "t:sms-4", title="尾款即将到期", body="请在2026-12-06前支付尾款")
        assert delivery.send(db, ids["sms"], channels) == "sent"
        db.commit()
        [tsms] = tencent.sent_sms
        assert (tsms.phone, tsms.template_id) == ("+8613800000307", "2100001")
        assert tsms.template_params == ["尾款即将到期", "请在2026-12-06前支付尾款"]


def test_day_before_reminders_notify_once(db: Session):
    client, artist, signed_client = user_row(db), user_row(db), user_row(db)
    db.commit()
    soon = insert_booking(db, client.id, artist.id, status="FULLY_PAID", start=utc_now() + timedelta(hours=10))
    insert_booking(db, client.id, artist.id, status="FULLY_PAID", start=utc_now() + timedelta(days=3))
    signed = insert_booking(db, signed_client.id, artist.id, status="SIGNED")
    b = db.get(Booking, signed)
    assert b is not None
    b.deadline_at = utc_now() + timedelta(hours=5)
    db.commit()
    assert reminders.day_before(db, utc_now()) == 3
    assert reminders.day_before(db, utc_now()) == 0
    db.commit()
    notes = db.scalars(select(Notification).order_by(Notification.id)).all()
    assert {(n.user_id, n.kind, n.booking_id) for n in notes} == {
        (client.id, "show_tomorrow", soon), (artist.id, "show_tomorrow", soon),
        (signed_client.id, "payment_due", signed)}


# --- review results ------------------------------------------------------------------------------------------


async def test_review_results_notify_the_owner(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    client = await register_client(api, "13800000308")
    verify_phones(db, "13800000308")
    demand = await api.post(f"{V1}/demands", headers=bearer(client), json=demand_body())
    assert demand.status_code == 201, demand.text
    res = await api.post(f"{V1}/admin/demands/{demand.json()['id']}/review", headers=bearer(ops),
                         json={"status": "rejected", "reason": "联系方式不能写在描述里"})
    assert res.status_code == 200, res.text

    artist = await register_artist(api, "13800000309")
    artist_id = await user_id(api, artist)
    await api.put(f"{V1}/me/artist/profile", headers=bearer(artist), json=profile_draft(stage_name="晚晴乐队"))
    await api.post(f"{V1}/me/artist/profile/submit", headers=bearer(artist))
    res = await api.post(f"{V1}/admin/profile-reviews/{artist_id}/approve", headers=bearer(ops))
    assert res.status_code == 200, res.text

    mine = (await api.get(f"{V1}/notifications", headers=bearer(client))).json()["items"]
    assert [(n["kind"], n["title"]) for n in mine] == [("review_result", "需求未通过审核")]
    assert mine[0]["body"].endswith("未通过审核：联系方式不能写在描述里")
    theirs = (await api.get(f"{V1}/notifications", headers=bearer(artist))).json()["items"]
    assert [(n["kind"], n["title"], n["body"]) for n in theirs] == [
        ("review_result", "艺人资料审核通过", "您的艺人资料「晚晴乐队」已通过审核")]


async def test_a_booking_request_notifies_the_artist_as_urgent_and_the_worker_delivers_it(
        api_with_temporal: httpx.AsyncClient, db: Session):
    api = api_with_temporal
    client, artist, artist_id = await verified_pair(api, db, "13800000310", "13800000311")
    res = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([artist_id]))
    assert res.status_code == 201, res.text
    for _ in range(100):  # the workflow's first step writes the notification; the dispatcher sends it
        db.expire_all()
        rows = db.scalars(select(NotificationDelivery).where(NotificationDelivery.user_id == artist_id)).all()
        if rows and all(r.status != "pending" for r in rows):
            break
        await asyncio.sleep(0.1)
    theirs = (await api.get(f"{V1}/notifications", headers=bearer(artist))).json()["items"]
    assert [(n["kind"], n["title"]) for n in theirs] == [("booking_request", "收到新的演出邀约")]
    by_channel = {r.channel: r for r in rows}
    # The test worker has no SMS provider: the 沙箱 sends it and the row says nothing really left.
    assert (by_channel["sms"].status, by_channel["sms"].reason) == ("sent", "沙箱：未真正发出")
    assert (by_channel["wechat"].status, by_channel["wechat"].reason) == ("skipped", "未绑定微信")


def test_a_row_whose_workflow_was_lost_ends_failed(db: Session):
    user = user_row(db, wechat_openid="oLostWorkflow01")
    db.commit()
    ids = _pending(db, user, Kind.SHOW_TOMORROW, "t:lost")
    db.execute(update(NotificationDelivery).where(NotificationDelivery.id == ids["sms"])
               .values(dispatched_at=utc_now() - timedelta(hours=3)))
    db.execute(update(NotificationDelivery).where(NotificationDelivery.id == ids["wechat"])
               .values(dispatched_at=utc_now() - timedelta(minutes=10)))
    assert delivery.fail_stale(db, utc_now()) == 1
    db.commit()
    lost = _rows_by_id(db, ids["sms"])
    assert (lost.status, lost.reason) == ("failed", "发送流程中断，已停止")
    assert _rows_by_id(db, ids["wechat"]).status == "pending"  # its workflow may still be retrying


async def test_configured_templates_are_what_the_app_asks_for(api: httpx.AsyncClient, ctx: AppContext, db: Session):
    ctx.settings = ctx.settings.model_copy(update={
        "wechat_appid": "wx0123456789abcdef", "wechat_secret": "configured-secret",
        "wechat_subscribe_templates": {**TEMPLATES, "booking_result": "tpl-quote-Mn34"}})
    meta = (await api.get(f"{V1}/meta/subscribe-templates")).json()
    assert meta["sandbox"] is False
    assert {t["kind"]: t["template_id"] for t in meta["templates"]} == {**TEMPLATES, "booking_result": "tpl-quote-Mn34"}
    assert meta["after_booking"] == ["tpl-quote-Mn34", "tpl-cancel-Qw12"]  # kinds without a template are left out
    assert meta["after_payment"] == ["tpl-show-XyZ789"]

    token = await register_client(api, "13800000312")
    res = await api.post(f"{V1}/me/notification-settings/subscriptions", headers=bearer(token),
                         json={"accepted": ["tpl-quote-Mn34", "tpl-quote-Mn34", "sandbox-refund"]})
    assert res.status_code == 200, res.text
    counts = {k["kind"]: k["wechat_subscribed"] for k in res.json()["kinds"] if k["wechat_subscribed"]}
    assert counts == {"booking_result": 1}  # one acceptance, one message; the sandbox id means nothing here
    too_many = await api.post(f"{V1}/me/notification-settings/subscriptions", headers=bearer(token),
                              json={"accepted": ["x"] * 21})
    assert too_many.status_code == 422
