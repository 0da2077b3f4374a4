"""Favorites and demand posts (需求) through the API: saving artists and demands, publishing, moderation,
the artists' demand list, closing, and a quote that opens a booking (BookingWorkflow on the time-skipping server)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.orm import Session

from domain.models import User
from domain.time import SHANGHAI, utc_now
from tests.factories import demand_body, user_id, verify_phones
from tests.helpers import V1, bearer, operator_token, register_artist, register_client

QUOTE = {"fee_amount": 1_200_000, "deposit_percent": 30, "balance_due_days": 3}


async def _publish(api: httpx.AsyncClient, token: str, ops: str | None = None, **over: object) -> int:
    res = await api.post(f"{V1}/demands", headers=bearer(token), json=demand_body(**over))  # type: ignore[arg-type]
    assert res.status_code == 201, res.text
    assert res.json()["moderation_status"] == "pending" and res.json()["status"] == "open"
    demand_id = int(res.json()["id"])
    if ops:
        ok = await api.post(f"{V1}/admin/demands/{demand_id}/review", headers=bearer(ops), json={"status": "approved"})
        assert ok.status_code == 200, ok.text
    return demand_id


async def test_client_favorites_artists(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000001")
    artist = await register_artist(api, "13900000001", name="林晚晴")
    banned = await register_artist(api, "13900000002", name="封禁歌手")
    artist_id, banned_id = await user_id(api, artist), await user_id(api, banned)
    db.execute(update(User).where(User.id == banned_id).values(status="banned"))
    db.commit()

    # Login required; acting as an artist is not enough.
    assert (await api.post(f"{V1}/favorites/artists/{artist_id}")).status_code == 401
    as_artist = await api.post(f"{V1}/favorites/artists/{artist_id}", headers=bearer(artist))
    assert as_artist.status_code == 403 and as_artist.json()["code"] == "role_required"

    for _ in range(2):  # favoriting twice is fine
        res = await api.post(f"{V1}/favorites/artists/{artist_id}", headers=bearer(client))
        assert res.status_code == 200, res.text
        assert res.json() == {"favorited": True}
    assert (await api.post(f"{V1}/favorites/artists/{banned_id}", headers=bearer(client))).status_code == 404
    assert (await api.post(f"{V1}/favorites/artists/987654321", headers=bearer(client))).status_code == 404

    mine = (await api.get(f"{V1}/favorites/artists", headers=bearer(client))).json()
    assert mine["total"] == 1 and [a["id"] for a in mine["items"]] == [artist_id]
    assert mine["items"][0]["stage_name"] == "林晚晴"
    # The artist page tells the viewer it is saved; nobody else sees that.
    assert (await api.get(f"{V1}/artists/{artist_id}", headers=bearer(client))).json()["favorited"] is True
    assert (await api.get(f"{V1}/artists/{artist_id}")).json()["favorited"] is False

    for _ in range(2):
        gone = await api.delete(f"{V1}/favorites/artists/{artist_id}", headers=bearer(client))
        assert gone.status_code == 200 and gone.json() == {"favorited": False}
    assert (await api.get(f"{V1}/favorites/artists", headers=bearer(client))).json()["total"] == 0
    assert (await api.get(f"{V1}/artists/{artist_id}", headers=bearer(client))).json()["favorited"] is False
    # Browsing stays public.
    assert (await api.get(f"{V1}/artists/{artist_id}")).status_code == 200


async def test_artist_favorites_demands(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000001")
    artist = await register_artist(api, "13900000001")
    verify_phones(db, "13800000001")
    ops = await operator_token(api, db)
    approved = await _publish(api, client, ops)
    pending = await _publish(api, client)

    for _ in range(2):
        res = await api.post(f"{V1}/favorites/demands/{approved}", headers=bearer(artist))
        assert res.status_code == 200, res.text
    # Not yet approved: artists can't see it, so can't save it either.
    assert (await api.post(f"{V1}/favorites/demands/{pending}", headers=bearer(artist))).status_code == 404
    assert (await api.post(f"{V1}/favorites/demands/{approved}", headers=bearer(client))).status_code == 403
    assert (await api.get(f"{V1}/favorites/demands")).status_code == 401

    saved = (await api.get(f"{V1}/favorites/demands", headers=bearer(artist))).json()
    assert saved["total"] == 1 and saved["items"][0]["id"] == approved and saved["items"][0]["favorited"] is True
    listed = (await api.get(f"{V1}/demands", headers=bearer(artist))).json()
    assert listed["items"][0]["favorited"] is True

    assert (await api.delete(f"{V1}/favorites/demands/{approved}", headers=bearer(artist))).status_code == 200
    assert (await api.get(f"{V1}/favorites/demands", headers=bearer(artist))).json()["total"] == 0


async def test_demand_validation(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000001")
    artist = await register_artist(api, "13900000001")

    unverified = await api.post(f"{V1}/demands", headers=bearer(client), json=demand_body())
    assert unverified.status_code == 422 and unverified.json()["code"] == "verification_required"
    verify_phones(db, "13800000001", "13900000001")

    past = await api.post(f"{V1}/demands", headers=bearer(client), json=demand_body(days=-2))
    assert past.status_code == 422 and past.json()["code"] == "start_in_past"
    flipped = await api.post(f"{V1}/demands", headers=bearer(client),
                             json=demand_body(budget_min_amount=3_000_000, budget_max_amount=1_000_000))
    assert flipped.status_code == 422 and flipped.json()["message"] == "最低预算不能高于最高预算"
    start = utc_now() + timedelta(days=10)
    backwards = await api.post(f"{V1}/demands", headers=bearer(client), json=demand_body(
        start_at=start.isoformat(), end_at=(start - timedelta(hours=1)).isoformat()))
    assert backwards.status_code == 422 and backwards.json()["message"] == "结束时间必须晚于开始时间"
    naive = await api.post(f"{V1}/demands", headers=bearer(client), json=demand_body(start_at="2030-01-01T10:00:00"))
    assert naive.status_code == 422
    too_long = await api.post(f"{V1}/demands", headers=bearer(client), json=demand_body(description="演" * 2001))
    assert too_long.status_code == 422
    bad_type = await api.post(f"{V1}/demands", headers=bearer(client), json=demand_body(artist_types=["wizard"]))
    assert bad_type.status_code == 422
    assert (await api.post(f"{V1}/demands", headers=bearer(artist), json=demand_body())).status_code == 403
    assert (await api.post(f"{V1}/demands", json=demand_body())).status_code == 401


async def test_moderation_filters_and_close(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000001")
    other = await register_client(api, "13800000002", org="别家公司")
    artist = await register_artist(api, "13900000001")
    verify_phones(db, "13800000001", "13800000002")
    ops = await operator_token(api, db)

    singer_sh = await _publish(api, client, days=20, artist_types=["singer", "band"], city="上海")
    dancer_bj = await _publish(api, client, days=25, artist_types=["dancer"], city="北京")
    rejected = await _publish(api, client, days=30)

    # Pending: only the owner sees it.
    assert (await api.get(f"{V1}/demands", headers=bearer(artist))).json()["total"] == 0
    assert (await api.get(f"{V1}/demands/{singer_sh}", headers=bearer(artist))).status_code == 404

    no_reason = await api.post(f"{V1}/admin/demands/{rejected}/review", headers=bearer(ops),
                               json={"status": "rejected"})
    assert no_reason.status_code == 422
    queue = (await api.get(f"{V1}/admin/demands", headers=bearer(ops))).json()
    assert {d["id"] for d in queue["items"]} == {singer_sh, dancer_bj, rejected}
    assert (await api.post(f"{V1}/admin/demands/{singer_sh}/review", headers=bearer(client),
                           json={"status": "approved"})).status_code == 403
    for demand_id in (singer_sh, dancer_bj):
        res = await api.post(f"{V1}/admin/demands/{demand_id}/review", headers=bearer(ops), json={"status": "approved"})
        assert res.json()["moderation_status"] == "approved"
    res = await api.post(f"{V1}/admin/demands/{rejected}/review", headers=bearer(ops),
                         json={"status": "rejected", "reason": "描述含联系方式"})
    assert res.status_code == 200 and res.json()["review_reason"] == "描述含联系方式"

    listed = (await api.get(f"{V1}/demands", headers=bearer(artist))).json()
    assert [d["id"] for d in listed["items"]] == [singer_sh, dancer_bj]  # soonest first; rejected invisible
    assert listed["items"][0]["client_org"] == "星河科技有限公司"
    assert "13800000001" not in listed["items"][0]["description"] and "138****0001" in listed["items"][0]["description"]
    assert listed["items"][0]["review_reason"] is None

    async def ids(query: str) -> list[int]:
        res = await api.get(f"{V1}/demands?{query}", headers=bearer(artist))
        assert res.status_code == 200, res.text
        return [d["id"] for d in res.json()["items"]]

    assert await ids("artist_type=band") == [singer_sh]
    assert await ids("artist_type=dancer&city=北京") == [dancer_bj]
    assert await ids("city=广州") == []
    day = (utc_now() + timedelta(days=25)).astimezone(SHANGHAI).date()
    assert await ids(f"date={day.isoformat()}") == [dancer_bj]
    assert await ids("page=2&page_size=1") == [dancer_bj]
    assert (await api.get(f"{V1}/demands?artist_type=wizard", headers=bearer(artist))).status_code == 422
    assert (await api.get(f"{V1}/demands", headers=bearer(client))).status_code == 403

    # The owner sees every one of theirs, with the moderation state and the reason.
    mine = (await api.get(f"{V1}/demands/mine", headers=bearer(client))).json()
    by_id = {d["id"]: d for d in mine["items"]}
    assert by_id[rejected]["moderation_status"] == "rejected" and by_id[rejected]["review_reason"] == "描述含联系方式"
    assert by_id[singer_sh]["moderation_status"] == "approved"
    assert (await api.get(f"{V1}/demands/mine", headers=bearer(other))).json()["total"] == 0

    # Only the owner closes; a closed demand leaves the list and takes no quotes.
    assert (await api.post(f"{V1}/demands/{singer_sh}/close", headers=bearer(other))).status_code == 404
    assert (await api.post(f"{V1}/demands/{singer_sh}/close", headers=bearer(artist))).status_code == 403
    closed = await api.post(f"{V1}/demands/{singer_sh}/close", headers=bearer(client))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert await ids("") == [dancer_bj]
    verify_phones(db, "13900000001")
    late = await api.post(f"{V1}/demands/{singer_sh}/respond", headers=bearer(artist), json={"quote": QUOTE})
    assert late.status_code == 409 and late.json()["code"] == "demand_not_open"
    unapproved = await api.post(f"{V1}/demands/{rejected}/respond", headers=bearer(artist), json={"quote": QUOTE})
    assert unapproved.status_code == 409


async def test_quote_opens_a_quoted_booking(api_with_temporal: httpx.AsyncClient, db: Session):
    api = api_with_temporal
    client = await register_client(api, "13800000001")
    artist = await register_artist(api, "13900000001", name="林晚晴")
    unverified = await register_artist(api, "13900000002", name="新人歌手")
    verify_phones(db, "13800000001", "13900000001")
    ops = await operator_token(api, db)
    demand_id = await _publish(api, client, ops, venue_address="浦东新区世纪大道1号", audience_size=300)
    artist_id = await user_id(api, artist)

    refused = await api.post(f"{V1}/demands/{demand_id}/respond", headers=bearer(unverified), json={"quote": QUOTE})
    assert refused.status_code == 422 and "实名" in refused.json()["message"]
    assert (await api.post(f"{V1}/demands/{demand_id}/respond", headers=bearer(client),
                           json={"quote": QUOTE})).status_code == 403

    res = await api.post(f"{V1}/demands/{demand_id}/respond", headers=bearer(artist),
                         json={"quote": QUOTE, "message": "可以演唱三首"})
    assert res.status_code == 201, res.text
    out = res.json()
    assert out["quote_error"] is None
    booking = out["booking"]
    assert booking["status"] == "CONFIRMED" and booking["fee_amount"] == 1_200_000
    assert booking["artist_id"] == artist_id and booking["event_type"] == "公司年会"

    # The client sees a quoted booking from this artist, with the demand's details.
    seen = await api.get(f"{V1}/bookings/{booking['id']}", headers=bearer(client))
    assert seen.status_code == 200, seen.text
    detail = seen.json()
    assert detail["status"] == "CONFIRMED" and detail["deposit_amount"] == 360_000
    assert detail["venue_address"] == "浦东新区世纪大道1号" and detail["audience_size"] == 300
    assert detail["budget_amount"] == 2_000_000 and detail["contact_phone"] == "13800000001"
    assert "withdraw" in detail["allowed_actions"]  # the client may still decline the quote

    again = await api.post(f"{V1}/demands/{demand_id}/respond", headers=bearer(artist), json={"quote": QUOTE})
    assert again.status_code == 409 and again.json()["code"] == "demand_already_responded"
    mine = (await api.get(f"{V1}/demands/mine", headers=bearer(client))).json()
    assert mine["items"][0]["response_count"] == 1
    answers = await api.get(f"{V1}/demands/{demand_id}/answers", headers=bearer(client))
    assert answers.status_code == 200, answers.text
    (answer,) = answers.json()
    assert answer["artist_id"] == artist_id and answer["message"] == "可以演唱三首"
    assert answer["booking"]["id"] == booking["id"] and answer["booking"]["fee_amount"] == 1_200_000
    other = await register_client(api, "13800000002")
    assert (await api.get(f"{V1}/demands/{demand_id}/answers", headers=bearer(other))).status_code == 404
    listed = (await api.get(f"{V1}/demands", headers=bearer(artist))).json()
    assert listed["items"][0]["responded"] is True
