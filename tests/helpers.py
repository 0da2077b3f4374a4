"""Small steps many API tests share."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.accounts import roles
from domain.accounts.crypto import hash_password
from domain.artists import changes
from domain.artists.search_sync import index_writer
from domain.db import session_scope
from domain.models import Operator
from domain.profiles import service as profiles

V1 = "/api/v1"


class FakeClock:
    """A clock a test moves by hand (`clock.now += 5`), for the caches and links that take a `clock`."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sms_login(api: httpx.AsyncClient, phone: str) -> dict:
    sent = await api.post(f"{V1}/auth/sms/send", json={"phone": phone})
    assert sent.status_code == 200, sent.text
    res = await api.post(f"{V1}/auth/sms/login", json={"phone": phone, "code": sent.json()["sandbox_code"]})
    assert res.status_code == 200, res.text
    return res.json()


async def register_client(api: httpx.AsyncClient, phone: str, org: str = "星河科技有限公司") -> str:
    token = (await sms_login(api, phone))["access_token"]
    res = await api.put(f"{V1}/me/client-profile", headers=bearer(token), json={
        "org_name": org, "industry": "enterprise", "contact_name": "王经理", "contact_phone": phone})
    assert res.status_code == 200, res.text
    return token


async def register_artist(api: httpx.AsyncClient, phone: str, name: str = "林晚晴", city: str = "北京", *,
                          approve: bool = True) -> str:
    """A registered artist. A new artist is public only once an operator approves the application (入驻审核):
    `approve` (default) passes it at once, as the profile review would; approve=False leaves it in the queue."""
    token = (await sms_login(api, phone))["access_token"]
    res = await api.put(f"{V1}/me/artist-profile", headers=bearer(token), json={
        "stage_name": name, "artist_types": ["singer"], "styles": ["流行"], "city": city, "contact_phone": phone})
    assert res.status_code == 200, res.text
    if approve:
        approve_application(api, await _user_id(api, token))
    return token


async def _user_id(api: httpx.AsyncClient, token: str) -> int:
    res = await api.get(f"{V1}/me", headers=bearer(token))
    assert res.status_code == 200, res.text
    return int(res.json()["id"])


def approve_application(api: httpx.AsyncClient, artist_id: int) -> None:
    """The operators' approval of a new artist's pending profile (domain.profiles.approve_draft, the decision
    /admin/profile-reviews/{id}/approve makes), on the app's own database with its search writer, without an
    operator account, so tests that are not about onboarding need none."""
    ctx: AppContext = api._transport.app.state.ctx  # type: ignore[attr-defined]
    with session_scope(ctx.database_url) as session:
        changes.on_commit(session, index_writer(ctx.search))
        profiles.approve_draft(session, None, artist_id)


async def invite(api: httpx.AsyncClient, artist_token: str, phone: str, role: str = "agent") -> httpx.Response:
    """The artist invites `phone` to their team; the answer as it comes."""
    return await api.post(f"{V1}/me/artist/team", headers=bearer(artist_token), json={"phone": phone, "role": role})


async def join_team(api: httpx.AsyncClient, artist_token: str, member_token: str, phone: str,
                    role: str = "agent") -> None:
    """Makes the user with `phone` (logged in as `member_token`) a member of the artist's team: the one place
    that knows how membership is granted (the artist invites the phone, the invited user accepts)."""
    sent = await invite(api, artist_token, phone, role)
    assert sent.status_code == 202, sent.text
    res = await api.post(f"{V1}/me/team-invitations/{sent.json()['id']}/accept", headers=bearer(member_token))
    assert res.status_code == 200, res.text


def make_operator(db: Session, username: str = "ops", password: str = "ops-password-1",
                  role: str = "super_admin") -> Operator:
    """An operator with the built-in role `role` (super_admin: every permission code)."""
    op = Operator(username=username, password_hash=hash_password(password), display_name="运营小王",
                  role_id=roles.ensure_builtin(db, role).id)
    db.add(op)
    db.commit()
    return op


async def operator_token(api: httpx.AsyncClient, db: Session, username: str = "ops", role: str = "super_admin") -> str:
    make_operator(db, username, role=role)
    res = await api.post(f"{V1}/admin/auth/login", json={"username": username, "password": "ops-password-1"})
    assert res.status_code == 200, res.text
    return str(res.json()["access_token"])


async def sign_code(api: httpx.AsyncClient, token: str, booking_id: int) -> str:
    """The sandbox SMS code that confirms the caller's intent to sign this booking's contract (domain.contracts)."""
    res = await api.post(f"{V1}/bookings/{booking_id}/contract/sign-code", headers=bearer(token))
    assert res.status_code == 200, res.text
    return str(res.json()["sandbox_code"])


_SIGN_CODES: dict[tuple[str, int], str] = {}


async def with_sign_code(api: httpx.AsyncClient, token: str, booking_id: int, action: str,
                         body: dict | None) -> dict:
    """`body` with the signer's SMS code added to a sign / countersign, as the contract page sends it. A code is
    asked for once per signer and booking (a refused signature leaves it unused); when none can be had (not the
    caller's turn) the body goes as it is and the API's refusal is what the test sees."""
    body = dict(body or {})
    if action not in ("sign", "countersign") or "sms_code" in body:
        return body
    if (token, booking_id) not in _SIGN_CODES:
        res = await api.post(f"{V1}/bookings/{booking_id}/contract/sign-code", headers=bearer(token))
        if res.status_code != 200:
            return body
        _SIGN_CODES[(token, booking_id)] = str(res.json()["sandbox_code"])
    return {**body, "sms_code": _SIGN_CODES[(token, booking_id)]}
