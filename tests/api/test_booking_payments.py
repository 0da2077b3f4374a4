"""A booking's contract and payments through the API and the real BookingWorkflow: handwritten signatures, the
sandbox cashier, its signed callback (duplicates counted once, forgeries refused) and the resulting states."""

from __future__ import annotations

import asyncio
import base64

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.models import Contract, PaymentNotification, PaymentOrder
from domain.payments.sandbox import CALLBACK_PATH, SandboxGateway
from tests.factories import inquiry_body, signature_png, verified_pair
from tests.helpers import V1, bearer, with_sign_code
from tests.storage.conftest import huge_png


async def _status(api: httpx.AsyncClient, token: str, booking_id: int, want: str) -> dict:
    for _ in range(100):
        b = (await api.get(f"{V1}/bookings/{booking_id}", headers=bearer(token))).json()
        if b["status"] == want:
            return b
        await asyncio.sleep(0.05)
    raise AssertionError(f"booking {booking_id} stayed {b['status']}, wanted {want}")


async def test_contract_and_payments_through_the_cashier(paying: httpx.AsyncClient, db: Session, ctx: AppContext):
    api = paying
    client, artist, aid = await verified_pair(api, db, "13800000031", "13900000031")
    res = await api.post(f"{V1}/inquiries", headers=bearer(client),
                         json=inquiry_body([aid], days=20, hours=2, contact_phone="13800000031"))
    bid = res.json()["bookings"][0]["id"]

    async def act(token: str, action: str, body: dict | None = None) -> httpx.Response:
        body = await with_sign_code(api, token, bid, action, body)
        return await api.post(f"{V1}/bookings/{bid}/actions/{action}", headers=bearer(token), json=body)

    assert (await act(artist, "confirm", {"quote": {"fee_amount": 800_000, "deposit_percent": 25,
                                                    "balance_due_days": 5, "rider": ["需提供音响", "往返高铁"]}})
            ).status_code == 200
    assert (await act(artist, "send_contract")).json()["status"] == "CONTRACT_SENT"
    contract = db.get(Contract, bid)
    assert contract is not None and contract.terms["fee_amount"] == 800_000 and len(contract.terms_sha256) == 64
    unsigned = await act(client, "sign")
    assert unsigned.status_code == 422 and unsigned.json()["message"] == "请先手写签名"
    not_png = await act(client, "sign", {"signature_png_base64": base64.b64encode(b"GIF89a....").decode()})
    assert not_png.status_code == 422 and not_png.json()["code"] == "signature_invalid"
    bomb = await act(client, "sign", {"signature_png_base64": base64.b64encode(huge_png()).decode()})
    assert bomb.status_code == 422 and bomb.json()["code"] == "signature_invalid"
    assert bomb.json()["message"] == "图片尺寸过大（最多400万像素，当前7070×7070），请压缩后重新上传"
    assert (await act(client, "sign", {"signature_png_base64": signature_png()})).json()["status"] == "CLIENT_SIGNED"
    assert (await act(artist, "countersign", {"signature_png_base64": signature_png()})).json()["status"] == "SIGNED"
    db.expire_all()
    contract = db.get(Contract, bid)
    assert contract is not None and contract.client_signed_at and contract.artist_signed_at
    assert (ctx.settings.storage_dir / str(contract.client_signature_key)).read_bytes().startswith(b"\x89PNG")

    started = await act(client, "pay_deposit")
    assert started.status_code == 200, started.text
    order_id, pay_url = started.json()["payment_order_id"], started.json()["pay_url"]
    assert started.json()["status"] == "SIGNED"
    page = await api.get(pay_url)
    assert page.status_code == 200 and "沙箱" in page.text and "2,000.00" in page.text
    confirm = await api.post(f"/api/v1/payments/sandbox/{order_id}/confirm", follow_redirects=False)
    assert confirm.status_code == 303
    deposit_paid = await _status(api, client, bid, "DEPOSIT_PAID")
    assert deposit_paid["paid_amount"] == 200_000 and deposit_paid["allowed_actions"] == ["pay_balance", "cancel",
                                                                                        "dispute"]

    # The gateway re-delivers the same notification ten times: one payment, one signal.
    gw = ctx.payments
    assert isinstance(gw, SandboxGateway)
    started = await act(client, "pay_balance")
    balance_order = started.json()["payment_order_id"]
    headers, body = gw.signed_notification(balance_order, 600_000, notification_id="ntf-balance-1")
    answers = await asyncio.gather(*[api.post(CALLBACK_PATH, content=body, headers=headers) for _ in range(10)])
    assert all(a.status_code == 200 for a in answers)
    fully = await _status(api, client, bid, "FULLY_PAID")
    assert fully["paid_amount"] == 800_000
    assert db.scalar(select(func.count()).where(PaymentNotification.notification_id == "ntf-balance-1")) == 1
    assert db.scalar(select(func.count()).where(PaymentOrder.booking_id == bid, PaymentOrder.status == "paid")) == 2
    events = [e["action"] for e in fully["events"]]
    assert events.count("deposit_paid") == 1 and events.count("balance_paid") == 1

    # A forged notification (wrong key) and a tampered body are refused and change nothing.
    forger = SandboxGateway("not-the-platform-secret", notify_url="http://testserver" + CALLBACK_PATH)
    f_headers, f_body = forger.signed_notification(balance_order, 600_000, notification_id="ntf-forged")
    forged = await api.post(CALLBACK_PATH, content=f_body, headers=f_headers)
    assert forged.status_code == 401 and forged.json()["code"] == "callback_signature_invalid"
    tampered = await api.post(CALLBACK_PATH, content=body.replace(b"600000", b"600001"), headers=headers)
    assert 400 <= tampered.status_code < 500
    assert db.scalar(select(func.count()).where(PaymentNotification.notification_id == "ntf-forged")) == 0
    paying_twice = await act(client, "pay_balance")
    assert paying_twice.status_code == 409
