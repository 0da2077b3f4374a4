"""Media cases (演出案例) through the API: an artist adds cases from their own uploads, the content check
runs (sandbox, or the real adapter against the loopback WeChat fake), operators approve or reject from a
queue, and only approved cases show on the public artist page with working signed links."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.cases.service import public_cases
from domain.enums import CITIES
from domain.models import ArtistProfile, ArtistTag, CaseMedia, MediaCase, Tag, User
from domain.seed import CASE_ARTISTS, seed
from domain.time import SHANGHAI, utc_now
from integrations.wechat.miniprogram import WechatMiniProgramAuth
from integrations.wechat.security import WechatContentSecurity
from integrations.wechat.security_sandbox import SandboxContentSecurity
from storage.local import LocalStorage
from tests.factories import case_body, demand_body, upload, user_id
from tests.fakes.wechat_security import FakeWechatSecurityApi, fake_wechat_security_api
from tests.helpers import V1, bearer, operator_token, register_artist, register_client
from tests.storage.conftest import MP4_HEAD, image_bytes

CASES = f"{V1}/me/artist/cases"


@pytest.fixture
def storage(ctx: AppContext, tmp_path: Path) -> LocalStorage:
    local = LocalStorage(tmp_path / "storage", "test-cases-secret")
    ctx.storage = local
    return local


@pytest.fixture(autouse=True)
def sandbox_checker(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> SandboxContentSecurity:
    checker = SandboxContentSecurity(push_token="test-push-token")
    monkeypatch.setattr(ctx, "content_security", checker)
    return checker


async def _create(api: httpx.AsyncClient, token: str, **over: object) -> dict:
    images = [await upload(api, token), await upload(api, token)]
    res = await api.post(CASES, headers=bearer(token), json=case_body(images, **over))
    assert res.status_code == 201, res.text
    return dict(res.json())


def _count(db: Session) -> tuple[int, int]:
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(MediaCase)) or 0,
            db.scalar(select(func.count()).select_from(CaseMedia)) or 0)


async def test_case_is_public_only_once_approved_with_working_links(api: httpx.AsyncClient, db: Session,
                                                                    ctx: AppContext, storage: LocalStorage):
    artist = await register_artist(api, "13900000101")
    artist_id = await user_id(api, artist)
    png = image_bytes("PNG", (320, 180))
    first, second = await upload(api, artist, data=png), await upload(api, artist)
    video = await upload(api, artist, "case_video", content_type="video/mp4")

    res = await api.post(CASES, headers=bearer(artist), json=case_body([first, second, video]))
    assert res.status_code == 201, res.text
    case = res.json()
    assert (case["moderation_status"], case["moderation_label"]) == ("pending", "审核中")
    assert [(m["kind"], m["upload_id"]) for m in case["media"]] == [("image", first), ("image", second),
                                                                     ("video", video)]
    # Sandbox: text and images pass at once; a video can't be machine-checked, so the case stays "pending".
    assert [m["check_status"] for m in case["media"]] == ["pass", "pass", "pending"]
    assert case["machine_check"] == "pending"

    db.expire_all()
    assert public_cases(db, storage, artist_id) == []
    detail = (await api.get(f"{V1}/artists/{artist_id}")).json()
    assert detail["cases"] == []

    ops = await operator_token(api, db)
    queue = (await api.get(f"{V1}/admin/cases", headers=bearer(ops))).json()
    assert queue["total"] == 1 and queue["items"][0]["id"] == case["id"]
    assert queue["items"][0]["stage_name"] == "林晚晴" and queue["items"][0]["media"][0]["check_label"] == "机审通过"
    assert (await api.get(queue["items"][0]["media"][0]["url"])).content == png  # operators can look at it

    seen = queue["items"][0]["updated_at"]
    ok = await api.post(f"{V1}/admin/cases/{case['id']}/approve", headers=bearer(ops), json={"updated_at": seen})
    assert ok.status_code == 200, ok.text
    assert ok.json()["moderation_status"] == "approved" and ok.json()["reviewed_at"]
    assert (await api.get(f"{V1}/admin/cases", headers=bearer(ops))).json()["total"] == 0

    db.expire_all()
    shown = public_cases(db, storage, artist_id)
    assert [c.title for c in shown] == ["星河科技年会开场"]
    assert [m.kind for m in shown[0].media] == ["image", "image", "video"]
    detail = (await api.get(f"{V1}/artists/{artist_id}")).json()
    assert [c["id"] for c in detail["cases"]] == [case["id"]]
    image = detail["cases"][0]["media"][0]
    got = await api.get(image["url"])
    assert got.status_code == 200 and got.content == png and got.headers["content-type"] == "image/png"
    thumb = await api.get(image["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.content.startswith(b"RIFF")
    assert detail["cases"][0]["media"][2]["thumbnail_url"] is None
    assert (await api.get(detail["cases"][0]["media"][2]["url"])).content.startswith(MP4_HEAD)

    # Any content edit sends it back to review and off the public page.
    edit = await api.patch(f"{CASES}/{case['id']}", headers=bearer(artist), json={"description": "新的描述"})
    assert edit.status_code == 200, edit.text
    assert edit.json()["moderation_status"] == "pending" and edit.json()["description"] == "新的描述"
    assert [m["check_status"] for m in edit.json()["media"]] == ["pass", "pass", "pending"]  # kept verdicts
    assert (await api.get(f"{V1}/artists/{artist_id}")).json()["cases"] == []
    # A decision names the version the operator looked at: the edited case isn't approved blind.
    stale = await api.post(f"{V1}/admin/cases/{case['id']}/approve", headers=bearer(ops), json={"updated_at": seen})
    assert stale.status_code == 409 and stale.json()["code"] == "case_state_conflict"
    # Sending the same values again changes nothing.
    assert (await api.post(f"{V1}/admin/cases/{case['id']}/approve", headers=bearer(ops))).status_code == 200
    same = await api.patch(f"{CASES}/{case['id']}", headers=bearer(artist), json={"title": "星河科技年会开场"})
    assert same.json()["moderation_status"] == "approved"

    # Public text hides contact details like the rest of the artist page.
    await api.patch(f"{CASES}/{case['id']}", headers=bearer(artist), json={"description": "联系我13812345678"})
    await api.post(f"{V1}/admin/cases/{case['id']}/approve", headers=bearer(ops))
    db.expire_all()
    assert public_cases(db, storage, artist_id)[0].description == "联系我138****5678"


async def test_reject_with_reason_and_the_artist_sees_it(api: httpx.AsyncClient, db: Session,
                                                        storage: LocalStorage):
    artist = await register_artist(api, "13900000102")
    case = await _create(api, artist)
    ops = await operator_token(api, db)

    no_reason = await api.post(f"{V1}/admin/cases/{case['id']}/reject", headers=bearer(ops), json={})
    assert no_reason.status_code == 422 and no_reason.json()["message"] == "原因不能为空"
    short = await api.post(f"{V1}/admin/cases/{case['id']}/reject", headers=bearer(ops), json={"reason": "差"})
    assert short.status_code == 422
    res = await api.post(f"{V1}/admin/cases/{case['id']}/reject", headers=bearer(ops),
                         json={"reason": "图片与演出内容不符"})
    assert res.status_code == 200, res.text

    mine = (await api.get(CASES, headers=bearer(artist))).json()
    assert [(c["moderation_status"], c["moderation_label"], c["review_reason"]) for c in mine] == [
        ("rejected", "未通过", "图片与演出内容不符")]
    rejected = (await api.get(f"{V1}/admin/cases", headers=bearer(ops), params={"status": "rejected"})).json()
    assert [c["id"] for c in rejected["items"]] == [case["id"]]
    # Editing sends it back to the queue, without the old reason.
    again = await api.patch(f"{CASES}/{case['id']}", headers=bearer(artist), json={"title": "换了标题"})
    assert (again.json()["moderation_status"], again.json()["review_reason"]) == ("pending", None)
    assert (await api.post(f"{V1}/admin/cases/987654/approve", headers=bearer(ops))).status_code == 404


async def test_risky_text_is_rejected_automatically(api: httpx.AsyncClient, db: Session, storage: LocalStorage):
    artist = await register_artist(api, "13900000103")
    case = await _create(api, artist, description="演出后组织赌博活动")
    assert case["moderation_status"] == "rejected" and case["machine_check"] == "risky"
    assert case["review_reason"] == "标题或描述含有违法犯罪内容，未通过内容安全检测，请修改后重新提交"

    ops = await operator_token(api, db)
    assert (await api.get(f"{V1}/admin/cases", headers=bearer(ops))).json()["total"] == 0  # not in the queue
    refused = await api.post(f"{V1}/admin/cases/{case['id']}/approve", headers=bearer(ops))
    assert refused.status_code == 409 and refused.json()["code"] == "case_risky"

    fixed = await api.patch(f"{CASES}/{case['id']}", headers=bearer(artist), json={"description": "年会演唱"})
    assert (fixed.json()["moderation_status"], fixed.json()["machine_check"]) == ("pending", "pass")


async def test_artist_orders_cases(api: httpx.AsyncClient, db: Session, storage: LocalStorage):
    artist = await register_artist(api, "13900000104")
    other = await register_artist(api, "13900000105", name="陈默")
    artist_id = await user_id(api, artist)
    ids = [(await _create(api, artist, title=f"案例{i}"))["id"] for i in range(3)]
    other_case = (await _create(api, other))["id"]
    assert [c["id"] for c in (await api.get(CASES, headers=bearer(artist))).json()] == ids  # newest last

    new_order = [ids[2], ids[0], ids[1]]
    res = await api.put(f"{CASES}/order", headers=bearer(artist), json={"ids": new_order})
    assert res.status_code == 200, res.text
    assert [c["id"] for c in res.json()] == new_order

    for bad in ([ids[2], ids[0]], [ids[2], ids[0], ids[0]], [ids[2], ids[0], ids[1], other_case], []):
        wrong = await api.put(f"{CASES}/order", headers=bearer(artist), json={"ids": bad})
        assert wrong.status_code == 422, bad
    assert [c["id"] for c in (await api.get(CASES, headers=bearer(artist))).json()] == new_order

    ops = await operator_token(api, db)
    for case_id in ids:
        await api.post(f"{V1}/admin/cases/{case_id}/approve", headers=bearer(ops))
    db.expire_all()
    assert [c.id for c in public_cases(db, storage, artist_id)] == new_order
    # Operators review oldest first.
    await api.patch(f"{CASES}/{ids[1]}", headers=bearer(artist), json={"title": "改了"})
    await api.patch(f"{CASES}/{ids[0]}", headers=bearer(artist), json={"title": "也改了"})
    queue = (await api.get(f"{V1}/admin/cases", headers=bearer(ops))).json()
    assert [c["id"] for c in queue["items"]] == [other_case, ids[1], ids[0]]

    gone = await api.delete(f"{CASES}/{ids[0]}", headers=bearer(artist))
    assert gone.status_code == 204
    assert [c["id"] for c in (await api.get(CASES, headers=bearer(artist))).json()] == [ids[2], ids[1]]


async def test_artists_only_touch_their_own_cases_and_uploads(api: httpx.AsyncClient, db: Session,
                                                             storage: LocalStorage):
    artist = await register_artist(api, "13900000106")
    thief = await register_artist(api, "13900000107", name="苏小野")
    client = await register_client(api, "13800000106")
    case = await _create(api, artist)
    before = _count(db)

    for method, url, body in (("PATCH", f"{CASES}/{case['id']}", {"title": "偷改"}),
                              ("DELETE", f"{CASES}/{case['id']}", None)):
        res = await api.request(method, url, headers=bearer(thief), json=body)
        assert res.status_code == 404 and res.json()["code"] == "case_not_found"
    assert (await api.get(CASES, headers=bearer(thief))).json() == []
    # Someone else's upload, or one already in a case, can't be attached.
    foreign = await api.post(CASES, headers=bearer(thief), json=case_body([case["media"][0]["upload_id"]]))
    assert foreign.status_code == 422 and foreign.json()["message"] == "所选文件不存在或不属于您"
    reused = await api.post(CASES, headers=bearer(artist), json=case_body([case["media"][0]["upload_id"]]))
    assert reused.status_code == 409 and reused.json()["code"] == "case_media_in_use"
    grab = await api.patch(f"{CASES}/{case['id']}", headers=bearer(artist),
                           json={"media": [await upload(api, thief)]})
    assert grab.status_code == 422
    # Roles: clients and anonymous users have no cases; artists are no operators.
    assert (await api.get(CASES, headers=bearer(client))).status_code == 403
    assert (await api.get(CASES)).status_code == 401
    assert (await api.get(f"{V1}/admin/cases", headers=bearer(artist))).status_code == 403
    assert (await api.post(f"{V1}/admin/cases/{case['id']}/approve", headers=bearer(artist))).status_code == 403
    assert _count(db) == before
    db.expire_all()
    assert db.scalar(select(MediaCase.title).where(MediaCase.id == case["id"])) == "星河科技年会开场"


async def test_bad_input_is_refused_in_chinese_and_changes_nothing(api: httpx.AsyncClient, db: Session,
                                                                  storage: LocalStorage):
    artist = await register_artist(api, "13900000108")
    image = await upload(api, artist)
    licence = await upload(api, artist, "licence")
    videos = [await upload(api, artist, "case_video", content_type="video/mp4") for _ in range(2)]
    tomorrow = (utc_now().astimezone(SHANGHAI) + timedelta(days=1)).date().isoformat()

    cases: list[tuple[dict, int, str]] = [
        (case_body([image], title=""), 422, "不能为空"),
        (case_body([image], title="长" * 61), 422, "最多60个字"),
        (case_body([image], event_type="类" * 31), 422, "最多30个字"),
        (case_body([image], description="字" * 1001), 422, "最多1000个字"),
        (case_body([image], performed_on=tomorrow), 422, "演出日期不能晚于今天"),
        (case_body([]), 422, ""),
        (case_body([image, image]), 422, "同一个文件不能重复添加"),
        (case_body(["not-an-upload-id"]), 422, ""),
        (case_body(["0" * 32]), 422, "所选文件不存在或不属于您"),
        (case_body([licence]), 422, "只能添加以“案例图片”或“案例视频”用途上传的文件"),
        (case_body([image, *videos]), 422, "每个案例最多1个视频"),
        (case_body([image], extra="x"), 422, "不支持的字段"),
    ]
    for body, status, message in cases:
        res = await api.post(CASES, headers=bearer(artist), json=body)
        assert res.status_code == status, (body, res.text)
        assert set(res.json()) == {"code", "message", "detail"} and message in res.json()["message"]
    ten = [await upload(api, artist) for _ in range(10)]
    too_many = await api.post(CASES, headers=bearer(artist), json=case_body(ten))
    assert too_many.status_code == 422
    assert _count(db) == (0, 0)

    case = await _create(api, artist)
    for body in ({"title": None}, {"media": None}, {"media": []}, {"performed_on": tomorrow}):
        res = await api.patch(f"{CASES}/{case['id']}", headers=bearer(artist), json=body)
        assert res.status_code == 422, body
    cleared = await api.patch(f"{CASES}/{case['id']}", headers=bearer(artist), json={"performed_on": None})
    assert cleared.status_code == 200 and cleared.json()["performed_on"] is None
    assert (await api.patch(f"{CASES}/0", headers=bearer(artist), json={})).status_code == 422
    assert (await api.patch(f"{CASES}/99999999", headers=bearer(artist), json={})).status_code == 404
    # Replacing the media keeps only the new list, and the freed files can be used again.
    kept, dropped = case["media"][0]["upload_id"], case["media"][1]["upload_id"]
    res = await api.patch(f"{CASES}/{case['id']}", headers=bearer(artist), json={"media": [image, kept]})
    assert [m["upload_id"] for m in res.json()["media"]] == [image, kept]
    again = await api.post(CASES, headers=bearer(artist), json=case_body([dropped]))
    assert again.status_code == 201, again.text


# --- with the real adapter against the loopback WeChat fake: verdicts arrive by message push


@pytest.fixture
def wx(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> FakeWechatSecurityApi:
    with fake_wechat_security_api() as fake:
        fake.risky_words["赌博"] = 20006
        auth = WechatMiniProgramAuth(fake.appid, fake.secret, api_base=fake.base_url, timeout=2)
        checker = WechatContentSecurity(auth, push_token=fake.push_token, media_base_url="http://testserver")
        monkeypatch.setattr(ctx, "content_security", checker)
        yield fake


async def test_media_verdicts_arrive_by_signed_push(api: httpx.AsyncClient, db: Session, storage: LocalStorage,
                                                   wx: FakeWechatSecurityApi):
    artist = await register_artist(api, "13900000109")
    artist_id = await user_id(api, artist)
    db.execute(update(User).where(User.id == artist_id).values(wechat_openid="o-artist-109"))
    db.commit()
    case = await _create(api, artist)
    assert (case["moderation_status"], case["machine_check"]) == ("pending", "pending")
    assert [m["check_status"] for m in case["media"]] == ["pending", "pending"]
    assert wx.text_checks[-1]["openid"] == "o-artist-109" and wx.text_checks[-1]["scene"] == 1
    submitted = list(wx.media_submissions.items())
    assert len(submitted) == 2 and all(b["media_type"] == 2 for _, b in submitted)
    # WeChat can download what it was given: an absolute, signed link to the file.
    url = submitted[0][1]["media_url"]
    assert url.startswith("http://testserver/api/v1/files/private/case_image/")
    assert (await api.get(url.removeprefix("http://testserver"))).status_code == 200

    push = f"{V1}/wechat/media-check"
    query, body, content_type = wx.push(submitted[0][0], "pass")
    echo = await api.get(push, params={**query, "echostr": "hello-wechat"})
    assert echo.status_code == 200 and echo.text == "hello-wechat"
    bad = await api.post(push, params={**query, "signature": "0" * 40}, content=body,
                         headers={"content-type": content_type})
    assert bad.status_code == 403 and bad.json()["message"] == "签名校验失败"
    forged = wx.push(submitted[0][0], "pass", token="not-our-token")
    assert (await api.post(push, params=forged[0], content=forged[1])).status_code == 403
    for _ in range(2):  # WeChat retries: the second delivery changes nothing
        ok = await api.post(push, params=query, content=body, headers={"content-type": content_type})
        assert ok.status_code == 200 and ok.text == "success"
    mine = (await api.get(CASES, headers=bearer(artist))).json()[0]
    assert [m["check_status"] for m in mine["media"]] == ["pass", "pending"] and mine["machine_check"] == "pending"

    query, body, content_type = wx.push(submitted[1][0], "pass", fmt="xml")
    assert (await api.post(push, params=query, content=body, headers={"content-type": content_type})).text == "success"
    mine = (await api.get(CASES, headers=bearer(artist))).json()[0]
    assert mine["machine_check"] == "pass" and mine["moderation_status"] == "pending"

    # An unknown trace id is acknowledged (nothing to update) so WeChat stops retrying.
    unknown = wx.push("64b7dbf0-23c56013-1e94d102", "risky", 20002)
    assert (await api.post(push, params=unknown[0], content=unknown[1])).text == "success"

    # A risky image takes the case down, even after approval.
    ops = await operator_token(api, db)
    await api.post(f"{V1}/admin/cases/{case['id']}/approve", headers=bearer(ops))
    new_image = await upload(api, artist)
    await api.patch(f"{CASES}/{case['id']}", headers=bearer(artist),
                    json={"media": [mine["media"][0]["upload_id"], new_image]})
    await api.post(f"{V1}/admin/cases/{case['id']}/approve", headers=bearer(ops))
    trace_id = next(t for t, b in wx.media_submissions.items() if new_image in b["media_url"])
    query, body, _ = wx.push(trace_id, "risky", 20002)
    assert (await api.post(push, params=query, content=body)).text == "success"
    mine = (await api.get(CASES, headers=bearer(artist))).json()[0]
    assert (mine["moderation_status"], mine["machine_check"]) == ("rejected", "risky")
    assert mine["review_reason"] == "图片含有违规内容，未通过内容安全检测，请更换后重新提交"
    db.expire_all()
    assert public_cases(db, storage, artist_id) == []


async def test_wechat_being_down_leaves_the_case_to_an_operator(api: httpx.AsyncClient, db: Session,
                                                               storage: LocalStorage, wx: FakeWechatSecurityApi):
    artist = await register_artist(api, "13900000110")
    db.execute(update(User).where(User.phone == "13900000110").values(wechat_openid="o-artist-110"))
    db.commit()
    wx.next_errors.extend([45009, 45009, 45009])  # text and both images: quota reached
    case = await _create(api, artist)
    assert (case["moderation_status"], case["machine_check"]) == ("pending", "review")
    assert [m["check_status"] for m in case["media"]] == ["pending", "pending"]
    # An artist who never came through the mini-program has no openid: no call, a person reviews.
    other = await register_artist(api, "13900000111", name="陈默")
    calls = wx.calls("/wxa/msg_sec_check")
    assert (await _create(api, other))["machine_check"] == "review"
    assert wx.calls("/wxa/msg_sec_check") == calls


# --- demands are moderated like other content


async def test_risky_demand_is_rejected_automatically(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000109")
    db.execute(update(User).where(User.phone == "13800000109").values(verification_status="verified"))
    db.commit()
    body = demand_body()
    ok = await api.post(f"{V1}/demands", headers=bearer(client), json=body)
    assert ok.status_code == 201 and ok.json()["moderation_status"] == "pending"
    risky = await api.post(f"{V1}/demands", headers=bearer(client), json={**body, "description": "散场后赌博"})
    assert risky.status_code == 201, risky.text
    assert (risky.json()["moderation_status"], risky.json()["review_reason"]) == (
        "rejected", "需求内容含有违法犯罪内容，未通过内容安全检测，请修改后重新提交")
    ops = await operator_token(api, db)
    queue = (await api.get(f"{V1}/admin/demands", headers=bearer(ops))).json()
    assert [d["id"] for d in queue["items"]] == [ok.json()["id"]]


# --- demo data


async def test_seed_gives_demo_artists_cases_and_tags(api: httpx.AsyncClient, db: Session, ctx: AppContext,
                                                     storage: LocalStorage):
    seed(db, ctx.cipher, storage)
    db.commit()
    assert _count(db) == (2 * CASE_ARTISTS, 4 * CASE_ARTISTS)
    first = db.scalar(select(ArtistProfile).where(ArtistProfile.stage_name == "林晚晴"))
    assert first is not None and first.regions and first.works and first.active_since_year and first.travel_terms
    # A demo artist can open the profile editor and save without changing anything (regions from the city list).
    regions = {r for rs in db.scalars(select(ArtistProfile.regions)) for r in rs}
    assert regions and regions <= set(CITIES), regions - set(CITIES)
    assert {t for t in db.scalars(select(Tag.name))} == {"热门艺人", "本地艺人"}
    assert (db.scalar(select(func.count()).select_from(ArtistTag)) or 0) >= 6

    detail = (await api.get(f"{V1}/artists/{first.user_id}")).json()
    assert len(detail["cases"]) == 2 and all(len(c["media"]) == 2 for c in detail["cases"])
    picture = await api.get(detail["cases"][0]["media"][0]["url"])
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert (await api.get(detail["cases"][0]["media"][0]["thumbnail_url"])).status_code == 200

    assert seed(db, ctx.cipher, storage) == {"operators": 0, "clients": 0, "artists": 0}
    db.commit()
    assert _count(db) == (2 * CASE_ARTISTS, 4 * CASE_ARTISTS)
