"""Money and evidence through the API: dispute evidence limited to the actor's own evidence uploads (and kept by
the storage clean-up), the artist's income summary against sums of rows written here, the notification centre's
paging, and the sandbox cashier's way back to the H5 order page (never to another origin)."""

from __future__ import annotations

import asyncio
import html
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.context import AppContext
from api.routers.payments import safe_return_to
from domain.db import session_factory
from domain.models import Booking, Dispute, Notification, PaymentOrder, Payout, Refund, Upload
from domain.time import utc_now
from domain.uploads.cleanup import remove_orphans
from tests.factories import inquiry_body, insert_booking, signature_png, upload, user_id, user_row, verified_pair
from tests.helpers import V1, bearer, operator_token, register_artist, register_client, with_sign_code

# --- dispute evidence


async def _status(api: httpx.AsyncClient, token: str, booking_id: int, want: str) -> dict:
    for _ in range(100):
        b = (await api.get(f"{V1}/bookings/{booking_id}", headers=bearer(token))).json()
        if b["status"] == want:
            return b
        await asyncio.sleep(0.05)
    raise AssertionError(f"booking {booking_id} stayed {b['status']}, wanted {want}")


async def _deposit_paid(api: httpx.AsyncClient, client: str, artist: str, aid: int, phone: str) -> int:
    """A booking walked through quote, contract and the deposit at the sandbox cashier: disputable."""
    res = await api.post(f"{V1}/inquiries", headers=bearer(client),
                         json=inquiry_body([aid], days=20, hours=2, contact_phone=phone))
    bid = int(res.json()["bookings"][0]["id"])

    async def act(token: str, action: str, body: dict | None = None) -> httpx.Response:
        body = await with_sign_code(api, token, bid, action, body)
        res = await api.post(f"{V1}/bookings/{bid}/actions/{action}", headers=bearer(token), json=body)
        assert res.status_code == 200, res.text
        return res

    await act(artist, "confirm", {"quote": {"fee_amount": 500_000, "deposit_percent": 30}})
    await act(artist, "send_contract")
    await act(client, "sign", {"signature_png_base64": signature_png()})
    await act(artist, "countersign", {"signature_png_base64": signature_png()})
    order_id = (await act(client, "pay_deposit")).json()["payment_order_id"]
    assert (await api.post(f"{V1}/payments/sandbox/{order_id}/confirm")).status_code in (200, 303)
    await _status(api, client, bid, "DEPOSIT_PAID")
    return bid


async def test_dispute_evidence_is_the_actors_own_evidence_uploads(paying: httpx.AsyncClient, db: Session,
                                                                   ctx: AppContext, database_url: str):
    api = paying
    client, artist, aid = await verified_pair(api, db, "13800000071", "13900000071")
    other_client = await register_client(api, "13800000072", org="另一家公司")
    bid = await _deposit_paid(api, client, artist, aid, "13800000071")

    # Evidence takes images only, like case images.
    video = await api.post(f"{V1}/uploads/intent", headers=bearer(client),
                           json={"purpose": "evidence", "content_type": "video/mp4"})
    assert video.status_code == 415
    own = [await upload(api, client, "evidence"), await upload(api, client, "evidence", "image/jpeg")]
    someone_elses = await upload(api, other_client, "evidence")
    wrong_purpose = await upload(api, client, "case_image")
    artists_own = await upload(api, artist, "evidence")

    async def dispute(evidence: list[str], token: str = client) -> httpx.Response:
        return await api.post(f"{V1}/bookings/{bid}/actions/dispute", headers=bearer(token),
                              json={"reason": "演出时长不足", "evidence": evidence})

    refused = [[someone_elses], [own[0], someone_elses], [wrong_purpose], ["private/evidence/1.jpg"],
               ["../../etc/passwd"], [uuid.uuid4().hex], [own[0].upper()], [""], [artists_own]]
    for evidence in refused:
        res = await dispute(evidence)
        assert res.status_code == 422, (evidence, res.text)
        assert res.json()["code"] == "evidence_invalid"
        assert res.json()["message"] == "纠纷凭证无效：请上传本人拍摄的凭证图片后再提交"
    assert db.scalar(select(func.count()).select_from(Dispute).where(Dispute.booking_id == bid)) == 0
    assert (await api.get(f"{V1}/bookings/{bid}", headers=bearer(client))).json()["status"] == "DEPOSIT_PAID"

    res = await dispute([own[0], own[1], own[0]])
    assert res.status_code == 200, res.text
    assert res.json()["status"] == "DISPUTED"
    db.expire_all()
    stored = db.scalar(select(Dispute).where(Dispute.booking_id == bid))
    assert stored is not None and stored.evidence == own and stored.opened_by_id == await user_id(api, client)

    # The clean-up job, run long after, keeps the evidence files (they have their rows) and their thumbnails.
    keys = list(db.scalars(select(Upload.object_key).where(Upload.id.in_(own))))
    result = remove_orphans(ctx.storage, session_factory(database_url), now=utc_now() + timedelta(days=2))
    assert not set(keys) & set(result.removed)
    assert all(ctx.storage.exists(k) for k in keys)


async def test_operators_send_no_evidence(api: httpx.AsyncClient, db: Session):
    client_id, artist_id = user_row(db).id, user_row(db).id
    bid = insert_booking(db, client_id, artist_id, status="DISPUTED")
    ops = await operator_token(api, db)
    res = await api.post(f"{V1}/admin/bookings/{bid}/actions/resolve_dispute", headers=bearer(ops),
                         json={"resolution": "release", "reason": "证据不足", "evidence": [uuid.uuid4().hex]})
    assert res.status_code == 422 and res.json()["code"] == "evidence_invalid"


# --- income


def _paid(db: Session, booking_id: int, kind: str, amount: int, status: str = "paid") -> None:
    db.add(PaymentOrder(id=f"T{uuid.uuid4().hex[:20]}", booking_id=booking_id, kind=kind, amount=amount,
                        gateway="sandbox", status=status, paid_at=utc_now() if status == "paid" else None))


def _refund(db: Session, booking_id: int, amount: int, status: str = "succeeded", step: str = "refund-cancel") -> None:
    db.add(Refund(booking_id=booking_id, step=step, amount=amount, status=status))


def _payout(db: Session, booking_id: int, artist_id: int, gross: int, commission: int, status: str = "paid") -> None:
    db.add(Payout(booking_id=booking_id, artist_id=artist_id, gross_amount=gross, commission_amount=commission,
                  payout_amount=gross - commission, status=status))


async def test_income_sums_the_artists_own_money_rows(api: httpx.AsyncClient, db: Session):
    one, two = await register_artist(api, "13900000073"), await register_artist(api, "13900000074", name="周明")
    a1, a2 = await user_id(api, one), await user_id(api, two)
    c1, c2 = user_row(db).id, user_row(db).id

    empty = await api.get(f"{V1}/me/artist/income", headers=bearer(one))
    assert empty.status_code == 200
    assert empty.json() == {"received_amount": 0, "refunded_amount": 0, "pending_amount": 0, "settled_amount": 0,
                            "commission_amount": 0, "bookings_settled": 0, "bookings_pending": 0}

    # Artist one: settled in full; partly refunded and waiting; fully refunded (refund still with the gateway);
    # only an unpaid and a closed order; settled after a partial refund.
    settled = insert_booking(db, c1, a1, status="COMPLETED")
    _paid(db, settled, "deposit", 300_000)
    _paid(db, settled, "balance", 700_000)
    _payout(db, settled, a1, 1_000_000, 100_000)
    waiting = insert_booking(db, c2, a1, status="DEPOSIT_PAID")
    _paid(db, waiting, "deposit", 200_000)
    _refund(db, waiting, 50_000)
    gone = insert_booking(db, c1, a1, status="CANCELLED")
    _paid(db, gone, "deposit", 100_000)
    _refund(db, gone, 100_000, status="pending")
    unpaid = insert_booking(db, c2, a1, status="SIGNED")
    _paid(db, unpaid, "deposit", 500_000, status="created")
    _paid(db, unpaid, "deposit", 500_000, status="closed")
    partly = insert_booking(db, c1, a1, status="COMPLETED")
    _paid(db, partly, "deposit", 400_000)
    _refund(db, partly, 60_000, step="dispute-1")
    _refund(db, partly, 40_000, status="failing", step="dispute-2")
    _payout(db, partly, a1, 300_000, 30_000)
    # Artist two: one waiting, one paid out, one waiting for the payout's approval; a client's booking with artist
    # two never shows up for artist one.
    held = insert_booking(db, c1, a2, status="FULLY_PAID")
    _paid(db, held, "deposit", 180_000)
    _paid(db, held, "balance", 420_000)
    done = insert_booking(db, c2, a2, status="COMPLETED")
    _paid(db, done, "deposit", 200_000)
    _payout(db, done, a2, 200_000, 20_000)
    approving = insert_booking(db, c1, a2, status="SETTLING")  # settled, its payout not approved yet: still pending
    _paid(db, approving, "deposit", 100_000)
    _payout(db, approving, a2, 100_000, 10_000, status="pending_approval")
    db.commit()

    first = (await api.get(f"{V1}/me/artist/income", headers=bearer(one))).json()
    assert first == {
        "received_amount": 300_000 + 700_000 + 200_000 + 100_000 + 400_000,
        "refunded_amount": 50_000 + 100_000 + 60_000 + 40_000,
        "pending_amount": 200_000 - 50_000,  # `gone` holds nothing any more
        "settled_amount": 900_000 + 270_000,
        "commission_amount": 100_000 + 30_000,
        "bookings_settled": 2,
        "bookings_pending": 1,
    }
    assert first["received_amount"] == (first["refunded_amount"] + first["pending_amount"]
                                        + first["settled_amount"] + first["commission_amount"])
    second = (await api.get(f"{V1}/me/artist/income", headers=bearer(two))).json()
    assert second == {"received_amount": 900_000, "refunded_amount": 0, "pending_amount": 600_000 + 90_000,
                      "settled_amount": 180_000, "commission_amount": 20_000 + 10_000, "bookings_settled": 1,
                      "bookings_pending": 2}
    # Artist two naming artist one is refused; a client has no income.
    other = await api.get(f"{V1}/me/artist/income", headers={**bearer(two), "X-Artist-Id": str(a1)})
    assert other.status_code == 403
    client = await register_client(api, "13800000075")
    assert (await api.get(f"{V1}/me/artist/income", headers=bearer(client))).status_code == 403
    assert db.get(Booking, settled) is not None


# --- notifications


async def test_notifications_are_paged_newest_first_with_the_unread_count(api: httpx.AsyncClient, db: Session):
    me, other = await register_client(api, "13800000076"), await register_client(api, "13800000077")
    my_id, other_id = await user_id(api, me), await user_id(api, other)
    now = utc_now()
    for i in range(25):
        db.add(Notification(user_id=my_id, step=f"t-{i}", title=f"通知{i}", body="内容",
                            created_at=now - timedelta(minutes=25 - i), read_at=now if i < 3 else None))
    for i in range(2):
        db.add(Notification(user_id=other_id, step=f"t-{i}", title=f"别人的通知{i}", body="内容"))
    db.commit()

    async def get(token: str = me, **params: str | int) -> dict:
        res = await api.get(f"{V1}/notifications", headers=bearer(token), params=params)
        assert res.status_code == 200, res.text
        return dict(res.json())

    first = await get(page=1, page_size=10)
    assert (first["total"], first["page"], first["page_size"], first["unread"]) == (25, 1, 10, 22)
    assert [n["title"] for n in first["items"]] == [f"通知{i}" for i in range(24, 14, -1)]
    last = await get(page=3, page_size=10)
    assert [n["title"] for n in last["items"]] == [f"通知{i}" for i in range(4, -1, -1)]
    assert [n["read"] for n in last["items"]] == [False, False, True, True, True]
    assert (await get(page=4, page_size=10))["items"] == []
    unread = await get(unread_only="true", page_size=100)
    assert unread["total"] == 22 and len(unread["items"]) == 22 and not any(n["read"] for n in unread["items"])
    default = await get()
    assert len(default["items"]) == 20 and default["page_size"] == 20
    assert len((await get(limit=5))["items"]) == 5  # the old parameter still works
    theirs = await get(other)
    assert theirs["total"] == 2 and theirs["unread"] == 2
    assert (await api.get(f"{V1}/notifications", headers=bearer(me), params={"page_size": 101})).status_code == 422
    await api.post(f"{V1}/notifications/read-all", headers=bearer(me))
    assert (await get(page=2, page_size=10))["unread"] == 0


# --- the sandbox cashier's way back


BACK = "/h5/#/subpkg/booking/order?id=12&from=pay"
ATTEMPTS = ["//evil.com", "//evil.com/h5/", "http://evil.com/h5/", "https://evil.com", "/h5/../admin",
            "/h5/%2e%2e/admin", "/h5/%2E%2E%2Fadmin", "/h5/./x/../../api", "javascript:alert(1)",
            "/h5\\evil.com", "/h5/\\\\evil.com", "/admin/", "h5/x", "/H5/x", "/h5/\nx", " /h5/x", ""]


def test_return_to_accepts_only_h5_paths_on_this_origin():
    assert safe_return_to(BACK) == BACK
    assert safe_return_to("/h5/") == "/h5/"
    assert safe_return_to("/h5/#/pages/orders/index") == "/h5/#/pages/orders/index"
    for attempt in [*ATTEMPTS, "/h5/" + "x" * 600, None]:
        assert safe_return_to(attempt) is None, attempt


async def test_cashier_keeps_return_to_through_payment(paying: httpx.AsyncClient, db: Session):
    api = paying
    client_id, artist_id = user_row(db).id, user_row(db).id
    bid = insert_booking(db, client_id, artist_id, status="SIGNED", fee_amount=100_000, deposit_amount=30_000)
    order_id = f"T{uuid.uuid4().hex[:20]}"
    db.add(PaymentOrder(id=order_id, booking_id=bid, kind="deposit", amount=30_000, gateway="sandbox"))
    db.commit()
    page = f"{V1}/payments/sandbox/{order_id}"

    before = await api.get(page, params={"return_to": BACK})
    assert before.status_code == 200
    back_link = f'href="{html.escape(BACK)}">返回</a>'
    assert back_link in before.text and "返回订单" not in before.text
    form_action = before.text.split('<form method="post" action="', 1)[1].split('"', 1)[0]
    assert parse_qs(urlsplit(html.unescape(form_action)).query) == {"return_to": [BACK]}

    for attempt in ATTEMPTS:
        shown = await api.get(page, params={"return_to": attempt})
        assert shown.status_code == 200 and "sandbox-return" not in shown.text, attempt
        assert "return_to" not in shown.text, attempt
    injected = await api.get(page, params={"return_to": '/h5/"><script>alert(1)</script>'})
    assert "<script>alert" not in injected.text and "&quot;&gt;&lt;script&gt;" in injected.text

    evil = await api.post(f"{page}/confirm", params={"return_to": "//evil.com"}, follow_redirects=False)
    assert evil.status_code == 303 and "evil" not in evil.headers["location"]
    # (the order may already be paid by the line above: the redirect back still carries return_to)
    confirm = await api.post(f"{page}/confirm", params={"return_to": BACK}, follow_redirects=False)
    assert confirm.status_code == 303
    location = urlsplit(confirm.headers["location"])
    assert location.path == page and parse_qs(location.query) == {"return_to": [BACK]}
    db.expire_all()
    assert db.get(PaymentOrder, order_id).status == "paid"  # type: ignore[union-attr]
    after = await api.get(confirm.headers["location"])
    assert f'href="{html.escape(BACK)}">返回订单</a>' in after.text and "已支付" in after.text
    assert "sandbox-return" not in (await api.get(page)).text


@pytest.mark.parametrize("value", ["/h5/%2e%2e/admin", "//evil.com"])
async def test_cashier_closed_order_redirect_drops_a_foreign_return_to(paying: httpx.AsyncClient, db: Session,
                                                                       value: str):
    client_id, artist_id = user_row(db).id, user_row(db).id
    bid = insert_booking(db, client_id, artist_id, status="SIGNED")
    order_id = f"T{uuid.uuid4().hex[:20]}"
    db.add(PaymentOrder(id=order_id, booking_id=bid, kind="deposit", amount=1000, gateway="sandbox", status="closed"))
    db.commit()
    res = await paying.post(f"{V1}/payments/sandbox/{order_id}/confirm", params={"return_to": value},
                            follow_redirects=False)
    assert res.status_code == 303 and parse_qs(urlsplit(res.headers["location"]).query) == {"notice": ["closed"]}
