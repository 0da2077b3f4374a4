"""WeChat Pay (API v3) through the API against the loopback fake: JSAPI orders with signed requestPayment
parameters, verified notifications (×10 is one payment and one signal; stale, forged, probe and tampered ones
refused), a lost callback found by query, refunds finished by refund notifications, closing orders, and the
payer's choice between WeChat Pay and Alipay when both are configured."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from activities.payment_reconciliation import PaymentReconciler
from api.context import AppContext
from domain.db import session_scope
from domain.models import Booking, PaymentNotification, PaymentOrder, Refund, User
from domain.payments import service
from domain.payments.gateway import Payer
from domain.payments.registry import Gateways
from domain.payments.sandbox import SandboxGateway
from domain.payments.wechatpay import CALLBACK_PATH, REFUND_CALLBACK_PATH, WechatPayGateway
from domain.time import SHANGHAI
from integrations.errors import IntegrationError
from tests.api.test_payments import (  # noqa: F401 - fixtures
    PaymentSignalCounter,
    _received,
    _signals,
    workflows,
)
from tests.factories import insert_booking, user_row
from tests.fakes.alipay import FakeAlipay
from tests.fakes.wechatpay import APPID, FakeWechatPay, new_key

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture(scope="module")
def wx() -> Iterator[FakeWechatPay]:
    with FakeWechatPay() as fake:
        yield fake


@pytest.fixture(scope="module")
def ali() -> Iterator[FakeAlipay]:
    with FakeAlipay() as fake:
        yield fake


@pytest.fixture
def wechatpay(ctx: AppContext, wx: FakeWechatPay, ali: FakeAlipay) -> WechatPayGateway:
    """The app under test has WeChat Pay (default), Alipay and the sandbox configured at once."""
    gateway = wx.gateway()
    assert isinstance(ctx.payments, SandboxGateway)
    ctx.payments = Gateways([gateway, ali.gateway(), ctx.payments], default="wechatpay")
    return gateway


def _booking(db: Session, deposit: int = 3_000_00, balance: int = 7_000_00, status: str = "SIGNED") -> int:
    client, artist = user_row(db), user_row(db)
    db.execute(update(User).where(User.id == client.id).values(wechat_openid=f"{OPENID}{client.id}"))
    db.commit()
    return insert_booking(db, client.id, artist.id, status=status, start=datetime(2027, 3, 1, 12, tzinfo=UTC),
                          fee_amount=deposit + balance, deposit_amount=deposit, balance_amount=balance)


def _order(db: Session, gateway: WechatPayGateway, booking_id: int, kind: str = "deposit",
           amount: int = 3_000_00) -> service.PaymentStart:
    started = service.create_order(db, gateway, booking_id, kind, amount)
    db.commit()
    return started


def _fresh(db: Session, order_id: str) -> PaymentOrder:
    db.expire_all()
    order = db.get(PaymentOrder, order_id)
    assert order is not None
    return order


def _inbox(db: Session, order_id: str) -> int:
    return db.scalar(select(func.count()).where(PaymentNotification.order_id == order_id)) or 0


async def test_jsapi_order_gives_signed_request_payment_params(db: Session, wechatpay: WechatPayGateway,
                                                               wx: FakeWechatPay):
    booking_id = _booking(db)
    started = _order(db, wechatpay, booking_id)
    p = started.pay_params
    assert p is not None and started.pay_url == "" and set(p) == {"appId", "timeStamp", "nonceStr", "package",
                                                                   "signType", "paySign"}
    assert p["appId"] == APPID and p["signType"] == "RSA" and p["package"].startswith("prepay_id=wx")
    # paySign: RSA-SHA256 by the merchant key over appId, timeStamp, nonceStr, package (what WeChat checks).
    message = f"{p['appId']}\n{p['timeStamp']}\n{p['nonceStr']}\n{p['package']}\n".encode()
    wx.merchant_key.public_key().verify(base64.b64decode(p["paySign"]), message, padding.PKCS1v15(),
                                        hashes.SHA256())
    assert wx.orders[started.order.id].openid == f"{OPENID}{_client(db, booking_id)}"
    assert _fresh(db, started.order.id).pay_params == p
    # Asking again: the same out_trade_no and prepay id.
    again = _order(db, wechatpay, booking_id)
    assert again.order.id == started.order.id and again.pay_params and again.pay_params["package"] == p["package"]

    # Another amount (the quote changed): a new order, and the old one is closed at WeChat so it can't be paid.
    changed = _order(db, wechatpay, booking_id, "deposit", 2_500_00)
    assert changed.order.id != started.order.id and wx.orders[started.order.id].state == "CLOSED"
    assert _fresh(db, started.order.id).status == "closed"

    # A client without a WeChat login can't pay by JSAPI: a clear 4xx-type error, not a retry.
    db.execute(update(User).where(User.id == _client(db, booking_id)).values(wechat_openid=None))
    db.commit()
    with pytest.raises(IntegrationError) as err:
        _order(db, wechatpay, booking_id, "balance", 7_000_00)
    assert err.value.status == 400 and err.value.message == "请在微信小程序中使用微信支付"
    db.rollback()


def _client(db: Session, booking_id: int) -> int:
    booking = db.get(Booking, booking_id)
    assert booking is not None
    return booking.client_id


async def test_the_same_notification_ten_times_is_one_payment_and_one_signal(
        api: httpx.AsyncClient, db: Session, wechatpay: WechatPayGateway, wx: FakeWechatPay, workflows):  # type: ignore[no-untyped-def]  # noqa: F811
    flows, queue = workflows
    handles = {}
    for booking_id in (_booking(db), _booking(db)):  # two bookings: no key is global
        handles[booking_id] = await flows.booking(booking_id, queue)
        order_id = _order(db, wechatpay, booking_id).order.id
        headers, body = wx.pay(order_id)
        answers = await asyncio.gather(*(api.post(CALLBACK_PATH, content=body, headers=headers) for _ in range(10)))
        assert [a.status_code for a in answers] == [200] * 10 and answers[0].json()["code"] == "SUCCESS"
        order = _fresh(db, order_id)
        assert order.status == "paid" and order.gateway_txn_id == wx.orders[order_id].transaction_id
        assert _inbox(db, order_id) == 1
        received = await _received(handles[booking_id], 1)
        assert [(r.order_id, r.amount, r.gateway) for r in received] == [(order_id, 3_000_00, "wechatpay")]
        assert await _signals(handles[booking_id]) == 1
        # WeChat asks to pay it again: ORDERPAID, answered as a state conflict.
        with pytest.raises(IntegrationError) as err:
            wechatpay.create_order(order_id, 3_000_00, "again", Payer(wechat_openid=OPENID))
        assert err.value.provider_code == "ORDERPAID" and err.value.status == 409


async def test_forged_stale_and_tampered_notifications_are_refused(api: httpx.AsyncClient, db: Session,
                                                                   wechatpay: WechatPayGateway, wx: FakeWechatPay):
    booking_id = _booking(db)
    order_id = _order(db, wechatpay, booking_id).order.id
    wx.pay(order_id)
    order = wx.orders[order_id]
    now = int(time.time())
    cases = {
        "replayed old timestamp": wx.payment_notification(order_id, timestamp=now - 330),
        "from the future": wx.payment_notification(order_id, timestamp=now + 330),
        "signed with another key": wx.payment_notification(order_id, key=new_key()),
    }
    headers, body = wx.payment_notification(order_id)
    cases["signature probe"] = ({**headers, "Wechatpay-Signature": "WECHATPAY/SIGNTEST/" + "A" * 40}, body)
    cases["unknown serial"] = ({**headers, "Wechatpay-Serial": "PUB_KEY_ID_OTHER"}, body)
    cases["body changed after signing"] = (headers, body.replace(b'"summary": "', b'"summary": "x'))
    cases["no signature"] = ({k: v for k, v in headers.items() if k != "Wechatpay-Signature"}, body)
    for name, (h, b) in cases.items():
        res = await api.post(CALLBACK_PATH, content=b, headers=h)
        assert res.status_code == 401 and res.json()["code"] == "callback_signature_invalid", (name, res.text)

    # Correctly signed by the platform but not what the order asks (amount tampered before encryption).
    tampered = {**wx.transaction(order), "amount": {"total": 1, "payer_total": 1, "currency": "CNY"}}
    h, b = wx.payment_notification(order_id, resource=tampered)
    res = await api.post(CALLBACK_PATH, content=b, headers=h)
    assert res.status_code == 400 and res.json()["code"] == "callback_order_mismatch"
    # Another merchant's notification, encrypted with our key by mistake: refused.
    h, b = wx.payment_notification(order_id, resource={**wx.transaction(order), "mchid": "1900000999"})
    assert (await api.post(CALLBACK_PATH, content=b, headers=h)).status_code == 400
    assert _inbox(db, order_id) == 0 and _fresh(db, order_id).status == "created"


async def test_a_lost_callback_is_reconciled_by_query_and_ended_bookings_orders_closed(
        api: httpx.AsyncClient, ctx: AppContext, db: Session, wechatpay: WechatPayGateway, wx: FakeWechatPay,
        workflows):  # type: ignore[no-untyped-def]  # noqa: F811
    flows, queue = workflows
    paid_ids, handles = [], []
    for _ in range(2):
        booking_id = _booking(db)
        handles.append(await flows.booking(booking_id, queue))
        order_id = _order(db, wechatpay, booking_id).order.id
        wx.pay(order_id)  # paid at WeChat; the notification never arrives
        paid_ids.append(order_id)
    fresh_booking = _booking(db)
    fresh_id = _order(db, wechatpay, fresh_booking).order.id
    wx.pay(fresh_id)
    ended = _booking(db, status="CANCELLED")
    unpaid_id = _order(db, wechatpay, ended).order.id
    old = datetime.now(UTC) - timedelta(minutes=30)
    db.execute(update(PaymentOrder).where(PaymentOrder.id.in_([*paid_ids, unpaid_id])).values(created_at=old))
    db.commit()

    reconciler = PaymentReconciler(ctx.database_url, ctx.gateways, older_than_minutes=10)
    reconciler.client, reconciler.loop = flows.client, asyncio.get_running_loop()
    assert await asyncio.to_thread(reconciler.run_once) == 2
    for order_id, handle in zip(paid_ids, handles, strict=True):
        order = _fresh(db, order_id)
        assert order.status == "paid" and order.gateway_txn_id == wx.orders[order_id].transaction_id
        notification = db.scalar(select(PaymentNotification).where(PaymentNotification.order_id == order_id))
        assert notification is not None and notification.notification_id == f"query:{order.gateway_txn_id}"
        assert [r.order_id for r in await _received(handle, 1)] == [order_id]
    assert _fresh(db, fresh_id).status == "created"  # younger than the setting: its callback may still come
    assert _fresh(db, unpaid_id).status == "closed" and wx.orders[unpaid_id].state == "CLOSED"

    # The real callback arriving late, and a second round: nothing new.
    headers, body = wx.payment_notification(paid_ids[0])
    assert (await api.post(CALLBACK_PATH, content=body, headers=headers)).status_code == 200
    assert await asyncio.to_thread(reconciler.run_once) == 0
    assert [await _signals(h) for h in handles] == [1, 1]
    # A WeChat outage during a round is logged and the order stays for the next one.
    db.execute(update(PaymentOrder).where(PaymentOrder.id == fresh_id).values(created_at=old))
    db.commit()
    wx.fail("query", "SYSTEM_ERROR")
    assert await asyncio.to_thread(reconciler.run_once) == 0
    assert _fresh(db, fresh_id).status == "created"


def _paid(db: Session, gateway: WechatPayGateway, wx: FakeWechatPay, booking_id: int, kind: str, amount: int) -> str:
    order_id = _order(db, gateway, booking_id, kind, amount).order.id
    headers, body = wx.pay(order_id)
    assert service.record_callback(db, gateway.name, gateway.verify_callback(headers, body)) is not None
    db.commit()
    return order_id


async def test_refunds_go_through_wechatpay_and_finish_by_refund_notification(
        api: httpx.AsyncClient, ctx: AppContext, db: Session, wechatpay: WechatPayGateway, wx: FakeWechatPay):
    for _ in range(2):  # two bookings: refund numbers are scoped to the refund row
        booking_id = _booking(db)
        deposit = _paid(db, wechatpay, wx, booking_id, "deposit", 3_000_00)
        balance = _paid(db, wechatpay, wx, booking_id, "balance", 7_000_00)

        wx.fail("refund", "SYSTEM_ERROR", "NOT_ENOUGH")  # retried by the workflow: counted, then through
        for _attempt in range(2):
            with pytest.raises(IntegrationError) as err, session_scope(ctx.database_url) as s:
                service.refund(s, ctx.gateways, booking_id, "cancel", 5_000_00)
            assert err.value.status == 502
        with session_scope(ctx.database_url) as s:
            row = service.refund(s, ctx.gateways, booking_id, "cancel", 5_000_00)
            row_id = row.id
        db.expire_all()
        row = db.get(Refund, row_id)
        assert row is not None and row.status == "processing" and row.attempts == 3
        assert [(p["order_id"], p["amount"], p["state"]) for p in row.parts or []] == [
            (deposit, 3_000_00, "processing"), (balance, 2_000_00, "processing")]
        detail = service_refund_view(db, booking_id)
        assert detail == [("processing", "退款已受理，等待到账")]

        # WeChat's refund notifications: the first part, twice (one inbox row), then the second.
        headers, body = wx.refund_notification(f"R{row_id}-deposit")
        for _ in range(2):
            res = await api.post(REFUND_CALLBACK_PATH, content=body, headers=headers)
            assert res.status_code == 200, res.text
        db.expire_all()
        assert db.get(Refund, row_id).status == "processing"  # type: ignore[union-attr]
        headers, body = wx.refund_notification(f"R{row_id}-balance")
        assert (await api.post(REFUND_CALLBACK_PATH, content=body, headers=headers)).status_code == 200
        db.expire_all()
        row = db.get(Refund, row_id)
        assert row is not None and row.status == "succeeded" and row.succeeded_at is not None
        assert service_refund_view(db, booking_id) == [("succeeded", "已退款")]
        # A retried activity after success changes nothing and asks WeChat nothing.
        calls = len(wx.requests)
        with session_scope(ctx.database_url) as s:
            assert service.refund(s, ctx.gateways, booking_id, "cancel", 5_000_00).status == "succeeded"
        assert len(wx.requests) == calls


def service_refund_view(db: Session, booking_id: int) -> list[tuple[str, str]]:
    from domain.bookings.service import _refunds  # noqa: PLC0415 - what the booking detail shows the client

    db.expire_all()
    return [(r.status, r.status_label) for r in _refunds(db, booking_id)]


async def test_an_abnormal_refund_goes_to_an_operator_and_a_lost_refund_notification_is_queried(
        ctx: AppContext, db: Session, wechatpay: WechatPayGateway, wx: FakeWechatPay, api: httpx.AsyncClient):
    booking_id = _booking(db)
    _paid(db, wechatpay, wx, booking_id, "deposit", 3_000_00)
    with session_scope(ctx.database_url) as s:
        row_id = service.refund(s, ctx.gateways, booking_id, "cancel", 1_000_00).id
    headers, body = wx.refund_notification(f"R{row_id}-deposit", "ABNORMAL")
    assert (await api.post(REFUND_CALLBACK_PATH, content=body, headers=headers)).status_code == 200
    db.expire_all()
    assert db.get(Refund, row_id).status == "failing"  # type: ignore[union-attr]
    assert "退款" in (db.get(Booking, booking_id).needs_operator or "")  # type: ignore[union-attr]

    other = _booking(db)
    _paid(db, wechatpay, wx, other, "deposit", 3_000_00)
    with session_scope(ctx.database_url) as s:
        other_row = service.refund(s, ctx.gateways, other, "cancel", 3_000_00).id
    wx.refunds[f"R{other_row}-deposit"].status = "SUCCESS"  # finished at WeChat; its notification is lost
    reconciler = PaymentReconciler(ctx.database_url, ctx.gateways, older_than_minutes=10)
    await asyncio.to_thread(reconciler.run_once)
    db.expire_all()
    assert db.get(Refund, other_row).status == "succeeded"  # type: ignore[union-attr]


async def test_trade_bill_of_a_day(db: Session, wechatpay: WechatPayGateway, wx: FakeWechatPay, ctx: AppContext):
    booking_id = _booking(db)
    order_id = _paid(db, wechatpay, wx, booking_id, "deposit", 1_234_56)
    wx.refunds_succeed_at_once = True
    try:
        with session_scope(ctx.database_url) as s:
            row = service.refund(s, ctx.gateways, booking_id, "cancel", 234_56)
            assert row.status == "succeeded"
    finally:
        wx.refunds_succeed_at_once = False
    lines = [line for line in wechatpay.bill(datetime.now(SHANGHAI).date()) if line.order_id == order_id]
    assert [(line.kind, line.amount, line.fee) for line in lines] == [("payment", 1_234_56, 741),
                                                                       ("refund", 234_56, -141)]
    assert lines[1].refund_no and lines[1].refund_no.endswith("-deposit")


async def test_methods_and_the_clients_choice(api: httpx.AsyncClient, db: Session, wechatpay: WechatPayGateway,
                                              ali: FakeAlipay):
    from tests.helpers import bearer  # noqa: PLC0415

    token = await _login(api, db)
    res = await api.get("/api/v1/payments/methods", headers=bearer(token))
    assert res.status_code == 200
    assert [(m["name"], m["label"], m["default"]) for m in res.json()] == [
        ("wechatpay", "微信支付", True), ("alipay", "支付宝", False)]
    assert json.dumps(res.json(), ensure_ascii=False).count("沙箱") == 0


async def _login(api: httpx.AsyncClient, db: Session) -> str:
    from tests.helpers import register_client  # noqa: PLC0415

    return await register_client(api, "13800000077")
