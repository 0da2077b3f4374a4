"""An artist's agent team (经纪人/助理) through the API: the artist invites members by phone (they join by
accepting, tests/api/test_team_invitations.py) and removes them; a member
acts for the artist with the `X-Artist-Id` header on the profile draft, cases, qualifications and calendar;
team management and privacy stay the artist's own; and a member never reaches any other artist."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.models import ArtistManager, ArtistProfile, CalendarSlot, MediaCase, Qualification, User
from domain.time import SHANGHAI, utc_now
from integrations.wechat.security_sandbox import SandboxContentSecurity
from tests.factories import case_body, profile_draft, upload, user_id
from tests.helpers import V1, bearer, invite, join_team, operator_token, register_artist, register_client, sms_login
from tests.storage.conftest import pdf_bytes

TEAM = f"{V1}/me/artist/team"
MANAGED = f"{V1}/me/managed-artists"
INVITATIONS = f"{V1}/me/team-invitations"
PROFILE = f"{V1}/me/artist/profile"
CASES = f"{V1}/me/artist/cases"
QUALIFICATIONS = f"{V1}/me/artist/qualifications"
NEXT_YEAR = utc_now().astimezone(SHANGHAI).year + 1


@pytest.fixture(autouse=True)
def sandbox_checker(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctx, "content_security", SandboxContentSecurity(push_token="test-push-token"))


def acting(token: str, artist_id: int | str) -> dict[str, str]:
    return {**bearer(token), "X-Artist-Id": str(artist_id)}


async def test_the_artist_manages_the_team(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000201")
    artist_id = await user_id(api, artist)
    agent = (await sms_login(api, "13600000201"))["access_token"]  # a plain account: no role profile at all
    agent_id = await user_id(api, agent)
    client = await register_client(api, "13800000201")

    assert (await api.get(TEAM, headers=bearer(artist))).json() == []
    await join_team(api, artist, agent, "13600000201")
    team = (await api.get(TEAM, headers=bearer(artist))).json()
    assert [(m["user_id"], m["role"], m["role_label"], m["phone"]) for m in team] == [
        (agent_id, "agent", "经纪人", "136****0201")]
    # Invited again with another role and accepted: one membership, the new role.
    await join_team(api, artist, agent, " 13600000201 ", "assistant")
    team = (await api.get(TEAM, headers=bearer(artist))).json()
    assert [(m["user_id"], m["role"], m["role_label"]) for m in team] == [(agent_id, "assistant", "助理")]

    for body, status, code, message in [
        ({"phone": "13900000201", "role": "agent"}, 422, "team_member_self", "不能把自己添加为团队成员"),
        ({"phone": "12345", "role": "agent"}, 422, "validation_error", "手机号格式不正确"),
        ({"phone": "13600000201", "role": "boss"}, 422, "validation_error", "取值无效"),
        ({"phone": "13600000201"}, 422, "validation_error", "不能为空"),
    ]:
        res = await api.post(TEAM, headers=bearer(artist), json=body)
        assert res.status_code == status, res.text
        assert res.json()["code"] == code and message in res.json()["message"], res.text

    # At most ten members (created directly: SMS logins are rate-limited per IP); the tenth joins by accepting.
    extra = [User(phone=f"1360000030{i}") for i in range(10)]
    filler = User(phone="13600000398")
    db.add_all([*extra, filler])
    db.commit()
    db.add_all([ArtistManager(artist_id=artist_id, user_id=u.id, role="agent") for u in extra[:8]])
    db.commit()
    ninth = (await invite(api, artist, "13600000308")).json()["id"]
    tenth = (await invite(api, artist, "13600000309")).json()["id"]
    db.add(ArtistManager(artist_id=artist_id, user_id=filler.id, role="agent"))
    db.commit()
    full = await invite(api, artist, "13600000399")
    assert full.status_code == 409 and full.json()["code"] == "team_full", full.text
    assert "最多10人" in full.json()["message"]
    # Accepting when the team filled up meanwhile is refused too.
    ninth_token = (await sms_login(api, "13600000308"))["access_token"]
    res = await api.post(f"{INVITATIONS}/{ninth}/accept", headers=bearer(ninth_token))
    assert res.status_code == 409 and res.json()["code"] == "team_full" and "已满10人" in res.json()["message"]
    db.delete(db.get(ArtistManager, (artist_id, filler.id)))
    db.commit()
    tenth_token = (await sms_login(api, "13600000309"))["access_token"]
    assert (await api.post(f"{INVITATIONS}/{tenth}/accept", headers=bearer(tenth_token))).status_code == 200
    assert len((await api.get(TEAM, headers=bearer(artist))).json()) == 10

    # Removing.
    assert (await api.delete(f"{TEAM}/{extra[0].id}", headers=bearer(artist))).status_code == 204
    missing = await api.delete(f"{TEAM}/{extra[0].id}", headers=bearer(artist))
    assert missing.status_code == 404 and missing.json()["message"] == "该成员不在团队中"

    # Team management is the artist's own: not for members (with or without the header), not for clients.
    for token, headers in [(agent, acting(agent, artist_id)), (agent, bearer(agent)), (client, bearer(client))]:
        for method, url, body in [("GET", TEAM, None), ("POST", TEAM, {"phone": "13800000201", "role": "agent"}),
                                  ("DELETE", f"{TEAM}/{agent_id}", None), ("GET", f"{TEAM}/invitations", None),
                                  ("DELETE", f"{TEAM}/invitations/{ninth}", None)]:
            res = await api.request(method, url, headers=headers, json=body)
            assert res.status_code == 403, (token, method, url, res.text)
            assert res.json()["message"] in ("仅艺人本人可以进行此操作，经纪人/助理无权限", "请切换到艺人身份后再操作")
    assert (await api.get(TEAM)).status_code == 401
    assert (await api.get(INVITATIONS)).status_code == 401
    assert db.scalar(select(ArtistManager).where(ArtistManager.user_id == agent_id)) is not None


async def test_a_member_lists_and_leaves(api: httpx.AsyncClient, db: Session):
    a = await register_artist(api, "13900000211", name="林晚晴")
    b = await register_artist(api, "13900000212", name="周小北")
    a_id, b_id = await user_id(api, a), await user_id(api, b)
    agent = await register_client(api, "13600000211")  # a client can also be an artist's agent
    assert (await api.get(MANAGED, headers=bearer(agent))).json() == []
    await join_team(api, a, agent, "13600000211", "agent")
    await join_team(api, b, agent, "13600000211", "assistant")

    managed = (await api.get(MANAGED, headers=bearer(agent))).json()
    assert [(m["artist_id"], m["stage_name"], m["role"], m["role_label"]) for m in managed] == [
        (a_id, "林晚晴", "agent", "经纪人"), (b_id, "周小北", "assistant", "助理")]
    assert (await api.get(PROFILE, headers=acting(agent, b_id))).status_code == 200

    assert (await api.delete(f"{MANAGED}/{b_id}", headers=bearer(agent))).status_code == 204
    again = await api.delete(f"{MANAGED}/{b_id}", headers=bearer(agent))
    assert again.status_code == 404 and again.json()["message"] == "您不是该艺人的团队成员"
    assert [m["artist_id"] for m in (await api.get(MANAGED, headers=bearer(agent))).json()] == [a_id]
    gone = await api.get(PROFILE, headers=acting(agent, b_id))
    assert gone.status_code == 403 and gone.json()["code"] == "not_artist_manager"
    assert (await api.get(TEAM, headers=bearer(b))).json() == []
    assert (await api.get(MANAGED)).status_code == 401


async def test_a_member_edits_the_profile_cases_qualifications_and_calendar(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000221")
    artist_id = await user_id(api, artist)
    agent = (await sms_login(api, "13600000221"))["access_token"]
    outsider = await register_artist(api, "13900000222", name="别人")
    ops = await operator_token(api, db)
    await join_team(api, artist, agent, "13600000221")
    as_agent = acting(agent, artist_id)

    # The profile draft: the agent's own upload as avatar, saved and submitted for the artist.
    avatar = await upload(api, agent)
    foreign = await upload(api, outsider)
    bad = await api.put(PROFILE, headers=as_agent, json=profile_draft(avatar_upload_id=foreign))
    assert bad.status_code == 422 and bad.json()["code"] == "avatar_invalid"
    res = await api.put(PROFILE, headers=as_agent, json=profile_draft(stage_name="林晚晴Live", avatar_upload_id=avatar))
    assert res.status_code == 200, res.text
    assert res.json()["artist_id"] == artist_id and res.json()["data"]["avatar_url"]
    res = await api.post(f"{PROFILE}/submit", headers=as_agent)
    assert res.status_code == 200 and res.json()["status"] == "pending"
    mine = (await api.get(PROFILE, headers=bearer(artist))).json()
    assert mine["status"] == "pending" and mine["data"]["stage_name"] == "林晚晴Live"
    ok = await api.post(f"{V1}/admin/profile-reviews/{artist_id}/approve", headers=bearer(ops))
    assert ok.status_code == 200, ok.text
    db.expire_all()
    profile = db.get(ArtistProfile, artist_id)
    assert profile is not None and profile.stage_name == "林晚晴Live" and profile.avatar_upload_id == avatar

    # Privacy stays the artist's own.
    privacy = {"hide_prices": True, "hide_contact": True}
    denied = await api.put(f"{PROFILE}/privacy", headers=as_agent, json=privacy)
    assert denied.status_code == 403 and denied.json()["code"] == "artist_only", denied.text
    assert (await api.put(f"{PROFILE}/privacy", headers=bearer(artist), json=privacy)).status_code == 200
    # The artist may name themself in the header too.
    assert (await api.get(PROFILE, headers=acting(artist, artist_id))).json()["artist_id"] == artist_id

    # Cases: created from the agent's uploads, seen and edited by the artist (the agent's files stay on it).
    images = [await upload(api, agent), await upload(api, agent)]
    res = await api.post(CASES, headers=as_agent, json=case_body(images))
    assert res.status_code == 201, res.text
    case = res.json()
    stolen = await api.post(CASES, headers=as_agent, json=case_body([foreign]))
    assert stolen.status_code == 422 and stolen.json()["code"] == "case_media_invalid"
    assert [c["id"] for c in (await api.get(CASES, headers=bearer(artist))).json()] == [case["id"]]
    own = await upload(api, artist)
    res = await api.patch(f"{CASES}/{case['id']}", headers=bearer(artist), json={"media": [images[1], own]})
    assert res.status_code == 200, res.text
    res = await api.patch(f"{CASES}/{case['id']}", headers=as_agent, json={"title": "经纪人改的标题"})
    assert res.status_code == 200 and res.json()["title"] == "经纪人改的标题"
    second = (await api.post(CASES, headers=as_agent, json=case_body([images[0]], title="第二个"))).json()
    res = await api.put(f"{CASES}/order", headers=as_agent, json={"ids": [second["id"], case["id"]]})
    assert res.status_code == 200 and [c["id"] for c in res.json()] == [second["id"], case["id"]]
    assert (await api.delete(f"{CASES}/{second['id']}", headers=as_agent)).status_code == 204
    assert set(db.scalars(select(MediaCase.artist_id))) == {artist_id}

    # Qualifications: the agent's document, on the artist's list.
    doc = await upload(api, agent, "document", "application/pdf", pdf_bytes())
    res = await api.post(QUALIFICATIONS, headers=as_agent,
                         json={"upload_id": doc, "kind": "certificate", "title": "声乐十级"})
    assert res.status_code == 201 and res.json()["artist_id"] == artist_id, res.text
    licence = await upload(api, outsider, "licence")
    stolen = await api.post(QUALIFICATIONS, headers=as_agent,
                            json={"upload_id": licence, "kind": "other", "title": "偷"})
    assert stolen.status_code == 422
    assert [q["title"] for q in (await api.get(QUALIFICATIONS, headers=bearer(artist))).json()] == ["声乐十级"]
    mine = (await api.get(QUALIFICATIONS, headers=as_agent)).json()
    assert [q["title"] for q in mine] == ["声乐十级"]
    # The agent uploaded it; the artist may still open it (and the agent too), nobody else.
    for who in (bearer(artist), as_agent):
        link = await api.get(f"{QUALIFICATIONS}/{mine[0]['id']}/url", headers=who)
        assert link.status_code == 200 and (await api.get(link.json()["url"])).content.startswith(b"%PDF")

    # The calendar.
    res = await api.put(f"{V1}/calendar/me/range", headers=as_agent, json={
        "start_date": f"{NEXT_YEAR}-03-02", "end_date": f"{NEXT_YEAR}-03-02", "status": "rest", "note": "经纪人安排"})
    assert res.status_code == 200, res.text
    window = {"start": f"{NEXT_YEAR}-03-01", "end": f"{NEXT_YEAR}-03-31"}
    slots = (await api.get(f"{V1}/calendar/me", headers=bearer(artist), params=window)).json()["slots"]
    assert [s["note"] for s in slots] == ["经纪人安排"]
    assert (await api.get(f"{V1}/calendar/me", headers=as_agent, params=window)).json()["slots"] == slots
    res = await api.delete(f"{V1}/calendar/me/slots/{slots[0]['id']}", headers=as_agent)
    assert res.status_code == 200, res.text
    assert set(db.scalars(select(CalendarSlot.artist_id))) == set()

    # Removed from the team: nothing more.
    agent_id = await user_id(api, agent)
    assert (await api.delete(f"{TEAM}/{agent_id}", headers=bearer(artist))).status_code == 204
    for method, url, body in [("GET", PROFILE, None), ("PUT", PROFILE, profile_draft()), ("GET", CASES, None),
                              ("GET", f"{V1}/calendar/me", None)]:
        res = await api.request(method, url, headers=as_agent, json=body)
        assert res.status_code == 403 and res.json()["code"] == "not_artist_manager", (method, url, res.text)


async def test_a_member_never_reaches_another_artist(api: httpx.AsyncClient, db: Session):
    a = await register_artist(api, "13900000231", name="林晚晴")
    b = await register_artist(api, "13900000232", name="周小北")
    a_id, b_id = await user_id(api, a), await user_id(api, b)
    # The agent is an artist too (C), and manages A only.
    agent = await register_artist(api, "13900000233", name="经纪人自己")
    agent_id = await user_id(api, agent)
    await join_team(api, a, agent, "13900000233")

    b_image = await upload(api, b)
    b_case = (await api.post(CASES, headers=bearer(b), json=case_body([b_image]))).json()
    res = await api.put(f"{V1}/calendar/me/range", headers=bearer(b), json={
        "start_date": f"{NEXT_YEAR}-04-06", "end_date": f"{NEXT_YEAR}-04-06", "status": "rest"})
    b_slot = res.json()["slots"][0]["id"]
    b_doc = await upload(api, b, "document", "application/pdf", pdf_bytes())
    b_qual = (await api.post(QUALIFICATIONS, headers=bearer(b),
                             json={"upload_id": b_doc, "kind": "other", "title": "B 的证"})).json()

    range_body = {"start_date": f"{NEXT_YEAR}-04-07", "end_date": f"{NEXT_YEAR}-04-07", "status": "rest"}
    routes: list[tuple[str, str, object]] = [
        ("GET", PROFILE, None), ("PUT", PROFILE, profile_draft(stage_name="被改了")),
        ("POST", f"{PROFILE}/submit", None),
        ("PUT", f"{PROFILE}/privacy", {"hide_prices": True, "hide_contact": False}),
        ("GET", QUALIFICATIONS, None), ("POST", QUALIFICATIONS, {"upload_id": b_doc, "kind": "other", "title": "x"}),
        ("GET", CASES, None), ("POST", CASES, case_body([b_image])),
        ("PATCH", f"{CASES}/{b_case['id']}", {"title": "改"}),
        ("PUT", f"{CASES}/order", {"ids": [b_case["id"]]}), ("DELETE", f"{CASES}/{b_case['id']}", None),
        ("GET", f"{V1}/calendar/me", None), ("PUT", f"{V1}/calendar/me/range", range_body),
        ("DELETE", f"{V1}/calendar/me/slots/{b_slot}", None),
        ("GET", TEAM, None), ("POST", TEAM, {"phone": "13900000233", "role": "agent"}),
    ]
    for method, url, body in routes:
        # Naming B: refused. Naming nobody: 404. Naming a client or a non-number: refused, never B.
        res = await api.request(method, url, headers=acting(agent, b_id), json=body)
        assert res.status_code == 403, (method, url, res.text)
        assert res.json()["code"] in ("not_artist_manager", "artist_only"), res.text
        res = await api.request(method, url, headers=acting(agent, 987654321), json=body)
        assert res.status_code == 404 and res.json()["code"] == "artist_not_found", (method, url, res.text)
        for junk in ("abc", "0", "-1", f"{b_id},{a_id}", "1e3"):
            res = await api.request(method, url, headers=acting(agent, junk), json=body)
            assert res.status_code == 422, (method, url, junk, res.text)
            assert "代为操作的艺人" in res.json()["message"], res.text

    # Acting for A, B's things are out of reach by id.
    as_a = acting(agent, a_id)
    res = await api.patch(f"{CASES}/{b_case['id']}", headers=as_a, json={"title": "改"})
    assert res.status_code == 404 and res.json()["code"] == "case_not_found"
    assert (await api.delete(f"{CASES}/{b_case['id']}", headers=as_a)).status_code == 404
    assert (await api.put(f"{CASES}/order", headers=as_a, json={"ids": [b_case["id"]]})).status_code == 422
    assert (await api.delete(f"{V1}/calendar/me/slots/{b_slot}", headers=as_a)).status_code == 404
    assert (await api.post(CASES, headers=as_a, json=case_body([b_image]))).status_code == 422
    res = await api.post(QUALIFICATIONS, headers=as_a, json={"upload_id": b_doc, "kind": "other", "title": "x"})
    assert res.status_code == 422
    assert (await api.get(CASES, headers=as_a)).json() == []
    assert (await api.get(QUALIFICATIONS, headers=as_a)).json() == []
    assert (await api.get(f"{QUALIFICATIONS}/{b_qual['id']}/url", headers=as_a)).status_code == 404

    # Without the header the agent is just themself (their own artist profile), never A.
    own = (await api.get(PROFILE, headers=bearer(agent))).json()
    assert own["artist_id"] == agent_id and own["data"]["stage_name"] == "经纪人自己"

    # Nothing of B's changed.
    db.expire_all()
    b_profile = db.get(ArtistProfile, b_id)
    assert b_profile is not None and b_profile.stage_name == "周小北" and b_profile.hide_prices is False
    case = db.get(MediaCase, b_case["id"])
    assert case is not None and case.title == b_case["title"]
    assert db.scalar(select(Qualification.title).where(Qualification.artist_id == b_id)) == "B 的证"
    assert [s.id for s in db.scalars(select(CalendarSlot).where(CalendarSlot.artist_id == b_id))] == [b_slot]
    assert db.scalar(select(ArtistManager).where(ArtistManager.artist_id == b_id)) is None
    # And B's own requests still see B's profile only.
    assert (await api.get(PROFILE, headers=bearer(b))).json()["artist_id"] == b_id


async def test_acting_for_a_banned_artist_or_without_a_role(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000241")
    artist_id = await user_id(api, artist)
    agent = (await sms_login(api, "13600000241"))["access_token"]
    await join_team(api, artist, agent, "13600000241")
    # No header and no artist role: the calendar is not theirs to see.
    res = await api.get(f"{V1}/calendar/me", headers=bearer(agent))
    assert res.status_code == 403 and res.json()["message"] == "请切换到艺人身份后再操作"
    assert (await api.get(f"{V1}/calendar/me", headers=acting(agent, artist_id),
                          params={"start": f"{NEXT_YEAR}-01-01", "end": f"{NEXT_YEAR}-01-31"})).status_code == 200

    db.execute(update(User).where(User.id == artist_id).values(status="banned"))
    db.commit()
    res = await api.get(PROFILE, headers=acting(agent, artist_id))
    assert res.status_code == 403 and res.json()["message"] == "该艺人账号已被封禁，暂不能代为操作"
    # The membership itself stays: lifting the ban restores access.
    assert db.scalar(select(ArtistManager.role).where(ArtistManager.artist_id == artist_id)) == "agent"
