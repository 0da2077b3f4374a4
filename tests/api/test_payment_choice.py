"""The payer's choice between WeChat Pay and Alipay when both are configured, through the API and the real
BookingWorkflow: the pay action opens the order at the chosen gateway (JSAPI parameters or a cashier URL), a
method not offered is refused, WeChat's notification moves the booking, and a cancellation refunds through the
gateway that took the money with its status visible in the booking detail until WeChat's refund notification."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.models import PaymentOrder, Refund, User
from domain.payments.registry import Gateways
from domain.payments.sandbox import SandboxGateway
from domain.payments.wechatpay import CALLBACK_PATH, REFUND_CALLBACK_PATH
from domain.time import utc_now
from tests.api.test_booking_rules import Party, _parties
from tests.factories import inquiry_body, signature_png
from tests.fakes.alipay import FakeAlipay
from tests.fakes.wechatpay import FakeWechatPay
from tests.helpers import V1, bearer


@pytest.fixture
def both(ctx: AppContext, worker: Any) -> Iterator[tuple[FakeWechatPay, FakeAlipay]]:
    """WeChat Pay (the default) and Alipay configured at once, in the API and in the worker's activities."""
    with FakeWechatPay() as wx, FakeAlipay() as ali:
        assert isinstance(ctx.payments, SandboxGateway)
        registry = Gateways([wx.gateway(), ali.gateway(), ctx.payments], default="wechatpay")
        activities = next(a.__self__ for a in worker.config()["activities"]
                          if type(getattr(a, "__self__", None)).__name__ == "BookingActivities")
        before = activities.gateways
        ctx.payments, activities.gateways = registry, registry
        try:
            yield wx, ali
        finally:
            activities.gateways = before


async def _to_signed(api: httpx.AsyncClient, db: Session, n: int) -> tuple[int, Party, Party]:
    aid, client, artist = await _parties(api, db, n)
    res = await api.post(f"{V1}/inquiries", headers=bearer(client.token),
                         json=inquiry_body([aid], hours=2, start=utc_now() + timedelta(days=40)))
    bid = res.json()["bookings"][0]["id"]
    assert (await artist.act(bid, "confirm", {"quote": {"fee_amount": 1_000_000, "deposit_percent": 30,
                                                        "balance_due_days": 3}})).status_code == 200
    assert (await artist.act(bid, "send_contract")).status_code == 200
    assert (await client.act(bid, "sign", {"signature_png_base64": signature_png()})).status_code == 200
    assert (await artist.act(bid, "countersign", {"signature_png_base64": signature_png()})).status_code == 200
    client_id = (await api.get(f"{V1}/me", headers=bearer(client.token))).json()["id"]
    db.execute(update(User).where(User.id == client_id).values(wechat_openid=f"o-payer-{client_id}"))
    db.commit()
    return bid, client, artist


async def test_the_client_chooses_the_gateway_and_refunds_go_back_through_it(
        api_with_temporal: httpx.AsyncClient, db: Session, both: tuple[FakeWechatPay, FakeAlipay]):
    api, (wx, ali) = api_with_temporal, both
    for n in (41, 42):  # two bookings
        bid, client, _artist = await _to_signed(api, db, n)
        methods = (await api.get(f"{V1}/payments/methods", headers=bearer(client.token))).json()
        assert [(m["name"], m["label"], m["is_sandbox"]) for m in methods] == [
            ("wechatpay", "微信支付", False), ("alipay", "支付宝", False)]

        by_alipay = await client.act(bid, "pay_deposit", {"gateway": "alipay"})
        assert by_alipay.status_code == 200, by_alipay.text
        a = by_alipay.json()
        assert a["gateway"] == "alipay" and a["pay_url"].startswith(ali.gateway_url + "?") and a["pay_params"] is None
        ali.open_cashier(a["pay_url"])  # the payer looks at Alipay's cashier, then changes their mind

        by_wechat = await client.act(bid, "pay_deposit", {"gateway": "wechatpay"})
        w = by_wechat.json()
        assert by_wechat.status_code == 200 and w["gateway"] == "wechatpay" and w["pay_url"] is None
        assert set(w["pay_params"]) == {"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}
        assert wx.orders[w["payment_order_id"]].openid.startswith("o-payer-")
        db.expire_all()
        assert db.get(PaymentOrder, a["payment_order_id"]).status == "closed"  # type: ignore[union-attr]
        assert ali.trades[a["payment_order_id"]].status == "TRADE_CLOSED"  # at Alipay too: it can't be paid now

        refused = await client.act(bid, "pay_deposit", {"gateway": "sandbox"})  # not offered beside real ones
        assert refused.status_code == 400 and refused.json()["code"] == "payment_method_unavailable"

        headers, body = wx.pay(w["payment_order_id"])
        for _ in range(3):
            assert (await api.post(CALLBACK_PATH, content=body, headers=headers)).status_code == 200
        paid = await client.wait(bid, "DEPOSIT_PAID")
        assert paid["paid_amount"] == 300_000

        # Cancelled 40 days ahead: the deposit is refunded through WeChat Pay, processing until its notification.
        assert (await client.act(bid, "cancel", {"reason": "活动取消"})).status_code == 200
        await client.wait(bid, "CANCELLED")
        row = await _refund_row(db, bid)
        assert row.status == "processing" and [p["gateway"] for p in row.parts or []] == ["wechatpay"]
        shown = (await client.booking(bid))["refunds"]
        assert [(r["status"], r["status_label"]) for r in shown] == [("processing", "退款已受理，等待到账")]
        headers, body = wx.refund_notification(row.parts[0]["refund_no"])  # type: ignore[index]
        assert (await api.post(REFUND_CALLBACK_PATH, content=body, headers=headers)).status_code == 200
        shown = (await client.booking(bid))["refunds"]
        assert [(r["status"], r["status_label"], r["amount"]) for r in shown] == [("succeeded", "已退款", 300_000)]


async def _refund_row(db: Session, booking_id: int) -> Refund:
    for _ in range(100):
        db.expire_all()
        row = db.scalar(select(Refund).where(Refund.booking_id == booking_id))
        if row is not None and row.parts:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError("no refund")
