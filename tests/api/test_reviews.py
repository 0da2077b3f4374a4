"""Verified reviews through the API: only the client of a COMPLETED booking reviews it, once; scores are checked;
the artist replies once and edits; the public sees visible reviews only; operators hide and restore, and hidden
reviews leave the rating aggregates. Bookings are inserted directly in their final state."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.models import Notification, Review, User
from domain.reviews import service
from tests.factories import completed_booking, upload, user_id
from tests.helpers import V1, bearer, operator_token, register_artist, register_client

GOOD = {"effect_score": 5, "attitude_score": 4, "punctuality_score": 4, "text": "演出效果很好，现场气氛热烈！"}


async def _review(api: httpx.AsyncClient, token: str, booking_id: int, **over: object) -> dict:
    res = await api.post(f"{V1}/bookings/{booking_id}/review", headers=bearer(token), json={**GOOD, **over})
    assert res.status_code == 201, res.text
    return dict(res.json())


def _count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Review)) or 0


async def test_client_reviews_a_completed_booking_once(api: httpx.AsyncClient, db: Session, ctx: AppContext):
    client = await register_client(api, "13800000001", org="星河科技有限公司")
    artist = await register_artist(api, "13900000001", name="林晚晴")
    client_id, artist_id = await user_id(api, client), await user_id(api, artist)
    booking_id = completed_booking(db, client_id, artist_id)
    photos = [await upload(api, client), await upload(api, client)]

    body = await _review(api, client, booking_id, photo_upload_ids=photos)
    assert body["booking_id"] == booking_id and body["artist_id"] == artist_id and body["artist_name"] == "林晚晴"
    assert (body["effect_score"], body["attitude_score"], body["punctuality_score"]) == (5, 4, 4)
    assert body["average"] == 4.3 and body["status"] == "visible" and body["status_label"] == "展示中"
    assert body["client_label"] == "星河***" and body["client_org"] == "星河科技有限公司"
    assert body["photo_upload_ids"] == photos and len(body["photo_urls"]) == 2
    assert body["reply"] is None and body["replied_at"] is None

    # The artist is told in-app, once per review.
    note = db.scalar(select(Notification).where(Notification.user_id == artist_id))
    assert note is not None and note.step == f"review:{body['id']}" and note.booking_id == booking_id
    assert "星河***" in note.body and "4.3" in note.body

    again = await api.post(f"{V1}/bookings/{booking_id}/review", headers=bearer(client), json=GOOD)
    assert again.status_code == 409 and again.json()["code"] == "review_exists"
    assert "只能评价一次" in again.json()["message"]
    assert _count(db) == 1

    # Both sides of the booking can read it; the artist sees the client's masked name only.
    mine = (await api.get(f"{V1}/bookings/{booking_id}/review", headers=bearer(client))).json()
    assert mine["id"] == body["id"] and mine["client_org"] == "星河科技有限公司"
    theirs = await api.get(f"{V1}/bookings/{booking_id}/review", headers=bearer(artist))
    assert theirs.status_code == 200 and theirs.json()["client_org"] is None
    other = await register_client(api, "13800000002", org="别家公司")
    assert (await api.get(f"{V1}/bookings/{booking_id}/review", headers=bearer(other))).status_code == 404
    assert (await api.get(f"{V1}/bookings/{booking_id}/review")).status_code == 401

    # Public: masked client, signed photo links that work.
    public = await api.get(f"{V1}/artists/{artist_id}/reviews")
    assert public.status_code == 200, public.text
    page = public.json()
    assert page["total"] == 1 and page["summary"] == {"count": 1, "average": 4.3, "effect": 5.0, "attitude": 4.0,
                                                      "punctuality": 4.0}
    item = page["items"][0]
    assert item["client_label"] == "星河***" and item["text"] == GOOD["text"] and "client_org" not in item
    photo = await api.get(item["photo_urls"][0].removeprefix("http://testserver"))
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert (await api.get(f"{V1}/artists/987654321/reviews")).status_code == 404

    # The artist detail page's contract functions.
    assert service.artist_ratings(db, [artist_id, 987654321]) == {artist_id: (4.3, 1)}
    assert [r.id for r in service.recent_reviews(db, ctx.storage, artist_id)] == [body["id"]]


async def test_only_its_client_reviews_and_only_when_completed(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000001")
    other = await register_client(api, "13800000002")
    artist = await register_artist(api, "13900000001")
    client_id, artist_id = await user_id(api, client), await user_id(api, artist)
    done = completed_booking(db, client_id, artist_id)
    paid = completed_booking(db, client_id, artist_id, status="FULLY_PAID")

    not_done = await api.post(f"{V1}/bookings/{paid}/review", headers=bearer(client), json=GOOD)
    assert not_done.status_code == 409 and not_done.json()["code"] == "booking_not_completed"
    assert "完成" in not_done.json()["message"]

    stranger = await api.post(f"{V1}/bookings/{done}/review", headers=bearer(other), json=GOOD)
    assert stranger.status_code == 404 and stranger.json()["message"] == "预约不存在"
    as_artist = await api.post(f"{V1}/bookings/{done}/review", headers=bearer(artist), json=GOOD)
    assert as_artist.status_code == 403 and as_artist.json()["code"] == "role_required"
    assert (await api.post(f"{V1}/bookings/{done}/review", json=GOOD)).status_code == 401
    assert (await api.post(f"{V1}/bookings/987654321/review", headers=bearer(client), json=GOOD)).status_code == 404
    assert _count(db) == 0
    assert db.scalar(select(func.count()).select_from(Notification)) == 0


@pytest.mark.parametrize(("over", "message"), [
    ({"effect_score": 0}, "演出效果评分不能小于1"),
    ({"attitude_score": 6}, "服务态度评分不能大于5"),
    ({"punctuality_score": "5"}, "守时评分必须是整数"),
    ({"punctuality_score": 4.5}, "守时评分必须是整数"),
    ({"effect_score": True}, "演出效果评分必须是整数"),
    ({"effect_score": None}, "演出效果评分必须是整数"),
    ({"text": "好" * 1001}, "评价内容最多1000个字"),
    ({"photo_upload_ids": [f"{i:032x}" for i in range(10)]}, "评价照片最多9项"),
    ({"photo_upload_ids": ["a" * 32, "a" * 32]}, "评价照片不能重复"),
    ({"unknown": 1}, "不支持的字段：unknown"),
])
async def test_review_input_is_checked(api: httpx.AsyncClient, db: Session, over: dict, message: str):
    client = await register_client(api, "13800000001")
    artist = await register_artist(api, "13900000001")
    booking_id = completed_booking(db, await user_id(api, client), await user_id(api, artist))
    res = await api.post(f"{V1}/bookings/{booking_id}/review", headers=bearer(client), json={**GOOD, **over})
    assert res.status_code == 422, res.text
    assert res.json()["code"] == "validation_error" and res.json()["message"] == message
    assert _count(db) == 0


async def test_missing_score_and_foreign_photos_are_refused(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000001")
    other = await register_client(api, "13800000002")
    artist = await register_artist(api, "13900000001")
    booking_id = completed_booking(db, await user_id(api, client), await user_id(api, artist))

    missing = {k: v for k, v in GOOD.items() if k != "effect_score"}
    res = await api.post(f"{V1}/bookings/{booking_id}/review", headers=bearer(client), json=missing)
    assert res.status_code == 422 and res.json()["message"] == "演出效果评分不能为空"

    for photo in (await upload(api, other), "f" * 32, await upload(api, client, purpose="licence")):
        res = await api.post(f"{V1}/bookings/{booking_id}/review", headers=bearer(client),
                             json={**GOOD, "photo_upload_ids": [photo]})
        assert res.status_code == 422 and res.json()["code"] == "review_photo_invalid", res.text
        assert "本人的图片" in res.json()["message"]
    assert _count(db) == 0

    # Text is stored as typed (trimmed); no text at all is fine.
    body = await _review(api, client, booking_id, text="  联系我 13800000001  ")
    assert body["text"] == "联系我 13800000001"


async def test_artist_replies_once_and_edits(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000001")
    artist = await register_artist(api, "13900000001")
    rival = await register_artist(api, "13900000002", name="别的艺人")
    client_id, artist_id = await user_id(api, client), await user_id(api, artist)
    review_id = (await _review(api, client, completed_booking(db, client_id, artist_id)))["id"]
    url = f"{V1}/reviews/{review_id}/reply"

    for blank in ({"reply": "   "}, {}):
        empty = await api.put(url, headers=bearer(artist), json=blank)
        assert empty.status_code == 422 and empty.json()["message"] == "回复内容不能为空"
    long = await api.put(url, headers=bearer(artist), json={"reply": "谢" * 501})
    assert long.status_code == 422 and long.json()["message"] == "回复内容最多500个字"
    assert (await api.put(url, headers=bearer(rival), json={"reply": "抢答"})).status_code == 404
    as_client = await api.put(url, headers=bearer(client), json={"reply": "自问自答"})
    assert as_client.status_code == 403 and as_client.json()["code"] == "role_required"
    assert (await api.put(f"{V1}/reviews/987654321/reply", headers=bearer(artist),
                          json={"reply": "谢谢"})).status_code == 404

    first = await api.put(url, headers=bearer(artist), json={"reply": "感谢认可，期待再次合作！"})
    assert first.status_code == 200, first.text
    one = first.json()
    assert one["reply"] == "感谢认可，期待再次合作！" and one["replied_at"] and one["reply_updated_at"] is None
    edited = (await api.put(url, headers=bearer(artist), json={"reply": "感谢认可！"})).json()
    assert edited["reply"] == "感谢认可！" and edited["replied_at"] == one["replied_at"]
    assert edited["reply_updated_at"] is not None

    public = (await api.get(f"{V1}/artists/{artist_id}/reviews")).json()["items"][0]
    assert public["reply"] == "感谢认可！" and public["replied_at"] == one["replied_at"]
    # The client hears about the first reply only.
    steps = list(db.scalars(select(Notification.step).where(Notification.user_id == client_id)))
    assert steps == [f"review_reply:{review_id}"]


async def test_operator_hides_a_review_and_it_leaves_the_ratings(api: httpx.AsyncClient, db: Session,
                                                                 ctx: AppContext):
    client = await register_client(api, "13800000001", org="星河科技有限公司")
    second = await register_client(api, "13800000002", org="蓝海文化传媒")
    artist = await register_artist(api, "13900000001")
    other_artist = await register_artist(api, "13900000002", name="别的艺人")
    client_id, second_id = await user_id(api, client), await user_id(api, second)
    artist_id, other_id = await user_id(api, artist), await user_id(api, other_artist)
    ops = await operator_token(api, db)

    kept = await _review(api, client, completed_booking(db, client_id, artist_id))  # 5,4,4
    bad = await _review(api, second, completed_booking(db, second_id, artist_id), effect_score=3, attitude_score=3,
                        punctuality_score=2, text="违规内容")  # 3,3,2
    await _review(api, client, completed_booking(db, client_id, other_id), effect_score=1, attitude_score=1,
                  punctuality_score=2)
    summary = service.rating_summary(db, artist_id)
    assert (summary.count, summary.average, summary.effect, summary.punctuality) == (2, 3.5, 4.0, 3.0)

    # One grouped query for a batch of artists.
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.get_bind(), "before_cursor_execute", listen)
    try:
        ratings = service.artist_ratings(db, [artist_id, other_id])
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listen)
    assert ratings == {artist_id: (3.5, 2), other_id: (1.3, 1)} and len(statements) == 1

    newest = (await api.get(f"{V1}/artists/{artist_id}/reviews", params={"page_size": 1})).json()
    assert newest["total"] == 2 and [r["id"] for r in newest["items"]] == [bad["id"]]

    url = f"{V1}/admin/reviews/{bad['id']}/hide"
    for blank in ({"reason": " "}, {}):
        no_reason = await api.post(url, headers=bearer(ops), json=blank)
        assert no_reason.status_code == 422 and no_reason.json()["message"] == "原因不能为空"
    assert (await api.post(url, headers=bearer(artist), json={"reason": "不喜欢"})).status_code == 403
    assert (await api.post(f"{V1}/admin/reviews/987654321/hide", headers=bearer(ops),
                           json={"reason": "违规"})).status_code == 404
    hidden = await api.post(url, headers=bearer(ops), json={"reason": "含有人身攻击内容"})
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["status"] == "hidden" and hidden.json()["hidden_reason"] == "含有人身攻击内容"
    assert hidden.json()["client_org"] == "蓝海文化传媒"

    public = (await api.get(f"{V1}/artists/{artist_id}/reviews")).json()
    assert [r["id"] for r in public["items"]] == [kept["id"]] and public["summary"]["count"] == 1
    assert public["summary"]["average"] == 4.3
    db.expire_all()
    assert service.artist_ratings(db, [artist_id]) == {artist_id: (4.3, 1)}
    assert service.rating_summary(db, artist_id).count == 1
    assert [r.id for r in service.recent_reviews(db, ctx.storage, artist_id)] == [kept["id"]]

    # The artist sees the hidden review and why; its author sees it too.
    about_me = (await api.get(f"{V1}/me/reviews", headers=bearer(artist))).json()
    assert about_me["total"] == 2
    hidden_item = next(r for r in about_me["items"] if r["id"] == bad["id"])
    assert hidden_item["status_label"] == "已隐藏" and hidden_item["hidden_reason"] == "含有人身攻击内容"
    assert hidden_item["client_org"] is None and hidden_item["client_label"] == "蓝海***"
    written = (await api.get(f"{V1}/me/reviews", headers=bearer(client))).json()
    assert written["total"] == 2 and {r["artist_id"] for r in written["items"]} == {artist_id, other_id}

    queue = (await api.get(f"{V1}/admin/reviews", headers=bearer(ops), params={"status": "hidden"})).json()
    assert [r["id"] for r in queue["items"]] == [bad["id"]]
    everything = (await api.get(f"{V1}/admin/reviews", headers=bearer(ops))).json()
    assert everything["total"] == 3
    assert (await api.get(f"{V1}/admin/reviews", headers=bearer(artist))).status_code == 403

    restored = await api.post(f"{V1}/admin/reviews/{bad['id']}/unhide", headers=bearer(ops))
    assert restored.status_code == 200 and restored.json()["status"] == "visible"
    assert restored.json()["hidden_reason"] is None
    again = await api.post(f"{V1}/admin/reviews/{bad['id']}/unhide", headers=bearer(ops))
    assert again.status_code == 409
    db.expire_all()
    assert service.artist_ratings(db, [artist_id]) == {artist_id: (3.5, 2)}


async def test_reviews_of_a_banned_artist_are_not_public(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000001")
    artist = await register_artist(api, "13900000001")
    artist_id = await user_id(api, artist)
    await _review(api, client, completed_booking(db, await user_id(api, client), artist_id))
    db.execute(update(User).where(User.id == artist_id).values(status="banned"))
    db.commit()
    assert (await api.get(f"{V1}/artists/{artist_id}/reviews")).status_code == 404


async def test_rating_reaches_search(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000001")
    good = await register_artist(api, "13900000001", name="好评艺人")
    poor = await register_artist(api, "13900000002", name="差评艺人")
    client_id, good_id, poor_id = await user_id(api, client), await user_id(api, good), await user_id(api, poor)
    ops = await operator_token(api, db)
    await _review(api, client, completed_booking(db, client_id, good_id))
    low = await _review(api, client, completed_booking(db, client_id, poor_id), effect_score=1, attitude_score=1,
                        punctuality_score=1)

    rated = (await api.get(f"{V1}/artists", params={"min_rating": 4})).json()
    assert [a["id"] for a in rated["items"]] == [good_id]
    by_rating = (await api.get(f"{V1}/artists", params={"sort": "rating"})).json()
    assert [a["id"] for a in by_rating["items"]] == [good_id, poor_id]

    await api.post(f"{V1}/admin/reviews/{low['id']}/hide", headers=bearer(ops), json={"reason": "刷差评"})
    by_rating = (await api.get(f"{V1}/artists", params={"sort": "rating"})).json()
    poor_card = next(a for a in by_rating["items"] if a["id"] == poor_id)
    assert poor_card["rating"] is None and poor_card["review_count"] == 0
    assert [a["id"] for a in by_rating["items"]] == [good_id, poor_id]
    await api.post(f"{V1}/admin/reviews/{low['id']}/unhide", headers=bearer(ops))
    low_rated = (await api.get(f"{V1}/artists", params={"min_rating": 1, "sort": "rating"})).json()
    assert [(a["id"], a["rating"]) for a in low_rated["items"]] == [(good_id, 4.3), (poor_id, 1.0)]
