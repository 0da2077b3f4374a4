"""Inquiries and bookings through the API, with the BookingWorkflow running on the time-skipping server."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.models import CalendarSlot, Inquiry
from domain.time import utc_now
from tests.factories import inquiry_body, user_id, verified_pair, verify_phones
from tests.helpers import V1, bearer, operator_token, register_artist, register_client

QUOTE = {"quote": {"fee_amount": 1_200_000, "deposit_percent": 30, "balance_due_days": 3}}


async def test_inquiry_to_three_artists_compare_and_proceed(api_with_temporal: httpx.AsyncClient, db: Session):
    api = api_with_temporal
    client = await register_client(api, "13800000001")
    artists = [await register_artist(api, f"1390000000{i}", name=f"歌手{i}") for i in range(1, 4)]
    verify_phones(db, "13800000001", "13900000001", "13900000002", "13900000003")
    ids = [await user_id(api, t) for t in artists]
    res = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body(ids))
    assert res.status_code == 201, res.text
    inquiry = res.json()
    assert [b["status"] for b in inquiry["bookings"]] == ["REQUESTED"] * 3
    bookings = {b["artist_id"]: b["id"] for b in inquiry["bookings"]}

    # Each artist sees only their own request, with what they may do.
    mine = (await api.get(f"{V1}/bookings", headers=bearer(artists[0]))).json()
    assert [b["id"] for b in mine["items"]] == [bookings[ids[0]]]
    assert mine["items"][0]["allowed_actions"] == ["confirm", "reject", "cancel"]
    other = await api.get(f"{V1}/bookings/{bookings[ids[1]]}", headers=bearer(artists[0]))
    assert other.status_code == 404

    r1 = await api.post(f"{V1}/bookings/{bookings[ids[0]]}/actions/confirm", headers=bearer(artists[0]), json=QUOTE)
    assert r1.status_code == 200, r1.text
    assert r1.json()["booking"]["deposit_amount"] == 360_000
    cheaper = {"quote": {"fee_amount": 900_000, "deposit_percent": 50, "balance_due_days": 7}}
    r2 = await api.post(f"{V1}/bookings/{bookings[ids[1]]}/actions/confirm", headers=bearer(artists[1]), json=cheaper)
    assert r2.status_code == 200
    r3 = await api.post(f"{V1}/bookings/{bookings[ids[2]]}/actions/reject", headers=bearer(artists[2]),
                        json={"reason": "当天在外地演出"})
    assert r3.json()["status"] == "REJECTED"

    side = (await api.get(f"{V1}/inquiries/{inquiry['id']}", headers=bearer(client))).json()
    by_artist = {b["artist_id"]: b for b in side["bookings"]}
    assert by_artist[ids[0]]["fee_amount"] == 1_200_000 and by_artist[ids[1]]["fee_amount"] == 900_000
    assert by_artist[ids[0]]["quote"]["cancellation_tiers"][0] == {"days_before": 30, "refund_percent": 100}
    assert by_artist[ids[0]]["response_minutes"] == 0 and by_artist[ids[2]]["reason"] == "当天在外地演出"

    went = await api.post(f"{V1}/inquiries/{inquiry['id']}/proceed", headers=bearer(client),
                          json={"booking_ids": [bookings[ids[1]]]})
    assert went.status_code == 200, went.text
    after = {b["artist_id"]: b["status"] for b in went.json()["bookings"]}
    assert after == {ids[0]: "WITHDRAWN", ids[1]: "CONFIRMED", ids[2]: "REJECTED"}
    assert db.scalar(select(func.count()).where(CalendarSlot.booking_id == bookings[ids[0]])) == 0

    # A client action that the state doesn't allow: 409, nothing changes.
    bad = await api.post(f"{V1}/bookings/{bookings[ids[1]]}/actions/sign", headers=bearer(client), json={})
    assert bad.status_code == 409 and bad.json()["code"] == "action_not_allowed"
    detail = (await api.get(f"{V1}/bookings/{bookings[ids[1]]}", headers=bearer(client))).json()
    assert detail["status"] == "CONFIRMED"
    assert [e["to_status"] for e in detail["events"]] == ["REQUESTED", "CONFIRMED"]
    assert detail["allowed_actions"] == ["withdraw", "cancel"]

    notes = (await api.get(f"{V1}/notifications", headers=bearer(client))).json()
    assert notes["unread"] >= 2 and any(n["title"] == "艺人已报价" for n in notes["items"])
    first = notes["items"][0]["id"]
    assert (await api.post(f"{V1}/notifications/{first}/read", headers=bearer(client))).json()["unread"] == \
        notes["unread"] - 1
    assert (await api.post(f"{V1}/notifications/{first}/read", headers=bearer(artists[0]))).status_code == 404
    await api.post(f"{V1}/notifications/read-all", headers=bearer(client))
    assert (await api.get(f"{V1}/notifications/unread-count", headers=bearer(client))).json() == {"unread": 0}


async def test_inquiry_validation(api_with_temporal: httpx.AsyncClient, db: Session):
    api = api_with_temporal
    client = await register_client(api, "13800000002")
    artist = await register_artist(api, "13900000004")
    aid = await user_id(api, artist)
    unverified = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([aid]))
    assert unverified.status_code == 422 and "实名" in unverified.json()["message"]
    assert unverified.json()["code"] == "verification_required"
    verify_phones(db, "13800000002", "13900000004")
    cases = [
        (inquiry_body([aid], days=-1), 422, "演出时间不能早于当前时间"),
        (inquiry_body([aid], end_at=(utc_now() + timedelta(days=39)).isoformat()), 422, "结束时间必须晚于开始时间"),
        (inquiry_body([aid] + list(range(900, 910))), 422, "艺人最多10项"),
        (inquiry_body([987654]), 404, "艺人（ID 987654）不存在"),
        (inquiry_body([aid], start_at="2030-01-01T10:00:00"), 422, None),  # no timezone
    ]
    for body, status, message in cases:
        res = await api.post(f"{V1}/inquiries", headers=bearer(client), json=body)
        assert res.status_code == status, (body, res.text)
        if message:
            assert res.json()["message"] == message
    # Booking oneself: an account with both roles.
    await api.put(f"{V1}/me/artist-profile", headers=bearer(client), json={
        "stage_name": "兼职歌手", "artist_types": ["singer"], "city": "上海", "contact_phone": "13800000002"})
    me = (await api.get(f"{V1}/me", headers=bearer(client))).json()
    res = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([me["id"]]))
    assert res.status_code == 422 and res.json()["code"] == "self_booking"
    # A banned artist can't be booked.
    ops = await operator_token(api, db)
    await api.post(f"{V1}/admin/users/{aid}/status", headers=bearer(ops), json={"status": "banned", "reason": "违规"})
    res = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([aid]))
    assert res.status_code == 422 and res.json()["code"] == "artist_banned"
    # Artists can't send inquiries.
    other = await register_artist(api, "13900000005")
    assert (await api.post(f"{V1}/inquiries", headers=bearer(other), json=inquiry_body([aid]))).status_code == 403


async def test_inquiry_contact_phone_in_other_digits_is_stored_in_ascii(api_with_temporal: httpx.AsyncClient,
                                                                        db: Session):
    api = api_with_temporal
    client = await register_client(api, "13800000002")
    aid = await user_id(api, await register_artist(api, "13900000004"))
    verify_phones(db, "13800000002", "13900000004")
    for typed in ("1371234560", "137123456O9", "13712345609".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))[:10]):
        res = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([aid], contact_phone=typed))
        assert res.status_code == 422 and res.json()["detail"][0]["field"] == "contact_phone", res.text
    for typed in ("13７１２３４５６０９", "١٣٧١٢٣٤٥٦٠٩"):
        res = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([aid], contact_phone=typed))
        assert res.status_code == 201, res.text
    assert list(db.scalars(select(Inquiry.contact_phone))) == ["13712345609", "13712345609"]


async def test_fifty_concurrent_confirmations_give_one_hold(api_with_temporal: httpx.AsyncClient, db: Session):
    api = api_with_temporal
    artist = await register_artist(api, "13900000006")
    aid = await user_id(api, artist)
    clients = [await register_client(api, f"1380000{i:04d}") for i in range(10, 15)]
    verify_phones(db, "13900000006", *[f"1380000{i:04d}" for i in range(10, 15)])
    booking_ids = []
    start = utc_now() + timedelta(days=30)
    for n in range(50):  # 50 requests whose times overlap pairwise
        s = start + timedelta(minutes=n)
        res = await api.post(f"{V1}/inquiries", headers=bearer(clients[n % 5]),
                             json=inquiry_body([aid], start=s, hours=2))
        assert res.status_code == 201, res.text
        booking_ids.append(res.json()["bookings"][0]["id"])
    detail = (await api.get(f"{V1}/bookings/{booking_ids[0]}", headers=bearer(artist))).json()
    assert detail["conflicts"] == []  # requests alone don't block the calendar
    results = await asyncio.gather(*[
        api.post(f"{V1}/bookings/{b}/actions/confirm", headers=bearer(artist), json=QUOTE) for b in booking_ids])
    codes = sorted(r.status_code for r in results)
    assert codes == [200] + [409] * 49
    assert {r.json()["code"] for r in results if r.status_code == 409} == {"calendar_conflict"}
    assert all("档期" in r.json()["message"] for r in results if r.status_code == 409)
    assert db.scalar(select(func.count()).where(CalendarSlot.artist_id == aid, CalendarSlot.status == "held")) == 1
    # The artist now sees the conflict warning on every other request.
    loser = next(b for b, r in zip(booking_ids, results, strict=True) if r.status_code == 409)
    warn = (await api.get(f"{V1}/bookings/{loser}", headers=bearer(artist))).json()["conflicts"]
    assert [c["status"] for c in warn] == ["held"] and warn[0]["label"] == "已预留"


async def test_operator_queue_and_intervention(api_with_temporal: httpx.AsyncClient, db: Session):
    api = api_with_temporal
    client, artist, aid = await verified_pair(api, db, "13800000020", "13900000020")
    res = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([aid]))
    bid = res.json()["bookings"][0]["id"]
    ops = await operator_token(api, db)
    listed = (await api.get(f"{V1}/admin/bookings?status=REQUESTED", headers=bearer(ops))).json()
    assert [b["id"] for b in listed["items"]] == [bid]
    assert listed["items"][0]["allowed_actions"] == ["cancel", "extend_deadline"]
    before = None
    for _ in range(100):  # the workflow's first step lands about a second after the inquiry's commit
        before = (await api.get(f"{V1}/admin/bookings/{bid}", headers=bearer(ops))).json()["deadline_at"]
        if before:
            break
        await asyncio.sleep(0.1)
    assert before
    ext = await api.post(f"{V1}/admin/bookings/{bid}/actions/extend_deadline", headers=bearer(ops),
                         json={"extend_hours": 24, "reason": "艺人出差，申请延长答复时间"})
    assert ext.status_code == 200, ext.text
    assert ext.json()["booking"]["deadline_at"] > before
    res = await api.post(f"{V1}/admin/bookings/{bid}/actions/resolve_dispute", headers=bearer(ops),
                         json={"resolution": "release", "reason": "无纠纷"})
    assert res.status_code == 409
    cancel = await api.post(f"{V1}/admin/bookings/{bid}/actions/cancel", headers=bearer(ops),
                            json={"reason": "需求方电话要求取消"})
    assert cancel.json()["status"] == "CANCELLED"
    # Users can't use operator actions, and operators are not users.
    assert (await api.post(f"{V1}/bookings/{bid}/actions/extend_deadline", headers=bearer(client),
                           json={"extend_hours": 5})).status_code == 404
    assert (await api.get(f"{V1}/admin/bookings", headers=bearer(client))).status_code == 403
