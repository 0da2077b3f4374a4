"""What the order pages read: stages and the stage filter, conflicts, the typed quote, the artist's track record,
review state, the contract with signed signature links, the cancellation preview (checked against what the
workflow then refunds), payments, refunds and the dispute — on several bookings at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.orm import Session

from domain.bookings import service
from domain.models import ArtistProfile, Booking, Dispute, Review
from domain.time import utc_now
from tests.factories import (
    completed_booking,
    inquiry_body,
    insert_booking,
    signature_png,
    upload,
    user_id,
    verified_pair,
    verify_phones,
)
from tests.helpers import V1, bearer, register_client, with_sign_code

TIERS = [{"days_before": 30, "refund_percent": 100}, {"days_before": 10, "refund_percent": 50},
         {"days_before": 0, "refund_percent": 0}]


async def _inquire(api: httpx.AsyncClient, token: str, artist_id: int, phone: str, **kw) -> int:
    res = await api.post(f"{V1}/inquiries", headers=bearer(token),
                         json=inquiry_body([artist_id], contact_phone=phone, **kw))
    assert res.status_code == 201, res.text
    return int(res.json()["bookings"][0]["id"])


async def _act(api: httpx.AsyncClient, token: str, bid: int, action: str, body: dict | None = None) -> dict:
    body = await with_sign_code(api, token, bid, action, body)
    for _ in range(100):  # a booking whose first step hasn't run yet answers booking_not_ready: try again
        res = await api.post(f"{V1}/bookings/{bid}/actions/{action}", headers=bearer(token), json=body)
        if res.status_code != 409 or res.json()["code"] != "booking_not_ready":
            break
        await asyncio.sleep(0.1)
    assert res.status_code == 200, res.text
    return res.json()


async def _requested(api: httpx.AsyncClient, token: str, bid: int) -> None:
    """Wait until the workflow has recorded the request (its response deadline is set then)."""
    for _ in range(100):
        if (await _detail(api, token, bid))["deadline_at"] is not None:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"booking {bid}: the request step never ran")


async def _ids(api: httpx.AsyncClient, token: str, **params) -> list[int]:
    res = await api.get(f"{V1}/bookings", headers=bearer(token), params=params)
    assert res.status_code == 200, res.text
    return [b["id"] for b in res.json()["items"]]


async def _detail(api: httpx.AsyncClient, token: str, bid: int) -> dict:
    res = await api.get(f"{V1}/bookings/{bid}", headers=bearer(token))
    assert res.status_code == 200, res.text
    return res.json()


async def test_stages_conflicts_quote_and_track_record(api_with_temporal: httpx.AsyncClient, db: Session):
    api = api_with_temporal
    client_a, artist, aid = await verified_pair(api, db, "13800000061", "13900000061")
    client_b = await register_client(api, "13800000062", org="月光文化传媒")
    verify_phones(db, "13800000062")
    start = utc_now() + timedelta(days=40)
    b1 = await _inquire(api, client_a, aid, "13800000061", start=start)
    b2 = await _inquire(api, client_b, aid, "13800000062", start=start + timedelta(hours=1))  # overlaps b1
    b3 = await _inquire(api, client_a, aid, "13800000061", days=50)

    quote = {"fee_amount": 500_000, "deposit_percent": 30, "balance_due_days": 5, "cancellation_tiers": TIERS,
             "rider": ["需提供音响", "往返高铁"], "note": "含一次彩排"}
    await _act(api, artist, b1, "confirm", {"quote": quote})  # holds the artist's calendar
    await _act(api, artist, b3, "reject", {"reason": "档期已满"})
    await _act(api, artist, b1, "send_contract")
    await _requested(api, artist, b2)

    # The artist sees that b2 collides with the hold of b1; b1 itself and b3 don't.
    listed = {b["id"]: b for b in (await api.get(f"{V1}/bookings", headers=bearer(artist))).json()["items"]}
    assert {i: b["has_conflict"] for i, b in listed.items()} == {b1: False, b2: True, b3: False}
    d2 = await _detail(api, artist, b2)
    assert d2["has_conflict"] is True and [c["status"] for c in d2["conflicts"]] == ["held"]
    assert (await _detail(api, client_b, b2))["has_conflict"] is False  # only the artist is told

    assert {i: (b["stage"], b["stage_label"], b["deadline_label"]) for i, b in listed.items()} == {
        b1: ("contract", "签约", "签署合同截止"), b2: ("booking", "预约", "艺人确认截止"),
        b3: ("closed", "已关闭", None)}

    # The stage filter, for each side.
    assert await _ids(api, artist, stage="booking") == [b2]
    assert await _ids(api, artist, stage="contract") == [b1]
    assert await _ids(api, artist, stage="closed") == [b3]
    assert await _ids(api, client_a, stage="contract") == [b1]
    assert await _ids(api, client_a, stage="closed") == [b3]
    assert await _ids(api, client_a, stage="booking") == []
    assert await _ids(api, client_b, stage="booking") == [b2]
    assert await _ids(api, client_b, stage="closed") == []
    bad = await api.get(f"{V1}/bookings", headers=bearer(client_a), params={"stage": "paid"})
    assert bad.status_code == 422

    # The quote, typed, with deposit and balance worked out.
    assert (await _detail(api, client_a, b1))["quote"] == {
        "fee_amount": 500_000, "deposit_percent": 30, "deposit_amount": 150_000, "balance_amount": 350_000,
        "balance_due_days": 5, "cancellation_tiers": TIERS, "rider": ["需提供音响", "往返高铁"], "note": "含一次彩排"}
    assert listed[b2]["quote"] is None

    # The artist's track record on every item: one reviewed and one unreviewed completed show, an avatar.
    client_a_id = await user_id(api, client_a)
    reviewed, unreviewed = completed_booking(db, client_a_id, aid), completed_booking(db, client_a_id, aid)
    review = Review(booking_id=reviewed, client_id=client_a_id, artist_id=aid, effect_score=5, attitude_score=4,
                    punctuality_score=4, text="很棒")
    db.add(review)
    avatar = await upload(api, artist, "case_image")
    db.execute(update(ArtistProfile).where(ArtistProfile.user_id == aid).values(avatar_upload_id=avatar))
    db.commit()
    mine = {b["id"]: b for b in (await api.get(f"{V1}/bookings", headers=bearer(client_a))).json()["items"]}
    for b in mine.values():
        assert (b["artist_rating"], b["artist_review_count"], b["artist_completed_shows"], b["artist_verified"]) \
            == (4.3, 1, 2, True)
        assert b["artist_avatar_url"] and "sig=" in b["artist_avatar_url"]
    assert (mine[reviewed]["review_id"], mine[reviewed]["can_review"]) == (review.id, False)
    assert (mine[unreviewed]["review_id"], mine[unreviewed]["can_review"]) == (None, True)
    assert (mine[b1]["review_id"], mine[b1]["can_review"]) == (None, False)  # not completed yet
    assert mine[reviewed]["stage"] == "done"
    as_artist = await _detail(api, artist, unreviewed)
    assert as_artist["can_review"] is False  # the client writes it


async def test_old_quote_rows_read_with_the_workflows_defaults(api: httpx.AsyncClient, db: Session):
    client, artist, aid = await verified_pair(api, db, "13800000063", "13900000063")
    bid = insert_booking(db, await user_id(api, client), aid, status="CONFIRMED", fee_amount=100_001)
    db.execute(update(Booking).where(Booking.id == bid).values(
        quote={"fee_amount": 100_001, "deposit_percent": 33, "balance_due_days": 3}))
    db.commit()
    got = (await _detail(api, client, bid))["quote"]
    assert got == {"fee_amount": 100_001, "deposit_percent": 33, "deposit_amount": 33_000, "balance_amount": 67_001,
                   "balance_due_days": 3, "rider": [], "note": "",
                   "cancellation_tiers": [{"days_before": 30, "refund_percent": 100},
                                          {"days_before": 7, "refund_percent": 50},
                                          {"days_before": 0, "refund_percent": 0}]}


async def _wait(api: httpx.AsyncClient, token: str, bid: int, done) -> dict:
    for _ in range(200):
        b = await _detail(api, token, bid)
        if done(b):
            return b
        await asyncio.sleep(0.05)
    raise AssertionError(f"booking {bid} did not get there: {b['status']}, refunds {b['refunds']}")


async def _signed_and_paid(api: httpx.AsyncClient, client: str, artist: str, bid: int) -> dict:
    await _act(api, artist, bid, "confirm", {"quote": {"fee_amount": 1_000_000, "deposit_percent": 30,
                                                       "balance_due_days": 1}})
    await _act(api, artist, bid, "send_contract")
    await _act(api, client, bid, "sign", {"signature_png_base64": signature_png()})
    await _act(api, artist, bid, "countersign", {"signature_png_base64": signature_png()})
    order_id = (await _act(api, client, bid, "pay_deposit"))["payment_order_id"]
    confirm = await api.post(f"{V1}/payments/sandbox/{order_id}/confirm", follow_redirects=False)
    assert confirm.status_code == 303
    return await _wait(api, client, bid, lambda b: b["status"] == "DEPOSIT_PAID")


async def test_contract_money_and_cancel_preview_match_the_workflow(paying: httpx.AsyncClient, db: Session,
                                                                   temporal_env, monkeypatch):
    api = paying
    # The session's time-skipping server may run ahead of the wall clock after earlier tests skipped time; in
    # production both read the same clock, so the preview here reads the workflow's.
    skew = await temporal_env.get_current_time() - utc_now()
    monkeypatch.setattr(service, "utc_now", lambda: utc_now() + skew)
    now = utc_now() + skew
    client, artist, aid = await verified_pair(api, db, "13800000064", "13900000064")
    stranger = await register_client(api, "13800000065", org="路人甲公司")
    # >= 30 days: the deposit back in full; 7-29 days: half of it; the artist cancels: all back.
    far = await _inquire(api, client, aid, "13800000064", start=now + timedelta(days=40))
    near = await _inquire(api, client, aid, "13800000064", start=now + timedelta(days=12))
    by_artist = await _inquire(api, client, aid, "13800000064", start=now + timedelta(days=20))

    for bid in (far, near, by_artist):
        paid = await _signed_and_paid(api, client, artist, bid)
        assert paid["stage"] == "payment" and paid["paid_amount"] == 300_000
        # The contract with both signatures as short-lived links, served as the PNGs that were signed.
        contract = paid["contract"]
        assert contract["client_signed_at"] and contract["artist_signed_at"] and len(contract["terms_sha256"]) == 64
        assert contract["terms"]["fee_amount"] == 1_000_000
        for url in (contract["client_signature_url"], contract["artist_signature_url"]):
            png = await api.get(url)
            assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        assert (await _detail(api, artist, bid))["contract"]["client_signature_url"]
        assert (await api.get(f"{V1}/bookings/{bid}", headers=bearer(stranger))).status_code == 404
        assert [(p["kind"], p["kind_label"], p["amount"], p["status"], p["status_label"], bool(p["paid_at"]))
                for p in paid["payments"]] == [("deposit", "定金", 300_000, "paid", "已支付", True)]
        assert paid["refunds"] == [] and paid["dispute"] is None

    previews = {bid: (await _detail(api, client, bid))["cancel_preview"] for bid in (far, near)}
    assert previews[far]["refund_amount"] == 300_000 and previews[far]["kept_amount"] == 0
    assert previews[far]["rule"].startswith("距演出 39 天") and previews[far]["rule"].endswith("退还定金的 100%")
    assert previews[near]["refund_amount"] == 150_000 and previews[near]["kept_amount"] == 150_000
    assert previews[near]["rule"] == "距演出 11 天，按合同退还定金的 50%"
    artist_preview = (await _detail(api, artist, by_artist))["cancel_preview"]
    assert (artist_preview["paid_amount"], artist_preview["refund_amount"], artist_preview["kept_amount"]) \
        == (300_000, 300_000, 0)

    await _act(api, client, far, "cancel", {"reason": "活动取消"})
    await _act(api, client, near, "cancel", {"reason": "活动取消"})
    await _act(api, artist, by_artist, "cancel", {"reason": "身体不适"})
    for bid, preview in ((far, previews[far]), (near, previews[near]), (by_artist, artist_preview)):
        done = await _wait(api, client, bid, lambda b: any(e["action"] == "refunded" for e in b["events"]))
        assert done["refunded_amount"] == preview["refund_amount"]
        assert [(r["amount"], r["status"], r["status_label"], r["reason"], bool(r["refunded_at"]))
                for r in done["refunds"]] == [(preview["refund_amount"], "succeeded", "已退款", "取消预约退款", True)]
        assert done["stage"] == "closed" and done["cancel_preview"] is None
        assert [p["status"] for p in done["payments"]] == ["paid"]


async def test_dispute_with_evidence_links(paying: httpx.AsyncClient, db: Session):
    api = paying
    client, artist, aid = await verified_pair(api, db, "13800000066", "13900000066")
    disputed = await _inquire(api, client, aid, "13800000066", days=15)
    calm = await _inquire(api, client, aid, "13800000066", days=16)
    for bid in (disputed, calm):
        await _signed_and_paid(api, client, artist, bid)
    await _act(api, client, disputed, "dispute", {"reason": "艺人联系不上"})
    photo = await upload(api, client, "evidence")
    other_users_photo = await upload(api, await register_client(api, "13800000067"), "evidence")
    # Entries that are not the parties' uploads (older free text, someone else's file) are no links.
    db.execute(update(Dispute).where(Dispute.booking_id == disputed).values(
        evidence=[photo, "聊天截图见微信", other_users_photo, "999999"]))
    db.commit()
    for token in (client, artist):
        d = await _detail(api, token, disputed)
        dispute = d["dispute"]
        assert d["stage"] == "settlement" and d["stage_label"] == "结算"
        assert (dispute["reason"], dispute["opened_by_role"], dispute["resolution"], dispute["resolution_label"]) \
            == ("艺人联系不上", "client", None, None)
        assert len(dispute["evidence_urls"]) == 1
        got = await api.get(dispute["evidence_urls"][0])
        assert got.status_code == 200 and got.content.startswith(b"\x89PNG")
    assert (await _detail(api, client, calm))["dispute"] is None


def test_a_page_of_bookings_costs_the_same_queries_as_one(db: Session, ctx) -> None:
    from sqlalchemy import event, select

    from tests.factories import artist_row, user_row

    client = user_row(db).id
    artists = [artist_row(db) for _ in range(3)]
    ids = [insert_booking(db, client, artists[i % 3], start=utc_now() + timedelta(days=10 + i)) for i in range(6)]
    completed_booking(db, client, artists[0])
    rows = list(db.scalars(select(Booking).where(Booking.id.in_(ids)).order_by(Booking.id)))
    counts = []
    for page in (rows[:1], rows):
        seen: list[str] = []

        def listener(*args, seen=seen):  # (conn, cursor, statement, ...)
            seen.append(args[2])

        event.listen(db.get_bind(), "before_cursor_execute", listener)
        try:
            views = service.booking_views(db, page, "artist", ctx.storage)
        finally:
            event.remove(db.get_bind(), "before_cursor_execute", listener)
        assert [v.id for v in views] == [b.id for b in page]
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


async def test_a_performed_show_is_accepted_automatically_by_a_deadline(api: httpx.AsyncClient, db: Session):
    from domain.models import BookingEvent

    client, artist, aid = await verified_pair(api, db, "13800000068", "13900000068")
    cid = await user_id(api, client)
    performed = insert_booking(db, cid, aid, status="PERFORMED", start=utc_now() - timedelta(hours=5))
    paid = insert_booking(db, cid, aid, status="DEPOSIT_PAID")
    marked = utc_now() - timedelta(hours=2)
    db.add(BookingEvent(booking_id=performed, step="009-performed", action="performed", actor_role="system",
                        from_status="FULLY_PAID", to_status="PERFORMED", created_at=marked))
    db.execute(update(Booking).where(Booking.id == paid).values(deadline_at=utc_now() - timedelta(days=3)))
    db.commit()
    items = {b["id"]: b for b in (await api.get(f"{V1}/bookings", headers=bearer(client))).json()["items"]}
    got = items[performed]
    assert (got["stage"], got["deadline_label"]) == ("show", "确认演出截止")
    assert got["deadline_at"].startswith((marked + timedelta(hours=72)).isoformat()[:19])
    # The deposit deadline that passed is no deadline any more.
    assert (items[paid]["stage"], items[paid]["deadline_label"]) == ("payment", None)
