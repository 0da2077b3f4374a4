"""Artist profiles through the API: the artist edits a draft, an operator approves or rejects it and only then
does the public page (and search) change; privacy settings (面议, hidden contact details, masked phones);
operator tags on cards; private qualification documents; the public month calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from domain.models import ArtistPrice, ArtistProfile, ArtistProfileDraft, Booking, CalendarSlot, Qualification
from domain.time import SHANGHAI, utc_now
from tests.factories import insert_booking, profile_draft, upload, user_id
from tests.helpers import V1, bearer, operator_token, register_artist, register_client
from tests.storage.conftest import image_bytes, pdf_bytes

PROFILE = f"{V1}/me/artist/profile"


async def _public(api: httpx.AsyncClient, artist_id: int, token: str | None = None) -> dict:
    res = await api.get(f"{V1}/artists/{artist_id}", headers=bearer(token) if token else {})
    assert res.status_code == 200, res.text
    return dict(res.json())


async def _search(api: httpx.AsyncClient, q: str) -> list[str]:
    res = await api.get(f"{V1}/artists", params={"q": q})
    assert res.status_code == 200, res.text
    return [a["stage_name"] for a in res.json()["items"]]


async def test_draft_review_and_publish(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000101", name="林晚晴")
    artist_id = await user_id(api, artist)
    ops = await operator_token(api, db)

    # Nothing edited since the application was approved (入驻审核): the draft is the public profile.
    mine = (await api.get(PROFILE, headers=bearer(artist))).json()
    assert mine["status"] == "approved" and mine["listed"] and mine["data"]["stage_name"] == "林晚晴"
    assert mine["privacy"] == {"hide_prices": False, "hide_contact": True}
    assert (await api.post(f"{PROFILE}/submit", headers=bearer(artist))).status_code == 409

    avatar = await upload(api, artist, "case_image", "image/png", image_bytes("PNG", (400, 400)))
    saved = await api.put(PROFILE, headers=bearer(artist), json=profile_draft(avatar_upload_id=avatar))
    assert saved.status_code == 200, saved.text
    assert saved.json()["status"] == "editing" and saved.json()["status_label"] == "编辑中（未提交）"
    data = saved.json()["data"]
    assert data["prices"][0]["max_amount"] == 800_000  # a fixed price is a range of one amount
    assert data["avatar_url"] and data["bio"].startswith("十年驻唱经验。商务合作 138 1234 5678")  # stored as typed

    # Saved, and even submitted, the public page and search still show the approved version.
    submitted = await api.post(f"{PROFILE}/submit", headers=bearer(artist))
    assert submitted.status_code == 200 and submitted.json()["status"] == "pending"
    assert (await api.post(f"{PROFILE}/submit", headers=bearer(artist))).json()["status"] == "pending"
    page = await _public(api, artist_id)
    assert page["stage_name"] == "林晚晴" and page["regions"] == [] and page["avatar_url"] is None
    assert "林晚晴Live" not in await _search(api, "林晚晴Live")

    queue = await api.get(f"{V1}/admin/profile-reviews", headers=bearer(ops))
    assert queue.status_code == 200, queue.text
    [item] = queue.json()["items"]
    assert item["artist_id"] == artist_id and item["current"]["stage_name"] == "林晚晴"
    assert item["draft"]["stage_name"] == "林晚晴Live" and item["draft"]["avatar_url"]
    assert {"stage_name", "avatar_upload_id", "regions", "prices", "city"} <= set(item["changed_fields"])
    assert "contact_phone" not in item["draft"]

    approved = await api.post(f"{V1}/admin/profile-reviews/{artist_id}/approve", headers=bearer(ops))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    again = await api.post(f"{V1}/admin/profile-reviews/{artist_id}/approve", headers=bearer(ops))
    assert again.status_code == 409 and again.json()["code"] == "profile_draft_not_pending"
    assert (await api.get(f"{V1}/admin/profile-reviews", headers=bearer(ops))).json()["total"] == 0

    page = await _public(api, artist_id)
    assert page["stage_name"] == "林晚晴Live" and page["city"] == "上海"
    assert page["artist_types"] == ["singer", "band"] and page["artist_type_labels"] == ["歌手", "乐队"]
    assert page["regions"] == ["上海", "杭州", "苏州"] and page["active_since_year"] == 2015
    assert page["works"] == ["《夜上海》翻唱", "2023 上海爵士音乐节"]
    assert page["team"] == [{"name": "阿杰", "role": "吉他手"}, {"name": "小米", "role": "鼓手"}]
    assert page["travel_terms"].startswith("江浙沪免差旅费")
    assert [(p["title"], p["min_amount"], p["max_amount"], p["negotiable"]) for p in page["prices"]] == [
        ("标准演出", 800_000, 800_000, False), ("婚礼全场", 1_500_000, 2_500_000, True)]
    assert page["price_min_amount"] == 800_000 and page["price_max_amount"] == 2_500_000
    # Phone and WeChat id in the bio are masked for the public.
    assert "138****5678" in page["bio"] and "1234" not in page["bio"] and "linwq_2015" not in page["bio"]
    assert page["avatar_url"] and (await api.get(page["avatar_url"])).status_code == 200
    assert page["rating_summary"] is not None and page["cases"] == [] and page["recent_reviews"] == []
    assert "林晚晴Live" in await _search(api, "林晚晴Live")
    profile = db.get(ArtistProfile, artist_id)
    assert profile is not None and profile.approved_at is not None
    assert len(db.scalars(select(ArtistPrice).where(ArtistPrice.artist_id == artist_id)).all()) == 2

    # A second edit, rejected: the reason reaches the artist, the public page doesn't change.
    await api.put(PROFILE, headers=bearer(artist), json=profile_draft(stage_name="不合适的艺名", prices=[]))
    await api.post(f"{PROFILE}/submit", headers=bearer(artist))
    no_reason = await api.post(f"{V1}/admin/profile-reviews/{artist_id}/reject", headers=bearer(ops),
                               json={"reason": "  "})
    assert no_reason.status_code == 422
    assert db.get(ArtistProfileDraft, artist_id) is not None
    rejected = await api.post(f"{V1}/admin/profile-reviews/{artist_id}/reject", headers=bearer(ops),
                              json={"reason": "艺名含有不当用语，请修改"})
    assert rejected.status_code == 200, rejected.text
    mine = (await api.get(PROFILE, headers=bearer(artist))).json()
    assert mine["status"] == "rejected" and mine["review_reason"] == "艺名含有不当用语，请修改"
    assert mine["data"]["stage_name"] == "不合适的艺名"
    page = await _public(api, artist_id)
    assert page["stage_name"] == "林晚晴Live" and len(page["prices"]) == 2
    assert "不合适的艺名" not in await _search(api, "不合适的艺名")

    # Editing a submitted draft withdraws it from the queue.
    await api.put(PROFILE, headers=bearer(artist), json=profile_draft(stage_name="晚晴"))
    await api.post(f"{PROFILE}/submit", headers=bearer(artist))
    assert (await api.get(f"{V1}/admin/profile-reviews", headers=bearer(ops))).json()["total"] == 1
    back = await api.put(PROFILE, headers=bearer(artist), json=profile_draft(stage_name="晚晴2"))
    assert back.json()["status"] == "editing" and back.json()["submitted_at"] is None
    assert (await api.get(f"{V1}/admin/profile-reviews", headers=bearer(ops))).json()["total"] == 0
    late = await api.post(f"{V1}/admin/profile-reviews/{artist_id}/approve", headers=bearer(ops))
    assert late.status_code == 409
    assert (await _public(api, artist_id))["stage_name"] == "林晚晴Live"

    # A decision names the submission the operator looked at: a resubmission in between is not approved blind.
    await api.post(f"{PROFILE}/submit", headers=bearer(artist))
    seen = (await api.get(f"{V1}/admin/profile-reviews", headers=bearer(ops))).json()["items"][0]
    await api.put(PROFILE, headers=bearer(artist), json=profile_draft(stage_name="晚晴3"))
    await api.post(f"{PROFILE}/submit", headers=bearer(artist))
    stale = await api.post(f"{V1}/admin/profile-reviews/{artist_id}/approve", headers=bearer(ops),
                           json={"submitted_at": seen["submitted_at"]})
    assert stale.status_code == 409 and stale.json()["code"] == "profile_draft_resubmitted"
    assert (await _public(api, artist_id))["stage_name"] == "林晚晴Live"
    fresh = (await api.get(f"{V1}/admin/profile-reviews", headers=bearer(ops))).json()["items"][0]
    ok = await api.post(f"{V1}/admin/profile-reviews/{artist_id}/approve", headers=bearer(ops),
                        json={"submitted_at": fresh["submitted_at"]})
    assert ok.status_code == 200 and (await _public(api, artist_id))["stage_name"] == "晚晴3"


async def test_draft_validation_changes_nothing(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000111")
    other = await register_artist(api, "13900000112", name="别人")
    artist_id = await user_id(api, artist)
    await api.put(PROFILE, headers=bearer(artist), json=profile_draft(stage_name="第一版"))
    others_image = await upload(api, other, "case_image", "image/png", image_bytes("PNG"))
    my_pdf = await upload(api, artist, "document", "application/pdf", pdf_bytes())
    this_year = utc_now().astimezone(SHANGHAI).year
    bad = [
        (profile_draft(regions=["火星"]), "暂不支持的演出地区"),
        (profile_draft(active_since_year=1900), "从业起始年份"),
        (profile_draft(active_since_year=this_year + 1), "从业起始年份"),
        (profile_draft(prices=[{"title": "标准", "duration_minutes": 60, "min_amount": 900, "max_amount": 100}]),
         "最高价不能低于最低价"),
        (profile_draft(avatar_upload_id=others_image), "头像"),
        (profile_draft(avatar_upload_id=my_pdf), "头像"),
        (profile_draft(avatar_upload_id="0" * 32), "头像"),
        (profile_draft(stage_name=""), None),
        (profile_draft(stage_name="名" * 51), None),
        (profile_draft(artist_types=["rapper"]), None),
        (profile_draft(artist_types=[]), None),
        (profile_draft(styles=[f"风格{i}" for i in range(11)]), None),
        (profile_draft(works=[f"作品{i}" for i in range(21)]), None),
        (profile_draft(team=[{"name": f"队员{i}", "role": "伴舞"} for i in range(11)]), None),
        (profile_draft(prices=[{"title": f"套餐{i}", "duration_minutes": 30, "min_amount": 1} for i in range(21)]),
         None),
        (profile_draft(travel_terms="差" * 301), None),
        (profile_draft(contact_phone="13800000000"), "不支持的字段"),
        (profile_draft(prices=[{"title": "标准", "duration_minutes": 60, "min_amount": -1}]), None),
    ]
    for body, message in bad:
        res = await api.put(PROFILE, headers=bearer(artist), json=body)
        assert res.status_code == 422, (body, res.text)
        assert res.json()["message"], res.text
        if message:
            assert message in res.json()["message"], res.text
    draft = db.get(ArtistProfileDraft, artist_id)
    assert draft is not None and draft.data["stage_name"] == "第一版" and draft.status == "editing"


async def test_profile_endpoints_are_guarded(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000121")
    other = await register_artist(api, "13900000122", name="别人")
    client = await register_client(api, "13800000121")
    artist_id = await user_id(api, artist)
    ops = await operator_token(api, db)
    await api.put(PROFILE, headers=bearer(artist), json=profile_draft(stage_name="我的草稿"))
    await api.post(f"{PROFILE}/submit", headers=bearer(artist))

    # The other artist only ever sees their own draft.
    assert (await api.get(PROFILE, headers=bearer(other))).json()["data"]["stage_name"] == "别人"
    assert (await api.get(PROFILE)).status_code == 401
    as_client = await api.get(PROFILE, headers=bearer(client))
    assert as_client.status_code == 403 and as_client.json()["code"] == "role_required"
    assert (await api.put(PROFILE, headers=bearer(ops), json=profile_draft())).status_code == 403
    for token in (artist, client, None):
        headers = bearer(token) if token else {}
        for method, url, body in [
            ("GET", f"{V1}/admin/profile-reviews", None),
            ("POST", f"{V1}/admin/profile-reviews/{artist_id}/approve", None),
            ("POST", f"{V1}/admin/profile-reviews/{artist_id}/reject", {"reason": "不行"}),
            ("GET", f"{V1}/admin/tags", None),
            ("POST", f"{V1}/admin/tags", {"name": "热门艺人"}),
            ("PUT", f"{V1}/admin/artists/{artist_id}/tags/1", None),
            ("GET", f"{V1}/admin/qualifications", None),
        ]:
            res = await api.request(method, url, headers=headers, json=body)
            assert res.status_code in (401, 403), (method, url, res.text)
    assert (await api.get(f"{V1}/admin/profile-reviews", headers=bearer(ops))).json()["total"] == 1
    assert (await _public(api, artist_id))["stage_name"] == "林晚晴"
    missing = await api.post(f"{V1}/admin/profile-reviews/987654/approve", headers=bearer(ops))
    assert missing.status_code == 404


async def test_privacy_prices_and_contact(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13912345678", name="周小北")
    artist_id = await user_id(api, artist)
    client = await register_client(api, "13800000131")
    booked_client = await register_client(api, "13800000132")
    client_id, booked_id = await user_id(api, client), await user_id(api, booked_client)
    ops = await operator_token(api, db)
    await api.put(PROFILE, headers=bearer(artist), json=profile_draft(stage_name="周小北"))
    await api.post(f"{PROFILE}/submit", headers=bearer(artist))
    await api.post(f"{V1}/admin/profile-reviews/{artist_id}/approve", headers=bearer(ops))

    # Contact details are hidden by default, for anonymous and logged-in visitors alike.
    assert (await _public(api, artist_id))["contact"] is None
    assert (await _public(api, artist_id, client))["contact"] is None
    stale = await api.get(f"{V1}/artists/{artist_id}", headers=bearer("not-a-token"))
    assert stale.status_code == 200 and stale.json()["contact"] is None

    # A client whose booking with the artist is confirmed sees them unmasked.
    start = utc_now() + timedelta(days=20)
    insert_booking(db, booked_id, artist_id, start=start)
    assert (await _public(api, artist_id, booked_client))["contact"] is None  # not confirmed yet
    booking = db.scalar(select(Booking).where(Booking.client_id == booked_id))
    assert booking is not None
    booking.status = "CONFIRMED"
    db.commit()
    contact = (await _public(api, artist_id, booked_client))["contact"]
    assert contact == {"phone": "13912345678", "wechat": None, "masked": False}
    assert (await _public(api, artist_id, artist))["contact"]["masked"] is False  # the artist's own page

    # Showing contact details: masked for everyone else.
    res = await api.put(f"{PROFILE}/privacy", headers=bearer(artist), json={"hide_prices": True, "hide_contact": False})
    assert res.status_code == 200 and res.json() == {"hide_prices": True, "hide_contact": False}
    page = await _public(api, artist_id, client)
    assert page["contact"] == {"phone": "139****5678", "wechat": None, "masked": True}
    assert (await _public(api, artist_id, booked_client))["contact"]["phone"] == "13912345678"

    # Hidden prices: 面议 on the page and on cards.
    assert page["price_hidden"] is True and page["prices"] == []
    assert page["price_min_amount"] is None and page["price_max_amount"] is None
    card = next(a for a in (await api.get(f"{V1}/artists", params={"q": "周小北"})).json()["items"]
                if a["id"] == artist_id)
    assert card["price_hidden"] is True and card["price_min_amount"] is None
    assert "138****5678" in card["bio"] and "linwq_2015" not in card["bio"]
    assert (await api.put(f"{PROFILE}/privacy", headers=bearer(artist), json={"hide_prices": "maybe"})).status_code \
        == 422
    assert (await api.put(f"{PROFILE}/privacy", headers=bearer(client),
                          json={"hide_prices": False, "hide_contact": False})).status_code == 403
    profile = db.get(ArtistProfile, artist_id)
    db.refresh(profile)
    assert profile is not None and profile.hide_prices and not profile.hide_contact
    # Every public page view counts, but not the artist's own.
    assert profile.view_count >= 7
    before = profile.view_count
    await _public(api, artist_id, artist)
    db.refresh(profile)
    assert profile.view_count == before
    assert client_id != booked_id


async def test_tags_on_cards(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000141", name="孙浩然", city="北京")
    artist_id = await user_id(api, artist)
    ops = await operator_token(api, db)
    h = bearer(ops)
    hot = await api.post(f"{V1}/admin/tags", headers=h, json={"name": " 热门艺人 "})
    assert hot.status_code == 201, hot.text
    hot_id = hot.json()["id"]
    local = (await api.post(f"{V1}/admin/tags", headers=h, json={"name": "本地艺人"})).json()["id"]
    dup = await api.post(f"{V1}/admin/tags", headers=h, json={"name": "热门艺人"})
    assert dup.status_code == 409 and "已存在" in dup.json()["message"]
    assert (await api.post(f"{V1}/admin/tags", headers=h, json={"name": "标" * 21})).status_code == 422

    for _ in range(2):  # assigning twice is fine
        res = await api.put(f"{V1}/admin/artists/{artist_id}/tags/{hot_id}", headers=h)
        assert res.status_code == 200, res.text
    res = await api.put(f"{V1}/admin/artists/{artist_id}/tags/{local}", headers=h)
    assert [t["name"] for t in res.json()["tags"]] == ["热门艺人", "本地艺人"]
    assert (await api.put(f"{V1}/admin/artists/{artist_id}/tags/999999", headers=h)).status_code == 404
    assert (await api.put(f"{V1}/admin/artists/999999/tags/{hot_id}", headers=h)).status_code == 404
    current = (await api.get(f"{V1}/admin/artists/{artist_id}/tags", headers=h)).json()
    assert [t["name"] for t in current["tags"]] == ["热门艺人", "本地艺人"]
    assert (await api.get(f"{V1}/admin/artists/999999/tags", headers=h)).status_code == 404
    tags = (await api.get(f"{V1}/admin/tags", headers=h)).json()
    assert [(t["name"], t["artist_count"]) for t in tags] == [("热门艺人", 1), ("本地艺人", 1)]

    card = (await api.get(f"{V1}/artists")).json()["items"][0]
    assert card["id"] == artist_id and card["tags"] == ["热门艺人", "本地艺人"]
    assert (await _public(api, artist_id))["tags"] == ["热门艺人", "本地艺人"]

    renamed = await api.patch(f"{V1}/admin/tags/{hot_id}", headers=h, json={"name": "人气艺人"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "人气艺人"
    clash = await api.patch(f"{V1}/admin/tags/{hot_id}", headers=h, json={"name": "本地艺人"})
    assert clash.status_code == 409
    # Search filters by tag, and a rename reaches the index of every artist carrying it.
    found = (await api.get(f"{V1}/artists", params={"tag": ["人气艺人"]})).json()
    assert [c["id"] for c in found["items"]] == [artist_id]
    assert (await api.get(f"{V1}/artists", params={"tag": ["热门艺人"]})).json()["total"] == 0
    for _ in range(2):
        gone = await api.delete(f"{V1}/admin/artists/{artist_id}/tags/{local}", headers=h)
        assert gone.status_code == 200 and [t["name"] for t in gone.json()["tags"]] == ["人气艺人"]
    assert (await api.get(f"{V1}/artists")).json()["items"][0]["tags"] == ["人气艺人"]
    deleted = await api.delete(f"{V1}/admin/tags/{hot_id}", headers=h)
    assert deleted.status_code == 200 and deleted.json() == {"id": hot_id, "deleted": True}
    assert (await api.delete(f"{V1}/admin/tags/{hot_id}", headers=h)).status_code == 404
    assert (await _public(api, artist_id))["tags"] == []


async def test_qualifications_are_private(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000151")
    other = await register_artist(api, "13900000152", name="别人")
    client = await register_client(api, "13800000151")
    artist_id = await user_id(api, artist)
    ops = await operator_token(api, db)
    licence = await upload(api, artist, "licence", "image/png", image_bytes("PNG", (300, 200)))
    cert = await upload(api, artist, "document", "application/pdf", pdf_bytes())
    photo = await upload(api, artist, "case_image", "image/png", image_bytes("PNG"))
    url = f"{V1}/me/artist/qualifications"

    res = await api.post(url, headers=bearer(artist),
                         json={"upload_id": licence, "kind": "performance_licence", "title": "营业性演出许可证"})
    assert res.status_code == 201, res.text
    q = res.json()
    assert q["status"] == "pending" and q["kind_label"] == "营业性演出许可证"
    res = await api.post(url, headers=bearer(artist),
                         json={"upload_id": cert, "kind": "certificate", "title": "声乐十级"})
    assert res.status_code == 201, res.text
    dup = await api.post(url, headers=bearer(artist), json={"upload_id": cert, "kind": "other", "title": "再来一次"})
    assert dup.status_code == 409
    wrong = await api.post(url, headers=bearer(artist), json={"upload_id": photo, "kind": "other", "title": "照片"})
    assert wrong.status_code == 422
    bad_kind = await api.post(url, headers=bearer(artist), json={"upload_id": photo, "kind": "fake", "title": "x"})
    assert bad_kind.status_code == 422
    # Nobody attaches someone else's file.
    stolen = await api.post(url, headers=bearer(other), json={"upload_id": licence, "kind": "other", "title": "偷"})
    assert stolen.status_code == 422
    assert len(db.scalars(select(Qualification)).all()) == 2

    assert [x["title"] for x in (await api.get(url, headers=bearer(artist))).json()] == ["声乐十级", "营业性演出许可证"]
    assert (await api.get(url, headers=bearer(other))).json() == []
    assert (await api.get(url, headers=bearer(client))).status_code == 403
    for token in (client, other, artist):
        assert (await api.get(f"{V1}/admin/qualifications/{q['id']}/url", headers=bearer(token))).status_code == 403
        assert (await api.post(f"{V1}/admin/qualifications/{q['id']}/approve", headers=bearer(token))).status_code \
            == 403
    assert (await api.get(f"{V1}/uploads/{licence}/url", headers=bearer(other))).status_code == 404
    assert (await api.get(f"{V1}/uploads/{licence}/url", headers=bearer(artist))).status_code == 200

    queue = (await api.get(f"{V1}/admin/qualifications", headers=bearer(ops))).json()
    assert queue["total"] == 2 and {x["stage_name"] for x in queue["items"]} == {"林晚晴"}
    link = await api.get(f"{V1}/admin/qualifications/{q['id']}/url", headers=bearer(ops))
    assert link.status_code == 200 and link.json()["thumbnail_url"]
    assert (await api.get(link.json()["url"])).status_code == 200
    ok = await api.post(f"{V1}/admin/qualifications/{q['id']}/approve", headers=bearer(ops))
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert (await api.post(f"{V1}/admin/qualifications/{q['id']}/approve", headers=bearer(ops))).status_code == 409
    cert_id = next(x["id"] for x in queue["items"] if x["title"] == "声乐十级")
    no_reason = await api.post(f"{V1}/admin/qualifications/{cert_id}/reject", headers=bearer(ops), json={})
    assert no_reason.status_code == 422
    rejected = await api.post(f"{V1}/admin/qualifications/{cert_id}/reject", headers=bearer(ops),
                              json={"reason": "证书照片模糊，请重新上传"})
    assert rejected.status_code == 200 and rejected.json()["review_reason"] == "证书照片模糊，请重新上传"
    assert (await api.get(f"{V1}/admin/qualifications", headers=bearer(ops))).json()["total"] == 0
    every = (await api.get(f"{V1}/admin/qualifications", headers=bearer(ops), params={"status": "all"})).json()
    assert sorted(q["status"] for q in every["items"]) == ["approved", "rejected"]
    assert (await api.get(f"{V1}/admin/qualifications/999999/url", headers=bearer(ops))).status_code == 404

    # Never on the public page.
    page = (await api.get(f"{V1}/artists/{artist_id}")).text
    assert licence not in page and "营业性演出许可证" not in page and "声乐十级" not in page


async def test_public_month_calendar(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000161")
    artist_id = await user_id(api, artist)
    today = utc_now().astimezone(SHANGHAI).date()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)  # next month

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), SHANGHAI)

    day5, day12, day20 = first.replace(day=5), first.replace(day=12), first.replace(day=20)
    db.add_all([
        # 20:00 to 02:00: both Shanghai days are taken.
        CalendarSlot(artist_id=artist_id, status="rest", period=Range(at(day5, 20), at(day5 + timedelta(days=1), 2))),
        # Ending exactly at midnight doesn't take the next day.
        CalendarSlot(artist_id=artist_id, status="unavailable",
                     period=Range(at(day12, 18), at(day12 + timedelta(days=1), 0))),
        CalendarSlot(artist_id=artist_id, status="available", period=Range(at(day20, 10), at(day20, 12))),
    ])
    db.commit()
    res = await api.get(f"{V1}/artists/{artist_id}/calendar", params={"month": first.strftime("%Y-%m")})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["month"] == first.strftime("%Y-%m") and body["days"][0]["date"] == first.isoformat()
    taken = {d["date"] for d in body["days"] if d["status"] == "unavailable"}
    assert taken == {day5.isoformat(), (day5 + timedelta(days=1)).isoformat(), day12.isoformat()}
    assert {d["status"] for d in body["days"]} == {"available", "unavailable"}
    assert set(body["days"][0]) == {"date", "status"}  # the public never learns why

    this_month = (await api.get(f"{V1}/artists/{artist_id}/calendar")).json()
    assert this_month["month"] == today.strftime("%Y-%m")
    for bad in ("2025-13", "25-01", "abc", "2025-1"):
        res = await api.get(f"{V1}/artists/{artist_id}/calendar", params={"month": bad})
        assert res.status_code == 422 and res.json()["message"], bad
    assert (await api.get(f"{V1}/artists/987654/calendar")).status_code == 404
