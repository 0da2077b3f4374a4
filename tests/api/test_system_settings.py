"""系统设置 through the API: every rule listed with its label, group and default; refused values change nothing;
each change kept with who, when, before and after; a changed rule takes effect where the platform reads it; the
customer-service contact is public; the integration status names the sandbox adapters and shows no secret."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.db import get_engine
from domain.models import Booking, SettingChange
from domain.system import service
from domain.system.registry import RULES
from tests.factories import inquiry_body, verified_pair
from tests.helpers import V1, bearer, make_operator, operator_token, register_artist, register_client, sms_login


async def _put(api: httpx.AsyncClient, ops: str, key: str, value: object) -> httpx.Response:
    return await api.put(f"{V1}/admin/settings", headers=bearer(ops), json={"key": key, "value": value})


async def _projected(db: Session, booking_id: int) -> Booking:
    """The booking row once the workflow's first step wrote its response deadline."""
    for _ in range(200):
        db.expire_all()
        row = db.get(Booking, booking_id)
        if row is not None and row.deadline_at is not None:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"booking {booking_id} has no deadline")


async def _values(api: httpx.AsyncClient, ops: str) -> dict[str, object]:
    res = await api.get(f"{V1}/admin/settings", headers=bearer(ops))
    assert res.status_code == 200, res.text
    return {r["key"]: r["value"] for r in res.json()}


async def test_every_rule_is_listed_by_group_with_label_bounds_and_default(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    rows = (await api.get(f"{V1}/admin/settings", headers=bearer(ops))).json()
    assert [r["key"] for r in rows] == [r.key for r in RULES]
    by_key = {r["key"]: r for r in rows}
    # The rules the services read: deadlines, tiers, commission, settlement, verification, registration, service.
    for key in ("booking.response_hours", "booking.contract_hours", "booking.deposit_hours",
                "booking.balance_due_days", "booking.auto_confirm_hours", "booking.cancellation_tiers",
                "booking.commission_rate_bp", "booking.settlement_dispute_window_hours",
                "booking.settlement_auto_approve_days", "booking.require_verification",
                "verification.organisation_licence_required", "registration.client_open",
                "registration.artist_open", "service.phone", "service.wechat", "service.hours"):
        assert key in by_key, key
    commission = by_key["booking.commission_rate_bp"]
    assert (commission["label"], commission["group_label"], commission["kind"], commission["value"],
            commission["default"], commission["min"], commission["max"], commission["unit"]) == (
        "平台佣金比例", "佣金与结算", "int", 1000, 1000, 0, 5000, "基点")
    assert by_key["booking.response_hours"]["updated_at"] is None  # never changed: the default is in effect
    assert by_key["booking.cancellation_tiers"]["value"][0] == {"days_before": 30, "refund_percent": 100}
    # Operators only: a user token is refused, no token is 401.
    client = await register_client(api, "13800000001")
    assert (await api.get(f"{V1}/admin/settings", headers=bearer(client))).status_code == 403
    assert (await api.get(f"{V1}/admin/settings")).status_code == 401


async def test_refused_values_answer_422_in_chinese_and_change_nothing(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    before = await _values(api, ops)
    refused = [
        ("booking.commission_rate_bp", 5001, "「平台佣金比例」须为 0 到 5000 之间的整数（基点）"),
        ("booking.commission_rate_bp", "800", "「平台佣金比例」须为 0 到 5000 之间的整数（基点）"),
        ("booking.response_hours", 0, "「艺人响应时限」须为 1 到 720 之间的整数（小时）"),
        ("booking.settlement_auto_approve_days", True, "「结算自动审批」须为 0 到 90 之间的整数（天）"),
        ("booking.require_verification", 1, "「预约须先实名认证」须为开或关"),
        ("booking.cancellation_tiers", [{"days_before": 7, "refund_percent": 50},
                                        {"days_before": 7, "refund_percent": 20},
                                        {"days_before": 0, "refund_percent": 0}],
         "「默认取消退款阶梯」的距演出天数不能重复"),
        ("booking.cancellation_tiers", [{"days_before": 30, "refund_percent": 20},
                                        {"days_before": 0, "refund_percent": 60}],
         "「默认取消退款阶梯」中距演出越近，退款比例不能越高"),
        ("booking.cancellation_tiers", [{"days_before": 30, "refund_percent": 100}],
         "「默认取消退款阶梯」须包含距演出 0 天的一条（演出前最后时刻取消的退款比例）"),
        ("booking.cancellation_tiers", [], "「默认取消退款阶梯」须为 1 到 10 条阶梯"),
        ("booking.cancellation_tiers", [{"days_before": 0, "refund_percent": 101}],
         "「默认取消退款阶梯」的退款比例须为 0 到 100 之间的整数"),
        ("service.phone", "call me", "「客服电话」格式不正确：只能包含数字、空格、+ 和 -，5 到 20 位"),
        ("service.hours", "工作日\u202e9:00", "「客服时间」包含不允许的控制字符或隐藏字符"),
        ("service.hours", "很" * 61, "「客服时间」最多 60 个字"),
        ("service.wechat", 12345678, "「客服微信」须为文字"),
    ]
    for key, value, message in refused:
        res = await _put(api, ops, key, value)
        assert res.status_code == 422, (key, value, res.text)
        assert res.json()["code"] == "setting_invalid" and res.json()["message"] == message, res.json()
    unknown = await _put(api, ops, "booking.free_lunch", True)
    assert unknown.status_code == 422 and unknown.json()["code"] == "setting_unknown"
    assert unknown.json()["message"] == "没有这项规则"
    assert (await api.put(f"{V1}/admin/settings", headers=bearer(ops), json={"key": "x"})).status_code == 422
    assert await _values(api, ops) == before
    assert db.scalar(select(SettingChange.id).limit(1)) is None


async def test_each_change_is_kept_with_who_when_before_and_after(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    other = make_operator(db, "ops-li")
    other.display_name = "运营小李"
    db.commit()
    login = await api.post(f"{V1}/admin/auth/login", json={"username": "ops-li", "password": "ops-password-1"})
    li = login.json()["access_token"]

    first = await _put(api, ops, "booking.commission_rate_bp", 800)
    assert first.status_code == 200 and first.json()["value"] == 800 and first.json()["updated_by"] == "运营小王"
    assert (await _put(api, li, "booking.commission_rate_bp", 1200)).status_code == 200
    assert (await _put(api, li, "booking.commission_rate_bp", 1200)).status_code == 200  # unchanged: no row
    tiers = [{"days_before": 0, "refund_percent": 0}, {"days_before": 15, "refund_percent": 80}]
    saved = await _put(api, ops, "booking.cancellation_tiers", tiers)
    assert saved.json()["value"] == sorted(tiers, key=lambda t: -t["days_before"])  # kept far-to-near

    res = await api.get(f"{V1}/admin/settings/booking.commission_rate_bp/history", headers=bearer(ops))
    assert res.status_code == 200, res.text
    history = res.json()
    assert [(h["before"], h["after"], h["operator_name"]) for h in history] == [
        (800, 1200, "运营小李"), (1000, 800, "运营小王")]
    assert history[0]["created_at"] >= history[1]["created_at"]
    tier_history = (await api.get(f"{V1}/admin/settings/booking.cancellation_tiers/history",
                                  headers=bearer(ops))).json()
    assert tier_history[0]["before"][1] == {"days_before": 7, "refund_percent": 50}
    assert tier_history[0]["after"] == [{"days_before": 15, "refund_percent": 80},
                                        {"days_before": 0, "refund_percent": 0}]
    listed = {r["key"]: r for r in (await api.get(f"{V1}/admin/settings", headers=bearer(ops))).json()}
    assert listed["booking.commission_rate_bp"]["value"] == 1200
    assert listed["booking.commission_rate_bp"]["updated_by"] == "运营小李"
    assert (await api.get(f"{V1}/admin/settings/booking.nothing/history", headers=bearer(ops))).status_code == 422
    assert (await api.get(f"{V1}/admin/settings/booking.response_hours/history", headers=bearer(ops))).json() == []


async def test_customer_service_contact_is_public(api: httpx.AsyncClient, db: Session):
    assert (await api.get(f"{V1}/meta/customer-service")).json() == {"phone": "", "wechat": "", "hours": ""}
    ops = await operator_token(api, db)
    for key, value in (("service.phone", "400-820-8820"), ("service.wechat", "yanyue_kefu"),
                       ("service.hours", "工作日 9:00-18:00")):
        assert (await _put(api, ops, key, value)).status_code == 200
    assert (await _put(api, ops, "service.hours", "  每天 10:00-22:00 ")).json()["value"] == "每天 10:00-22:00"
    assert (await api.get(f"{V1}/meta/customer-service")).json() == {
        "phone": "400-820-8820", "wechat": "yanyue_kefu", "hours": "每天 10:00-22:00"}


async def test_registration_and_verification_rules_take_effect(api_with_temporal: httpx.AsyncClient, db: Session):
    api = api_with_temporal
    ops = await operator_token(api, db)
    existing = await register_artist(api, "13900000009")
    assert (await _put(api, ops, "registration.artist_open", False)).status_code == 200
    newcomer = (await sms_login(api, "13900000010"))["access_token"]
    res = await api.put(f"{V1}/me/artist-profile", headers=bearer(newcomer), json={
        "stage_name": "新人", "artist_types": ["singer"], "styles": ["流行"], "city": "北京",
        "contact_phone": "13900000010"})
    assert res.status_code == 409 and res.json()["code"] == "registration_closed", res.text
    assert res.json()["message"] == "平台暂停新艺人入驻，请联系客服"
    # An artist already registered keeps working; clients still register.
    kept = await api.put(f"{V1}/me/artist-profile", headers=bearer(existing), json={
        "stage_name": "林晚晴", "artist_types": ["singer"], "styles": ["流行"], "city": "北京",
        "contact_phone": "13900000019"})
    assert kept.status_code == 200, kept.text
    client = await register_client(api, "13800000010")
    assert (await _put(api, ops, "registration.client_open", False)).status_code == 200
    other = (await sms_login(api, "13800000011"))["access_token"]
    closed = await api.put(f"{V1}/me/client-profile", headers=bearer(other), json={
        "org_name": "某公司", "industry": "enterprise", "contact_name": "张", "contact_phone": "13800000011"})
    assert closed.status_code == 409 and closed.json()["code"] == "registration_closed"

    # An organisation without a licence is refused while the rule holds, accepted once it is off.
    body = {"subject": "organisation", "legal_name": "王小明", "id_number": "11010519491231002X"}
    refused = await api.post(f"{V1}/me/verification", headers=bearer(client), json=body)
    assert refused.status_code == 422 and refused.json()["code"] == "licence_required", refused.text
    assert (await _put(api, ops, "verification.organisation_licence_required", False)).status_code == 200
    accepted = await api.post(f"{V1}/me/verification", headers=bearer(client), json=body)
    assert accepted.status_code == 200, accepted.text


async def test_changed_rules_reach_new_bookings_not_old_ones(api_with_temporal: httpx.AsyncClient, db: Session,
                                                            temporal_env):  # type: ignore[no-untyped-def]
    api = api_with_temporal
    ops = await operator_token(api, db)
    client, artist, aid = await verified_pair(api, db, "13800000021", "13900000021")
    old = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([aid]))
    assert old.status_code == 201, old.text
    old_id = old.json()["bookings"][0]["id"]

    for key, value in (("booking.commission_rate_bp", 750), ("booking.response_hours", 10),
                       ("booking.balance_due_days", 5),
                       ("booking.cancellation_tiers", [{"days_before": 14, "refund_percent": 80},
                                                       {"days_before": 0, "refund_percent": 10}])):
        assert (await _put(api, ops, key, value)).status_code == 200
    # The artist's quote form starts from the same defaults (public).
    assert (await api.get(f"{V1}/meta/quote-defaults")).json() == {
        "balance_due_days": 5, "cancellation_tiers": [{"days_before": 14, "refund_percent": 80},
                                                      {"days_before": 0, "refund_percent": 10}]}
    new = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([aid], days=41))
    assert new.status_code == 201, new.text
    new_id = new.json()["bookings"][0]["id"]
    old_row, new_row = await _projected(db, old_id), await _projected(db, new_id)
    # The commission is snapshotted when the booking is made; the response deadline follows the rule then.
    assert (old_row.commission_rate_bp, new_row.commission_rate_bp) == (1000, 750)
    # Measured from each workflow's own start: the time-skipping server's clock runs ahead of the database's.
    for row, hours in ((new_row, 10), (old_row, 48)):
        started = (await temporal_env.client.get_workflow_handle(f"booking-{row.id}").describe()).start_time
        assert abs(row.deadline_at - (started + timedelta(hours=hours))) < timedelta(minutes=1)

    # A quote that leaves the balance due days and refund tiers out gets the platform's defaults.
    res = await api.post(f"{V1}/bookings/{new_id}/actions/confirm", headers=bearer(artist),
                         json={"quote": {"fee_amount": 1_000_000, "deposit_percent": 30}})
    assert res.status_code == 200, res.text
    quote = res.json()["booking"]["quote"]
    assert quote["balance_due_days"] == 5
    assert quote["cancellation_tiers"] == [{"days_before": 14, "refund_percent": 80},
                                           {"days_before": 0, "refund_percent": 10}]
    # The artist's own terms win over the defaults.
    res = await api.post(f"{V1}/bookings/{old_id}/actions/confirm", headers=bearer(artist), json={"quote": {
        "fee_amount": 1_000_000, "deposit_percent": 30, "balance_due_days": 2,
        "cancellation_tiers": [{"days_before": 0, "refund_percent": 40}]}})
    assert res.status_code == 200, res.text
    assert res.json()["booking"]["quote"]["balance_due_days"] == 2
    assert res.json()["booking"]["quote"]["cancellation_tiers"] == [{"days_before": 0, "refund_percent": 40}]


async def test_integration_status_names_the_sandbox_adapters_and_no_secret(api: httpx.AsyncClient, db: Session,
                                                                          ctx, settings):  # type: ignore[no-untyped-def]
    ops = await operator_token(api, db)
    res = await api.get(f"{V1}/admin/system/integrations", headers=bearer(ops))
    assert res.status_code == 200, res.text
    rows = {(r["kind"], r["backend"]): r for r in res.json()}
    for kind, backend in (("sms", "sandbox"), ("wechat_login", "sandbox"), ("content_security", "sandbox"),
                          ("realname", "sandbox"), ("payment", "sandbox"), ("payout", "sandbox"),
                          ("subscribe_message", "sandbox"), ("notify_sms", "sandbox")):
        row = rows[(kind, backend)]
        assert row["sandbox"] is True and row["status"] == "ok" and row["detail"].startswith("沙箱"), row
    assert rows[("payment", "sandbox")]["backend_label"] == "沙箱支付（默认）"
    for kind, backend in (("database", "postgresql"), ("search", "postgresql"), ("storage", "local")):
        assert rows[(kind, backend)]["sandbox"] is False and rows[(kind, backend)]["status"] == "ok"
    # This test app's Temporal address answers nothing: shown as down, within the probe's time limit.
    temporal = rows[("temporal", "temporal-dev-server")]
    assert temporal["status"] == "down" and temporal["latency_ms"] < 4000
    assert {r["label"] for r in res.json()} >= {"短信", "微信登录", "内容安全", "支付渠道", "出款渠道", "艺人搜索",
                                                "对象存储", "工作流引擎 Temporal", "数据库", "实名核验"}
    for secret in (settings.secret("jwt_secret"), ctx.database_url, "test-payment-sandbox-secret",
                   "test-storage-signing-secret", "test-push-token"):
        assert secret not in res.text
    client = await register_client(api, "13800000031")
    assert (await api.get(f"{V1}/admin/system/integrations", headers=bearer(client))).status_code == 403



def test_two_first_changes_of_a_rule_queue_and_chain(db: Session, database_url: str):
    """Two operators change a never-changed rule at the same moment (each in its own transaction): the second
    waits for the first instead of colliding on the new row (a 500), and its `before` is the first one's
    `after`."""
    op_id = make_operator(db).id
    engine = get_engine(database_url)
    first = Session(engine)
    service.change_setting(first, "booking.deposit_hours", 12, op_id)  # row written and locked, not committed
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with Session(engine) as other:
                service.change_setting(other, "booking.deposit_hours", 30, op_id)
                other.commit()
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # waiting for the first change's lock
    first.commit()
    first.close()
    thread.join(10)
    assert not failures, failures
    db.expire_all()
    rows = db.scalars(select(SettingChange).where(SettingChange.key == "booking.deposit_hours")
                      .order_by(SettingChange.id)).all()
    assert [(r.before, r.after) for r in rows] == [(24, 12), (12, 30)]
