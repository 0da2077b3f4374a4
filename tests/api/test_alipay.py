"""Alipay through the API against the loopback fake: the wap cashier URL, verified async notifications (×10 is
one payment and one signal; stale, forged and tampered ones refused, another app's refused), a lost notification
found by query, refunds through the order's gateway (ACQ.SYSTEM_ERROR retried, ACQ.TRADE_HAS_CLOSE refused),
closing orders, the mini-program order string and the trade bill."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from activities.payment_reconciliation import PaymentReconciler
from api.context import AppContext
from domain.db import session_scope
from domain.models import PaymentNotification, PaymentOrder, Refund
from domain.payments import service
from domain.payments.alipay import CALLBACK_PATH, AlipayGateway
from domain.payments.gateway import Payer
from domain.payments.registry import Gateways
from domain.payments.sandbox import SandboxGateway
from domain.time import SHANGHAI
from integrations.errors import IntegrationError
from tests.api.test_payments import _received, _signals, workflows  # noqa: F401 - fixtures
from tests.factories import insert_booking, user_row
from tests.fakes.alipay import APP_ID, FakeAlipay
from tests.fakes.wechatpay import new_key

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAlipay]:
    with FakeAlipay() as ali:
        yield ali


@pytest.fixture
def alipay(ctx: AppContext, fake: FakeAlipay) -> AlipayGateway:
    gateway = fake.gateway()
    assert isinstance(ctx.payments, SandboxGateway)
    ctx.payments = Gateways([gateway, ctx.payments])
    return gateway


def _booking(db: Session, status: str = "SIGNED") -> int:
    client, artist = user_row(db), user_row(db)
    return insert_booking(db, client.id, artist.id, status=status, start=datetime(2027, 3, 1, 12, tzinfo=UTC),
                          fee_amount=10_000_00, deposit_amount=3_000_00, balance_amount=7_000_00)


def _opened(db: Session, gateway: AlipayGateway, fake: FakeAlipay, booking_id: int, kind: str = "deposit",
            amount: int = 3_000_00) -> str:
    started = service.create_order(db, gateway, booking_id, kind, amount)
    db.commit()
    assert started.pay_url.startswith(fake.gateway_url + "?") and started.pay_params is None
    params = dict(parse_qsl(urlsplit(started.pay_url).query))
    assert params["method"] == "alipay.trade.wap.pay" and params["app_id"] == APP_ID
    assert params["notify_url"] == "http://testserver" + CALLBACK_PATH
    fake.open_cashier(started.pay_url)  # the payer opens it: the signature checks at the gateway
    return started.order.id


def _fresh(db: Session, order_id: str) -> PaymentOrder:
    db.expire_all()
    order = db.get(PaymentOrder, order_id)
    assert order is not None
    return order


def _inbox(db: Session, order_id: str) -> int:
    return db.scalar(select(func.count()).where(PaymentNotification.order_id == order_id)) or 0


async def test_notification_ten_times_is_one_payment(api: httpx.AsyncClient, db: Session, alipay: AlipayGateway,
                                                     fake: FakeAlipay, workflows):  # type: ignore[no-untyped-def]  # noqa: F811
    flows, queue = workflows
    for _ in range(2):  # two bookings
        booking_id = _booking(db)
        handle = await flows.booking(booking_id, queue)
        order_id = _opened(db, alipay, fake, booking_id)
        body = fake.pay(order_id)
        answers = await asyncio.gather(*(api.post(CALLBACK_PATH, content=body, headers=FORM) for _ in range(10)))
        assert [(a.status_code, a.text) for a in answers] == [(200, "success")] * 10
        order = _fresh(db, order_id)
        assert order.status == "paid" and order.gateway_txn_id == fake.trades[order_id].trade_no
        assert _inbox(db, order_id) == 1
        got = await _received(handle, 1)
        assert [(r.order_id, r.amount, r.gateway) for r in got] == [(order_id, 3_000_00, "alipay")]
        assert await _signals(handle) == 1


async def test_forged_stale_and_tampered_notifications_are_refused(api: httpx.AsyncClient, db: Session,
                                                                   alipay: AlipayGateway, fake: FakeAlipay):
    order_id = _opened(db, alipay, fake, _booking(db))
    fake.pay(order_id)
    body = fake.payment_notification(order_id)
    refused = {
        "replayed old notify_time": fake.payment_notification(order_id, notify_offset=timedelta(minutes=-6)),
        "signed with another key": fake.payment_notification(order_id, key=new_key()),
        "amount changed after signing": body.replace(b"total_amount=3000.00", b"total_amount=0.01"),
        "no signature": b"&".join(p for p in body.split(b"&") if not p.startswith(b"sign=")),
    }
    for name, forged in refused.items():
        res = await api.post(CALLBACK_PATH, content=forged, headers=FORM)
        assert res.status_code == 401 and res.json()["code"] == "callback_signature_invalid", (name, res.text)
    # Signed by Alipay, but not what the order asks, or not for our app, or not paid.
    mismatch = fake.payment_notification(order_id, total_amount="0.01")
    assert (await api.post(CALLBACK_PATH, content=mismatch, headers=FORM)).json()["code"] == "callback_order_mismatch"
    other_app = fake.payment_notification(order_id, app_id="2021000999999999")
    assert (await api.post(CALLBACK_PATH, content=other_app, headers=FORM)).status_code == 400
    waiting = fake.payment_notification(order_id, trade_status="WAIT_BUYER_PAY")
    assert (await api.post(CALLBACK_PATH, content=waiting, headers=FORM)).json()["code"] == "callback_event_unsupported"
    assert _inbox(db, order_id) == 0 and _fresh(db, order_id).status == "created"


async def test_lost_notification_reconciled_by_query_and_ended_orders_closed(
        ctx: AppContext, db: Session, alipay: AlipayGateway, fake: FakeAlipay, workflows):  # type: ignore[no-untyped-def]  # noqa: F811
    flows, queue = workflows
    booking_id = _booking(db)
    handle = await flows.booking(booking_id, queue)
    paid = _opened(db, alipay, fake, booking_id)
    fake.pay(paid)
    never_opened = service.create_order(db, alipay, _booking(db, status="EXPIRED"), "deposit", 3_000_00).order.id
    ended = _opened(db, alipay, fake, _booking(db, status="CANCELLED"))
    db.execute(update(PaymentOrder).where(PaymentOrder.id.in_([paid, never_opened, ended]))
               .values(created_at=datetime.now(UTC) - timedelta(hours=1)))
    db.commit()
    fake.fail("alipay.trade.query", "ACQ.SYSTEM_ERROR")  # the first look fails; the next round finds it
    reconciler = PaymentReconciler(ctx.database_url, ctx.gateways, older_than_minutes=10)
    reconciler.client, reconciler.loop = flows.client, asyncio.get_running_loop()
    assert await asyncio.to_thread(reconciler.run_once) == 0
    assert _fresh(db, paid).status == "created"
    assert await asyncio.to_thread(reconciler.run_once) == 1
    order = _fresh(db, paid)
    assert order.status == "paid" and order.gateway_txn_id == fake.trades[paid].trade_no
    assert [r.order_id for r in await _received(handle, 1)] == [paid]
    assert _fresh(db, ended).status == "closed" and fake.trades[ended].status == "TRADE_CLOSED"
    assert _fresh(db, never_opened).status == "closed"  # ACQ.TRADE_NOT_EXIST: nothing to close at Alipay


def _paid(db: Session, gateway: AlipayGateway, fake: FakeAlipay, booking_id: int, kind: str, amount: int) -> str:
    order_id = _opened(db, gateway, fake, booking_id, kind, amount)
    received = service.record_callback(db, gateway.name, gateway.verify_callback({}, fake.pay(order_id)))
    assert received is not None
    db.commit()
    return order_id


async def test_refunds_through_alipay(api: httpx.AsyncClient, ctx: AppContext, db: Session, alipay: AlipayGateway,
                                     fake: FakeAlipay):
    for _ in range(2):
        booking_id = _booking(db)
        deposit = _paid(db, alipay, fake, booking_id, "deposit", 3_000_00)
        _paid(db, alipay, fake, booking_id, "balance", 7_000_00)
        fake.fail("alipay.trade.refund", "ACQ.SYSTEM_ERROR")
        with pytest.raises(IntegrationError) as err, session_scope(ctx.database_url) as s:
            service.refund(s, ctx.gateways, booking_id, "cancel", 4_000_00)
        assert err.value.status == 502 and err.value.provider_code == "ACQ.SYSTEM_ERROR"
        with session_scope(ctx.database_url) as s:
            row = service.refund(s, ctx.gateways, booking_id, "cancel", 4_000_00)
            row_id, parts = row.id, [(p["refund_no"], p["amount"], p["state"]) for p in row.parts or []]
        assert parts == [(f"R{row_id}-deposit", 3_000_00, "succeeded"), (f"R{row_id}-balance", 1_000_00, "succeeded")]
        db.expire_all()
        assert db.get(Refund, row_id).status == "succeeded"  # type: ignore[union-attr]
        assert fake.refunds[(deposit, f"R{row_id}-deposit")] == 3_000_00  # out_request_no is our refund number
        # Alipay's refund notification afterwards: recorded once, changes nothing.
        body = fake.refund_notification(deposit, f"R{row_id}-deposit")
        assert (await api.post(CALLBACK_PATH, content=body, headers=FORM)).text == "success"
        assert _inbox(db, deposit) == 2  # the payment's and the refund's

    # A refund of a closed trade will never succeed: refused, not retried.
    booking_id = _booking(db)
    order_id = _paid(db, alipay, fake, booking_id, "deposit", 3_000_00)
    fake.trades[order_id].status = "TRADE_CLOSED"
    with pytest.raises(IntegrationError) as err, session_scope(ctx.database_url) as s:
        service.refund(s, ctx.gateways, booking_id, "cancel", 1_00)
    assert err.value.status == 409 and err.value.provider_code == "ACQ.TRADE_HAS_CLOSE"


async def test_mini_program_order_and_bill(db: Session, alipay: AlipayGateway, fake: FakeAlipay, ctx: AppContext):
    booking_id = _booking(db)
    payer = Payer(alipay_user_id="2088102177846880")  # inside the Alipay mini-program: my.tradePay({tradeNO})
    started = service.create_order(db, alipay, booking_id, "deposit", 3_000_00, payer)
    db.commit()
    assert started.pay_params == {"tradeNO": fake.trades[started.order.id].trade_no} and started.pay_url == ""
    received = service.record_callback(db, "alipay", alipay.verify_callback({}, fake.pay(started.order.id)))
    assert received is not None
    db.commit()
    with session_scope(ctx.database_url) as s:
        refund_id = service.refund(s, ctx.gateways, booking_id, "cancel", 1_000_00).id
    lines = [line for line in alipay.bill(datetime.now(SHANGHAI).date()) if line.order_id == started.order.id]
    assert [(line.kind, line.amount, line.fee, line.refund_no) for line in lines] == [
        ("payment", 3_000_00, 18_00, None), ("refund", 1_000_00, -6_00, f"R{refund_id}-deposit")]
