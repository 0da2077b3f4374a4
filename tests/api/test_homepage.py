"""首页推荐, banners and 公告 through the API: operators pick, order and schedule them in the console; the
mini-program's public home (GET /home) shows only what is live now, in the operators' order, and only public
artists. Publish windows are instants: the console sends Beijing time with its offset."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.homepage import service
from tests.helpers import V1, bearer, operator_token, register_artist
from tests.storage.conftest import image_bytes


async def _artist(api: httpx.AsyncClient, phone: str, name: str) -> int:
    token = await register_artist(api, phone, name=name)
    return int((await api.get(f"{V1}/me", headers=bearer(token))).json()["id"])


async def _ban(api: httpx.AsyncClient, ops: str, artist_id: int) -> None:
    res = await api.post(f"{V1}/admin/users/{artist_id}/status", headers=bearer(ops),
                         json={"status": "banned", "reason": "虚假宣传"})
    assert res.status_code == 200, res.text


async def _home(api: httpx.AsyncClient) -> dict:
    # Each look stands after the time `_at` moved to: the API keeps the home page at most public_cache.TTL seconds.
    api._transport.app.state.public_cache.clear()  # type: ignore[attr-defined]
    res = await api.get(f"{V1}/home")  # no login: the home page is public
    assert res.status_code == 200, res.text
    return dict(res.json())


async def _image(api: httpx.AsyncClient, ops: str, fmt: str = "PNG") -> str:
    res = await api.post(f"{V1}/admin/homepage/banner-images", headers=bearer(ops),
                         files={"file": (f"banner.{fmt.lower()}", image_bytes(fmt, (750, 300)), "image/png")})
    assert res.status_code == 201, res.text
    return str(res.json()["image_key"])


def _at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """The service's clock at an instant (ISO with offset)."""
    now = datetime.fromisoformat(when).astimezone(UTC)
    monkeypatch.setattr(service, "utc_now", lambda: now)


async def test_recommended_artists_keep_the_operators_order_and_only_public_ones_show(api: httpx.AsyncClient,
                                                                                    db: Session):
    ops = await operator_token(api, db)
    lin = await _artist(api, "13900000101", "林晚晴")
    zhou = await _artist(api, "13900000102", "周小北")
    band = await _artist(api, "13900000103", "南城乐队")
    assert (await _home(api))["recommended"] == []

    res = await api.put(f"{V1}/admin/homepage/recommendations", headers=bearer(ops), json={"artist_ids": [band, lin]})
    assert res.status_code == 200, res.text
    assert [(r["artist_id"], r["stage_name"], r["public"]) for r in res.json()] == [
        (band, "南城乐队", True), (lin, "林晚晴", True)]
    home = await _home(api)
    assert [a["id"] for a in home["recommended"]] == [band, lin]
    assert home["recommended"][1]["stage_name"] == "林晚晴" and home["recommended"][1]["artist_type_labels"] == ["歌手"]

    # An artist who stops being public drops off the home page, stays flagged in the console's list, and may be
    # kept there while the operator reorders; they cannot be added anew.
    await _ban(api, ops, lin)
    assert [a["id"] for a in (await _home(api))["recommended"]] == [band]
    listed = (await api.get(f"{V1}/admin/homepage/recommendations", headers=bearer(ops))).json()
    assert [(r["artist_id"], r["public"]) for r in listed] == [(band, True), (lin, False)]
    reordered = await api.put(f"{V1}/admin/homepage/recommendations", headers=bearer(ops),
                              json={"artist_ids": [lin, zhou, band]})
    assert reordered.status_code == 200, reordered.text
    assert [a["id"] for a in (await _home(api))["recommended"]] == [zhou, band]

    cleared = await api.put(f"{V1}/admin/homepage/recommendations", headers=bearer(ops), json={"artist_ids": [band]})
    assert cleared.status_code == 200
    again = await api.put(f"{V1}/admin/homepage/recommendations", headers=bearer(ops),
                          json={"artist_ids": [lin, band]})
    assert again.status_code == 422, again.text
    assert again.json()["code"] == "home_artist_not_public" and again.json()["detail"] == {"artist_ids": [lin]}
    unknown = await api.put(f"{V1}/admin/homepage/recommendations", headers=bearer(ops),
                            json={"artist_ids": [band, 999_999_999]})
    assert unknown.status_code == 422 and unknown.json()["code"] == "home_artist_not_public"
    twice = await api.put(f"{V1}/admin/homepage/recommendations", headers=bearer(ops),
                          json={"artist_ids": [band, band]})
    assert twice.status_code == 422 and twice.json()["message"] == "同一位艺人不能重复推荐"
    assert [a["id"] for a in (await _home(api))["recommended"]] == [band]  # refused changes changed nothing

    # A newly registered artist is public only once approved (入驻审核): not before.
    pending_token = await register_artist(api, "13900000104", name="待审核乐手", approve=False)
    pending = int((await api.get(f"{V1}/me", headers=bearer(pending_token))).json()["id"])
    refused = await api.put(f"{V1}/admin/homepage/recommendations", headers=bearer(ops),
                            json={"artist_ids": [band, pending]})
    assert refused.status_code == 422 and refused.json()["detail"] == {"artist_ids": [pending]}

    # The picker offers public artists only.
    options = (await api.get(f"{V1}/admin/homepage/artist-options", headers=bearer(ops), params={"q": "小北"})).json()
    assert [o["id"] for o in options] == [zhou]
    everyone = (await api.get(f"{V1}/admin/homepage/artist-options", headers=bearer(ops))).json()
    assert {o["id"] for o in everyone} == {zhou, band}
    assert (await api.get(f"{V1}/admin/homepage/artist-options", headers=bearer(ops),
                          params={"q": "%_"})).json() == []


async def test_banners_follow_their_publish_window_in_beijing_time_and_their_order(
        api: httpx.AsyncClient, db: Session, ctx: AppContext, monkeypatch: pytest.MonkeyPatch):
    ops = await operator_token(api, db)
    artist = await _artist(api, "13900000201", "林晚晴")
    # New Year's Day in Beijing: from 00:00 on 1 January to 00:00 on 2 January (+08:00).
    new_year = await api.post(f"{V1}/admin/homepage/banners", headers=bearer(ops), json={
        "title": "元旦特惠", "image_key": await _image(api, ops), "link_type": "artist", "link_value": str(artist),
        "starts_at": "2031-01-01T00:00:00+08:00", "ends_at": "2031-01-02T00:00:00+08:00"})
    assert new_year.status_code == 201, new_year.text
    nb = new_year.json()
    assert (nb["starts_at"], nb["ends_at"]) == ("2030-12-31T16:00:00Z", "2031-01-01T16:00:00Z")
    assert nb["link_label"] == "艺人：林晚晴" and nb["position"] == 0
    always = (await api.post(f"{V1}/admin/homepage/banners", headers=bearer(ops), json={
        "title": "找艺人就上演约", "image_key": await _image(api, ops, "JPEG"), "link_type": "page",
        "link_value": "/pages/favorites/index"})).json()
    off = (await api.post(f"{V1}/admin/homepage/banners", headers=bearer(ops), json={
        "title": "已下线活动", "image_key": await _image(api, ops), "enabled": False})).json()
    assert (always["position"], off["position"]) == (1, 2)

    _at(monkeypatch, "2030-12-31T23:59:59+08:00")  # 15:59:59 UTC: New Year's Day has not begun in Beijing
    assert [b["id"] for b in (await _home(api))["banners"]] == [always["id"]]
    statuses = {b["id"]: b["status_label"] for b in
                (await api.get(f"{V1}/admin/homepage/banners", headers=bearer(ops))).json()}
    assert statuses == {nb["id"]: "未开始", always["id"]: "展示中", off["id"]: "已停用"}

    _at(monkeypatch, "2031-01-01T00:00:00+08:00")
    home = await _home(api)
    assert [(b["id"], b["link_type"], b["link_value"]) for b in home["banners"]] == [
        (nb["id"], "artist", str(artist)), (always["id"], "page", "/pages/favorites/index")]
    image = await api.get(home["banners"][0]["image_url"])  # a signed link the mini-program loads
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"

    reordered = await api.put(f"{V1}/admin/homepage/banners/order", headers=bearer(ops),
                              json={"ids": [always["id"], off["id"], nb["id"]]})
    assert reordered.status_code == 200, reordered.text
    assert [b["id"] for b in (await _home(api))["banners"]] == [always["id"], nb["id"]]
    partial = await api.put(f"{V1}/admin/homepage/banners/order", headers=bearer(ops), json={"ids": [nb["id"]]})
    assert partial.status_code == 422 and partial.json()["code"] == "banner_order_invalid"

    # The artist it leads to stops being public: the banner stays, without the link.
    await _ban(api, ops, artist)
    assert [(b["id"], b["link_type"]) for b in (await _home(api))["banners"]] == [
        (always["id"], "page"), (nb["id"], "none")]

    _at(monkeypatch, "2031-01-02T00:00:00+08:00")  # its end is exclusive
    assert [b["id"] for b in (await _home(api))["banners"]] == [always["id"]]
    ended = next(b for b in (await api.get(f"{V1}/admin/homepage/banners", headers=bearer(ops))).json()
                 if b["id"] == nb["id"])
    assert ended["status_label"] == "已结束"

    # Switching it back on and replacing its image; deleting removes the stored file.
    old_key = off["image_key"]
    new_key = await _image(api, ops)
    edited = await api.put(f"{V1}/admin/homepage/banners/{off['id']}", headers=bearer(ops), json={
        "title": "重新上线", "image_key": new_key, "enabled": True})
    assert edited.status_code == 200 and edited.json()["status_label"] == "展示中"
    assert not ctx.storage.exists(old_key) and ctx.storage.exists(new_key)
    assert [b["title"] for b in (await _home(api))["banners"]] == ["找艺人就上演约", "重新上线"]
    assert (await api.delete(f"{V1}/admin/homepage/banners/{off['id']}", headers=bearer(ops))).status_code == 204
    assert not ctx.storage.exists(new_key)
    assert (await api.delete(f"{V1}/admin/homepage/banners/{off['id']}", headers=bearer(ops))).status_code == 404


async def test_announcements_show_in_their_window_pinned_first(api: httpx.AsyncClient, db: Session,
                                                               monkeypatch: pytest.MonkeyPatch):
    ops = await operator_token(api, db)

    async def post(title: str, **fields: object) -> dict:
        res = await api.post(f"{V1}/admin/announcements", headers=bearer(ops),
                             json={"title": title, "body": f"{title}的内容\n第二行", **fields})
        assert res.status_code == 201, res.text
        return dict(res.json())

    maintenance = await post("系统维护通知", starts_at="2031-03-01T09:00:00+08:00", ends_at="2031-03-03T00:00:00+08:00")
    rules = await post("平台规则更新", starts_at="2031-02-20T09:00:00+08:00", pinned=True)
    spring = await post("春季演出季", starts_at="2031-03-02T09:00:00+08:00")
    await post("已过期活动", starts_at="2031-01-01T00:00:00+08:00", ends_at="2031-02-01T00:00:00+08:00")
    assert maintenance["starts_at"] == "2031-03-01T01:00:00Z"

    _at(monkeypatch, "2031-03-02T08:59:59+08:00")
    assert [a["title"] for a in (await _home(api))["announcements"]] == ["平台规则更新", "系统维护通知"]
    _at(monkeypatch, "2031-03-02T09:00:00+08:00")
    home = await _home(api)
    assert [(a["title"], a["pinned"]) for a in home["announcements"]] == [
        ("平台规则更新", True), ("春季演出季", False), ("系统维护通知", False)]
    assert home["announcements"][2]["body"] == "系统维护通知的内容\n第二行"
    _at(monkeypatch, "2031-03-03T00:00:00+08:00")
    assert [a["title"] for a in (await _home(api))["announcements"]] == ["平台规则更新", "春季演出季"]

    listed = (await api.get(f"{V1}/admin/announcements", headers=bearer(ops), params={"page_size": 3})).json()
    assert listed["total"] == 4
    assert [(a["title"], a["status_label"]) for a in listed["items"]] == [
        ("春季演出季", "展示中"), ("系统维护通知", "已结束"), ("平台规则更新", "展示中")]

    unpinned = await api.put(f"{V1}/admin/announcements/{rules['id']}", headers=bearer(ops), json={
        "title": "平台规则更新", "body": "新版规则", "starts_at": rules["starts_at"]})
    assert unpinned.status_code == 200 and unpinned.json()["pinned"] is False
    assert [a["title"] for a in (await _home(api))["announcements"]] == ["春季演出季", "平台规则更新"]
    assert (await api.delete(f"{V1}/admin/announcements/{spring['id']}", headers=bearer(ops))).status_code == 204
    assert [a["title"] for a in (await _home(api))["announcements"]] == ["平台规则更新"]
    missing = await api.put(f"{V1}/admin/announcements/{spring['id']}", headers=bearer(ops),
                            json={"title": "x", "body": "y"})
    assert missing.status_code == 404 and missing.json()["code"] == "announcement_not_found"


async def test_bad_input_is_refused_with_422_and_changes_nothing(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    key = await _image(api, ops)

    async def banner(**fields: object) -> httpx.Response:
        return await api.post(f"{V1}/admin/homepage/banners", headers=bearer(ops),
                              json={"title": "横幅", "image_key": key} | fields)

    async def notice(**fields: object) -> httpx.Response:
        return await api.post(f"{V1}/admin/announcements", headers=bearer(ops),
                              json={"title": "公告", "body": "内容"} | fields)

    cases = [
        (await banner(title=""), "validation_error", None),
        (await banner(title="横\u202e幅"), "validation_error", None),
        (await banner(image_key="private/licence/1/x.png"), "validation_error", None),
        (await banner(image_key="private/banners/" + "0" * 32 + ".png"), "banner_image_missing",
         "横幅图片不存在，请重新上传"),
        (await banner(link_type="page", link_value="https://example.com"), "validation_error",
         "跳转页面请填写小程序页面路径，如 /pages/favorites/index"),
        (await banner(link_type="artist", link_value="林晚晴"), "validation_error", "跳转艺人请选择一位艺人"),
        (await banner(link_type="artist", link_value="999999999"), "home_artist_not_public",
         "跳转的艺人不存在或未公开"),
        (await banner(link_type="web"), "validation_error", None),
        (await banner(starts_at="2031-01-02T00:00:00+08:00", ends_at="2031-01-01T00:00:00+08:00"), "validation_error",
         "结束时间必须晚于开始时间"),
        (await banner(starts_at="2031-01-01T00:00:00"), "validation_error", None),  # no offset: which zone?
        (await banner(colour="red"), "validation_error", None),
        (await notice(title="x" * 61), "validation_error", None),
        (await notice(body=""), "validation_error", None),
        (await notice(body="正文\x00"), "validation_error", None),
        (await notice(starts_at="2031-03-01T09:00:00+08:00", ends_at="2031-03-01T09:00:00+08:00"), "validation_error",
         "结束时间必须晚于开始时间"),
        (await notice(ends_at="2000-01-01T00:00:00+08:00"), "validation_error", "结束时间必须晚于开始时间"),
        (await notice(starts_at="not a time"), "validation_error", None),
        (await api.put(f"{V1}/admin/homepage/recommendations", headers=bearer(ops),
                       json={"artist_ids": list(range(1, 22))}), "validation_error", None),
        (await api.put(f"{V1}/admin/homepage/recommendations", headers=bearer(ops), json={"artist_ids": [0]}),
         "validation_error", None),
        (await api.put(f"{V1}/admin/homepage/banners/order", headers=bearer(ops), json={"ids": []}),
         "validation_error", None),
    ]
    for res, code, message in cases:
        assert res.status_code == 422, res.text
        assert res.json()["code"] == code, res.text
        if message:
            assert res.json()["message"] == message
    # Not an image: refused by content, whatever it is called.
    fake = await api.post(f"{V1}/admin/homepage/banner-images", headers=bearer(ops),
                          files={"file": ("banner.png", b"<svg onload=alert(1)>", "image/png")})
    assert fake.status_code == 415, fake.text
    assert (await api.get(f"{V1}/admin/homepage/banners", headers=bearer(ops))).json() == []
    assert (await api.get(f"{V1}/admin/announcements", headers=bearer(ops))).json()["total"] == 0
    assert await _home(api) == {"banners": [], "recommended": [], "announcements": []}

    # One image, one banner; eleven banners are too many.
    assert (await banner()).status_code == 201
    assert (await banner()).json()["code"] == "banner_image_in_use"
    for _ in range(service.MAX_BANNERS - 1):
        assert (await banner(image_key=await _image(api, ops))).status_code == 201
    over = await banner(image_key=await _image(api, ops))
    assert over.status_code == 409 and over.json()["code"] == "banner_limit"
    assert (await api.put(f"{V1}/admin/homepage/banners/999999", headers=bearer(ops),
                          json={"title": "横幅", "image_key": key})).status_code == 404


async def test_the_console_routes_need_an_operator_whose_role_covers_content(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000301")
    operations = await operator_token(api, db, "yunying", role="operations")  # 运营: every content:* code
    finance = await operator_token(api, db, "caiwu", role="finance")
    for method, path in [("GET", "/admin/homepage/recommendations"), ("GET", "/admin/homepage/banners"),
                         ("GET", "/admin/announcements"), ("GET", "/admin/homepage/artist-options")]:
        assert (await api.request(method, f"{V1}{path}")).status_code == 401
        assert (await api.request(method, f"{V1}{path}", headers=bearer(artist))).status_code == 403
        assert (await api.request(method, f"{V1}{path}", headers=bearer(finance))).status_code == 403
        assert (await api.request(method, f"{V1}{path}", headers=bearer(operations))).status_code == 200


async def test_concurrent_saves_of_the_home_lists_each_land_whole(api: httpx.AsyncClient, db: Session):
    """Two operators saving the 推荐艺人 list at the same moment: each save is whole (the last one wins), none
    fails; banners added at once get distinct positions."""
    ops = await operator_token(api, db)
    a = await _artist(api, "13900000301", "并发甲")
    b = await _artist(api, "13900000302", "并发乙")
    lists = [[a, b], [b, a], [a], [b]] * 2
    answers = await asyncio.gather(*(api.put(f"{V1}/admin/homepage/recommendations", headers=bearer(ops),
                                             json={"artist_ids": ids}) for ids in lists))
    assert [r.status_code for r in answers] == [200] * len(lists), [r.text for r in answers if r.status_code != 200]
    final = [r["artist_id"] for r in (await api.get(f"{V1}/admin/homepage/recommendations",
                                                    headers=bearer(ops))).json()]
    assert final in lists

    images = [await _image(api, ops) for _ in range(4)]
    made = await asyncio.gather(*(api.post(f"{V1}/admin/homepage/banners", headers=bearer(ops), json={
        "title": f"横幅{i}", "image_key": image, "link_type": "none"}) for i, image in enumerate(images)))
    assert [r.status_code for r in made] == [201] * 4, [r.text for r in made]
    assert sorted(r.json()["position"] for r in made) == [0, 1, 2, 3]
