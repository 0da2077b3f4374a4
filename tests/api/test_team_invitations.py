"""Team invitations through the API: the artist invites by phone and learns nothing about the phone's account;
only the invited user's acceptance makes them a member; invitations expire, can be cancelled, are rate-limited,
and reach a phone that registers after being invited."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.models import ArtistManager, TeamInvitation
from domain.time import utc_now
from tests.factories import user_id
from tests.helpers import V1, bearer, invite, register_artist, register_client, sms_login

TEAM = f"{V1}/me/artist/team"
PENDING = f"{TEAM}/invitations"
RECEIVED = f"{V1}/me/team-invitations"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
MANAGED = f"{V1}/me/managed-artists"


async def test_the_answer_is_the_same_for_registered_and_unregistered_phones(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000301")
    await sms_login(api, "13600000301")  # registered

    known = await invite(api, artist, "13600000301")
    unknown = await invite(api, artist, "13600000302")
    assert known.status_code == unknown.status_code == 202, (known.text, unknown.text)
    k, u = known.json(), unknown.json()
    assert set(k) == set(u) == {"invited", "id", "phone_masked", "role", "role_label", "created_at", "expires_at"}
    assert k["invited"] is u["invited"] is True
    assert (k["phone_masked"], u["phone_masked"]) == ("136****0301", "136****0302")
    assert "user_id" not in known.text
    varying = {"id", "phone_masked", "created_at", "expires_at"}
    assert {f: v for f, v in k.items() if f not in varying} == {f: v for f, v in u.items() if f not in varying}
    # Seven days to answer.
    for body in (k, u):
        created, expires = (utc_now().fromisoformat(body[f]) for f in ("created_at", "expires_at"))
        assert expires - created == timedelta(days=7)

    # Nobody joined yet; the team page lists both invitations beside the (empty) members.
    assert (await api.get(TEAM, headers=bearer(artist))).json() == []
    assert db.scalar(select(func.count()).select_from(ArtistManager)) == 0
    pending = (await api.get(PENDING, headers=bearer(artist))).json()
    assert [(p["phone_masked"], p["role_label"]) for p in pending] == [("136****0302", "经纪人"),
                                                                       ("136****0301", "经纪人")]
    assert all("user_id" not in p for p in pending)


async def test_accept_makes_a_member_and_decline_does_not(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000311", name="林晚晴")
    artist_id = await user_id(api, artist)
    agent = (await sms_login(api, "13600000311"))["access_token"]
    helper = await register_client(api, "13600000312")
    other = await register_client(api, "13600000313")

    first = (await invite(api, artist, "13600000311")).json()
    # Invited again as 助理 (typed in full-width digits: the same phone): the earlier one is replaced, not doubled.
    again = (await invite(api, artist, "13600000311".translate(FULL_WIDTH), "assistant")).json()
    to_helper = (await invite(api, artist, "13600000312", "assistant")).json()

    # The invited user is told in the notification centre and sees the invitation.
    notes = (await api.get(f"{V1}/notifications", headers=bearer(agent))).json()["items"]
    assert [(n["title"], n["booking_id"]) for n in notes] == [("团队邀请", None)]
    assert "林晚晴" in notes[0]["body"] and "助理" in notes[0]["body"]
    mine = (await api.get(RECEIVED, headers=bearer(agent))).json()
    assert [(i["id"], i["artist_id"], i["stage_name"], i["role"], i["role_label"]) for i in mine] == [
        (again["id"], artist_id, "林晚晴", "assistant", "助理")]
    stale = await api.post(f"{RECEIVED}/{first['id']}/accept", headers=bearer(agent))
    assert stale.status_code == 404 and stale.json()["code"] == "team_invitation_not_found"

    # Someone else can neither see nor answer it.
    assert (await api.get(RECEIVED, headers=bearer(other))).json() == []
    for action in ("accept", "decline"):
        res = await api.post(f"{RECEIVED}/{again['id']}/{action}", headers=bearer(other))
        assert res.status_code == 404 and res.json()["message"] == "邀请不存在或已撤销", res.text
        res = await api.post(f"{RECEIVED}/{again['id']}/{action}", headers=bearer(artist))
        assert res.status_code == 404
    assert (await api.post(f"{RECEIVED}/{again['id']}/accept")).status_code == 401

    accepted = await api.post(f"{RECEIVED}/{again['id']}/accept", headers=bearer(agent))
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["artist_id"], accepted.json()["role"]) == (artist_id, "assistant")
    assert [m["artist_id"] for m in (await api.get(MANAGED, headers=bearer(agent))).json()] == [artist_id]
    assert (await api.get(RECEIVED, headers=bearer(agent))).json() == []
    twice = await api.post(f"{RECEIVED}/{again['id']}/decline", headers=bearer(agent))
    assert twice.status_code == 409 and twice.json()["code"] == "team_invitation_closed"
    assert (await api.get(f"{V1}/notifications/unread-count", headers=bearer(agent))).json() == {"unread": 0}

    declined = await api.post(f"{RECEIVED}/{to_helper['id']}/decline", headers=bearer(helper))
    assert declined.status_code == 204, declined.text
    assert (await api.get(MANAGED, headers=bearer(helper))).json() == []
    late = await api.post(f"{RECEIVED}/{to_helper['id']}/accept", headers=bearer(helper))
    assert late.status_code == 409 and late.json()["code"] == "team_invitation_closed"

    team = (await api.get(TEAM, headers=bearer(artist))).json()
    assert [(m["phone"], m["role"]) for m in team] == [("136****0311", "assistant")]
    assert (await api.get(PENDING, headers=bearer(artist))).json() == []


async def test_expired_and_cancelled_invitations_cannot_be_accepted(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000321")
    member = (await sms_login(api, "13600000321"))["access_token"]
    late = (await invite(api, artist, "13600000321")).json()
    db.execute(update(TeamInvitation).where(TeamInvitation.id == late["id"])
               .values(expires_at=utc_now() - timedelta(seconds=1)))
    db.commit()
    assert (await api.get(RECEIVED, headers=bearer(member))).json() == []
    assert (await api.get(PENDING, headers=bearer(artist))).json() == []
    res = await api.post(f"{RECEIVED}/{late['id']}/accept", headers=bearer(member))
    assert res.status_code == 409 and res.json()["code"] == "team_invitation_expired"
    assert "已过期" in res.json()["message"]

    # Inviting again replaces the expired invitation (and its notification).
    fresh = (await invite(api, artist, "13600000321")).json()
    assert len((await api.get(f"{V1}/notifications", headers=bearer(member))).json()["items"]) == 1
    assert (await api.delete(f"{PENDING}/{fresh['id']}", headers=bearer(artist))).status_code == 204
    again = await api.delete(f"{PENDING}/{fresh['id']}", headers=bearer(artist))
    assert again.status_code == 404 and again.json()["code"] == "team_invitation_not_found"
    assert (await api.get(RECEIVED, headers=bearer(member))).json() == []
    # The cancelled invitation's notification is gone.
    assert (await api.get(f"{V1}/notifications", headers=bearer(member))).json()["items"] == []
    res = await api.post(f"{RECEIVED}/{fresh['id']}/accept", headers=bearer(member))
    assert res.status_code == 404
    # Another artist cannot cancel it.
    other = await register_artist(api, "13900000322")
    third = (await invite(api, artist, "13600000321")).json()
    assert (await api.delete(f"{PENDING}/{third['id']}", headers=bearer(other))).status_code == 404
    assert db.scalar(select(func.count()).select_from(ArtistManager)) == 0


async def test_a_phone_that_registers_later_sees_the_invitation(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000331", name="周小北")
    sent = (await invite(api, artist, "13600000331")).json()
    newcomer = (await sms_login(api, "13600000331"))["access_token"]
    mine = (await api.get(RECEIVED, headers=bearer(newcomer))).json()
    assert [(i["id"], i["stage_name"]) for i in mine] == [(sent["id"], "周小北")]
    notes = (await api.get(f"{V1}/notifications", headers=bearer(newcomer))).json()["items"]
    assert [n["title"] for n in notes] == ["团队邀请"] and "周小北" in notes[0]["body"]
    assert (await api.post(f"{RECEIVED}/{sent['id']}/accept", headers=bearer(newcomer))).status_code == 200
    assert len((await api.get(TEAM, headers=bearer(artist))).json()) == 1


async def test_invitations_are_rate_limited_per_artist(api: httpx.AsyncClient, db: Session):
    artist = await register_artist(api, "13900000341")
    other = await register_artist(api, "13900000342")
    artist_id = await user_id(api, artist)

    def age(hours: int) -> None:
        db.execute(update(TeamInvitation).where(TeamInvitation.artist_id == artist_id)
                   .values(created_at=TeamInvitation.created_at - timedelta(hours=hours)))
        db.commit()

    phones = iter(f"135{n:08d}" for n in range(100))
    for _ in range(10):
        assert (await invite(api, artist, next(phones))).status_code == 202
    hour = await invite(api, artist, next(phones))
    assert hour.status_code == 429 and hour.json()["code"] == "team_invite_limit_reached", hour.text
    assert hour.json()["message"] == "邀请过于频繁，1小时内最多发出10个邀请，请稍后再试"
    # Another artist is not affected.
    assert (await invite(api, other, next(phones))).status_code == 202
    for _ in range(2):
        age(2)
        for _ in range(10):
            assert (await invite(api, artist, next(phones))).status_code == 202
    age(2)
    day = await invite(api, artist, next(phones))
    assert day.status_code == 429 and day.json()["message"] == "今日发出的邀请已达上限（30个），请明天再试"
    age(24)
    assert (await invite(api, artist, next(phones))).status_code == 202
