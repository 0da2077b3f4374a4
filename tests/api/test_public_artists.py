"""Browsing needs no login: the artist list and artist pages are public."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.artists.search_sync import reindex
from domain.models import BookingEvent, CalendarSlot, User
from domain.seed import ARTISTS, seed
from domain.time import utc_now
from tests.factories import insert_booking, user_id
from tests.helpers import V1, bearer, operator_token, register_artist, register_client


async def test_seeded_artists_are_browsable_without_login(api: httpx.AsyncClient, db: Session, ctx: AppContext):
    seed(db, ctx.cipher)
    db.commit()
    assert reindex(ctx.search, db) == len(ARTISTS)
    page = (await api.get(f"{V1}/artists?page_size=50&sort=newest")).json()
    assert page["total"] == len(ARTISTS) >= 30
    assert {t for a in page["items"] for t in a["artist_types"]} == {
        "singer", "dancer", "host", "band", "magician", "crosstalk", "acrobat", "other"}
    assert len({a["city"] for a in page["items"]}) >= 8
    first = next(a for a in page["items"] if a["stage_name"] == "林晚晴")
    assert first["artist_type_labels"] == ["歌手"]
    assert sum(page["facets"]["artist_types"].values()) >= len(ARTISTS)
    cheap = (await api.get(f"{V1}/artists", params={"price_max": 300_000, "sort": "price_asc"})).json()
    prices = [a["price_min_amount"] for a in cheap["items"]]
    assert prices and prices == sorted(prices) and all(p <= 300_000 for p in prices)
    verified = (await api.get(f"{V1}/artists", params={"verified_only": "true", "page_size": 50})).json()
    assert 0 < verified["total"] < len(ARTISTS) and all(a["verified"] for a in verified["items"])
    bad = await api.get(f"{V1}/artists", params={"price_min": 500, "price_max": 100})
    assert bad.status_code == 422
    assert first["price_min_amount"] == 600_000  # fen: ¥6,000

    beijing_hosts = (await api.get(f"{V1}/artists", params={"city": "北京", "artist_type": "host"})).json()
    assert [a["stage_name"] for a in beijing_hosts["items"]] == ["孙浩然"]
    keyword = (await api.get(f"{V1}/artists", params={"q": "爵士"})).json()
    assert {a["stage_name"] for a in keyword["items"]} >= {"南城爵士四重奏", "何雨桐"}
    assert (await api.get(f"{V1}/artists", params={"q": "100%_"})).json()["total"] == 0

    detail = (await api.get(f"{V1}/artists/{first['id']}")).json()
    assert [p["title"] for p in detail["prices"]] == ["标准演出", "加长演出"]
    assert detail["calendar"] and {s["status"] for s in detail["calendar"]} <= {"available", "unavailable"}
    assert db.scalar(select(CalendarSlot.status).where(CalendarSlot.artist_id == first["id"]).limit(1)) in {
        "booked", "rest", "unavailable"}
    assert (await api.get(f"{V1}/artists/99999999")).status_code == 404

    # Seeding twice adds nothing.
    assert seed(db, ctx.cipher) == {"operators": 0, "clients": 0, "artists": 0}

    ops = await operator_token(api, db)
    banned = db.scalar(select(User).where(User.id == first["id"]))
    assert banned is not None
    await api.post(f"{V1}/admin/users/{banned.id}/status", headers=bearer(ops),
                   json={"status": "banned", "reason": "冒用他人演出视频"})
    assert (await api.get(f"{V1}/artists")).json()["total"] == len(ARTISTS) - 1
    assert (await api.get(f"{V1}/artists/{banned.id}")).status_code == 404


async def test_response_rate_badge_counts_answered_requests(api: httpx.AsyncClient, db: Session):
    """回复率: requests the artist quoted or declined, out of those answered or left to expire."""
    client = await register_client(api, "13800000301")
    artist = await register_artist(api, "13900000301", name="回复测试")
    client_id = await user_id(api, client)
    artist_id = await user_id(api, artist)
    assert (await api.get(f"{V1}/artists/{artist_id}")).json()["response_rate"] is None  # nothing to judge yet
    start = utc_now() + timedelta(days=30)
    for outcome in ("CONFIRMED", "REJECTED", "EXPIRED", None):  # None: still waiting, doesn't count
        booking_id = insert_booking(db, client_id, artist_id, status=outcome or "REQUESTED", start=start)
        db.add(BookingEvent(booking_id=booking_id, step="000-request", action="request", actor_role="client",
                            to_status="REQUESTED"))
        if outcome:
            db.add(BookingEvent(booking_id=booking_id, step="001-answer", action="answer", actor_role="artist",
                                from_status="REQUESTED", to_status=outcome))
    db.commit()
    assert (await api.get(f"{V1}/artists/{artist_id}")).json()["response_rate"] == 67  # 2 of 3
    card = next(a for a in (await api.get(f"{V1}/artists", params={"q": "回复测试"})).json()["items"]
                if a["id"] == artist_id)
    assert card["response_rate"] == 67
