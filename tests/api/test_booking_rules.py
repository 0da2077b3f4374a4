"""Booking rules through HTTP, as the mini-program drives them: money paths on more than one booking, the error
contract of actions (codes, statuses, details, times) and refused signatures that leave nothing behind."""

from __future__ import annotations

import asyncio
import base64
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.bookings.states import allowed_actions, refusal
from domain.time import SHANGHAI, utc_now
from tests.factories import inquiry_body, signature_png, verified_pair
from tests.helpers import V1, bearer, operator_token, with_sign_code


class Party:
    def __init__(self, api: httpx.AsyncClient, token: str):
        self.api, self.token = api, token

    async def act(self, booking_id: int, action: str, body: dict | None = None) -> httpx.Response:
        body = await with_sign_code(self.api, self.token, booking_id, action, body)
        return await self.api.post(f"{V1}/bookings/{booking_id}/actions/{action}", headers=bearer(self.token),
                                   json=body)

    async def booking(self, booking_id: int) -> dict:
        return (await self.api.get(f"{V1}/bookings/{booking_id}", headers=bearer(self.token))).json()

    async def wait(self, booking_id: int, status: str) -> dict:
        for _ in range(200):
            b = await self.booking(booking_id)
            if b["status"] == status and not b["needs_operator"] or b["status"] == status == "CANCELLED":
                return b
            await asyncio.sleep(0.05)
        raise AssertionError(f"booking {booking_id} stayed {b['status']}, wanted {status}")


async def _parties(api: httpx.AsyncClient, db: Session, n: int) -> tuple[int, Party, Party]:
    client, artist, aid = await verified_pair(api, db, f"1380000{n:04d}", f"1390000{n:04d}")
    return aid, Party(api, client), Party(api, artist)


async def _signed_and_deposit_paid(api: httpx.AsyncClient, db: Session, n: int) -> tuple[int, Party, Party]:
    aid, client, artist = await _parties(api, db, n)
    start = utc_now() + timedelta(days=40)
    res = await api.post(f"{V1}/inquiries", headers=bearer(client.token),
                         json=inquiry_body([aid], hours=2, start=start))
    assert res.status_code == 201, res.text
    bid = res.json()["bookings"][0]["id"]
    assert (await artist.act(bid, "confirm", {"quote": {"fee_amount": 1_000_000, "deposit_percent": 30,
                                                        "balance_due_days": 3}})).status_code == 200
    assert (await artist.act(bid, "send_contract")).status_code == 200
    assert (await client.act(bid, "sign", {"signature_png_base64": signature_png()})).status_code == 200
    assert (await artist.act(bid, "countersign", {"signature_png_base64": signature_png()})).status_code == 200
    order = (await client.act(bid, "pay_deposit")).json()["payment_order_id"]
    assert (await api.post(f"{V1}/payments/sandbox/{order}/confirm", follow_redirects=False)).status_code == 303
    await client.wait(bid, "DEPOSIT_PAID")
    return bid, client, artist


async def test_two_bookings_cancelled_by_their_clients_are_both_refunded(paying: httpx.AsyncClient, db: Session):
    """The outside probe's case: the platform's second cancellation refund was refused."""
    first = await _signed_and_deposit_paid(paying, db, 1)
    second = await _signed_and_deposit_paid(paying, db, 2)
    for bid, client, _ in (first, second):
        res = await client.act(bid, "cancel", {"reason": "活动取消"})
        assert res.status_code == 200, res.text
    for bid, client, _ in (first, second):
        b = await client.wait(bid, "CANCELLED")
        for _ in range(100):
            if b["refunded_amount"] or b["needs_operator"]:
                break
            await asyncio.sleep(0.05)
            b = await client.booking(bid)
        assert (b["refunded_amount"], b["needs_operator"]) == (300_000, None)
        assert [e["action"] for e in b["events"]].count("refunded") == 1


async def test_action_errors_speak_the_contract(paying: httpx.AsyncClient, db: Session):
    bid, client, artist = await _signed_and_deposit_paid(paying, db, 3)
    # Somebody else's action: who may do it, not the state.
    wrong_role = await client.act(bid, "request_settlement")
    assert wrong_role.status_code == 403 and wrong_role.json()["message"] == "只有艺人可以申请结算"
    # Not in this state.
    too_early = await artist.act(bid, "request_settlement")
    assert too_early.status_code == 409 and too_early.json()["code"] == "action_not_allowed"
    # A 422 from an action names its field, like every other 422.
    no_reason = await client.act(bid, "dispute", {"reason": "  "})
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"] == [{"field": "reason", "message": "请填写原因"}]
    # An operator refunding more than was paid.
    op = await operator_token(paying, db)
    over = await paying.post(f"{V1}/admin/bookings/{bid}/actions/cancel", headers=bearer(op),
                             json={"reason": "场地取消", "refund_amount": 300_001})
    assert over.status_code == 409 and over.json()["code"] == "refund_exceeds_paid"
    assert over.json()["detail"] == {"paid_amount": 300_000, "refunded_amount": 0}
    assert (await paying.post(f"{V1}/admin/bookings/{bid}/actions/cancel", headers=bearer(op),
                              json={"reason": "场地取消", "refund_amount": 300_000})).status_code == 200
    await client.wait(bid, "CANCELLED")
    # A closed booking.
    closed = await client.act(bid, "cancel", {"reason": "再取消一次"})
    assert closed.status_code == 409 and closed.json()["code"] == "booking_closed"


async def test_times_come_back_in_utc_from_post_and_get(api_with_temporal: httpx.AsyncClient, db: Session):
    aid, client, _ = await _parties(api_with_temporal, db, 4)
    start = (utc_now() + timedelta(days=30)).astimezone(SHANGHAI).replace(microsecond=0)
    posted = await api_with_temporal.post(f"{V1}/inquiries", headers=bearer(client.token),
                                          json=inquiry_body([aid], hours=2, start=start))
    assert posted.status_code == 201 and start.isoformat().endswith("+08:00")
    got = await client.booking(posted.json()["bookings"][0]["id"])
    assert posted.json()["start_at"] == posted.json()["bookings"][0]["start_at"] == got["start_at"]
    assert datetime.fromisoformat(got["start_at"]) == start and got["start_at"].endswith("Z")


async def test_refused_signatures_leave_no_file(paying: httpx.AsyncClient, db: Session, ctx: AppContext,
                                                monkeypatch: pytest.MonkeyPatch):
    aid, client, artist = await _parties(paying, db, 5)
    res = await paying.post(f"{V1}/inquiries", headers=bearer(client.token),
                            json=inquiry_body([aid], days=20, hours=2))
    bid = res.json()["bookings"][0]["id"]
    signatures = Path(ctx.settings.storage_dir) / "private" / "signatures" / str(bid)

    def stored() -> list[Path]:
        return [p for p in signatures.rglob("*") if p.is_file()] if signatures.exists() else []

    for _ in range(5):  # refused by the transition table before anything is stored
        refused = await client.act(bid, "sign", {"signature_png_base64": signature_png()})
        assert refused.status_code == 409
    assert stored() == []
    # Refused by the workflow itself (the state moved after the API looked): the stored image is removed.
    monkeypatch.setattr("domain.bookings.service.check_action", lambda *a, **k: None)
    monkeypatch.setattr("domain.contracts.signing.confirm_intent", lambda *a, **k: None)  # no contract to sign yet
    refused = await client.act(bid, "sign", {"signature_png_base64": signature_png()})
    assert refused.status_code == 409 and refused.json()["code"] == "action_not_allowed"
    assert stored() == []


async def test_a_blank_signature_is_refused(paying: httpx.AsyncClient, db: Session, ctx: AppContext):
    """A pad exported without strokes (transparent, or white with a few stray pixels) is no signature."""
    aid, client, artist = await _parties(paying, db, 6)
    res = await paying.post(f"{V1}/inquiries", headers=bearer(client.token),
                            json=inquiry_body([aid], days=20, hours=2))
    bid = res.json()["bookings"][0]["id"]
    assert (await artist.act(bid, "confirm", {"quote": {"fee_amount": 500_000}})).status_code == 200
    assert (await artist.act(bid, "send_contract")).status_code == 200

    def png(background: tuple[int, int, int, int], dots: int) -> str:
        img = Image.new("RGBA", (600, 240), background)
        for x in range(dots):
            img.putpixel((10 + x, 10), (0, 0, 0, 255))
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        return base64.b64encode(buf.getvalue()).decode()

    for blank in (png((0, 0, 0, 0), 0), png((255, 255, 255, 255), 0), png((0, 0, 0, 0), 20)):
        refused = await client.act(bid, "sign", {"signature_png_base64": blank})
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "signature_invalid" and "空白" in refused.json()["message"]
    assert (await paying.get(f"{V1}/bookings/{bid}", headers=bearer(client.token))).json()["status"] == \
        "CONTRACT_SENT"
    signatures = Path(ctx.settings.storage_dir) / "private" / "signatures" / str(bid)
    assert not signatures.exists() or not any(p.is_file() for p in signatures.rglob("*"))
    signed = await client.act(bid, "sign", {"signature_png_base64": signature_png()})
    assert signed.status_code == 200 and signed.json()["booking"]["status"] == "CLIENT_SIGNED"


def test_cancel_is_gone_once_the_show_starts() -> None:
    assert "cancel" in allowed_actions("FULLY_PAID", "client")
    assert allowed_actions("FULLY_PAID", "client", show_started=True) == ["dispute"]
    refused = refusal("DEPOSIT_PAID", "cancel", "operator", show_started=True)
    assert refused is not None and refused.kind == "InvalidAction" and "演出已开始" in refused.message
    assert refusal("DEPOSIT_PAID", "cancel", "client", show_started=False) is None
    closed = refusal("COMPLETED", "dispute", "client", show_started=True)
    assert closed is not None and closed.kind == "Closed"
    assert datetime.now(UTC).tzinfo is UTC  # the clock the API compares with is UTC
