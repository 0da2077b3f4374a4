"""Tokens, logout, bans, role choice and role profiles through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import httpx
import jwt
import pytest
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import update
from sqlalchemy.orm import Session

from api.context import AppContext
from api.deps import CurrentUser, require_role
from domain.models import SmsCode
from domain.time import utc_now
from tests.helpers import V1, bearer, operator_token, register_artist, register_client, sms_login


async def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_session(api: httpx.AsyncClient):
    pair = await sms_login(api, "13700000010")
    new = await api.post(f"{V1}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert new.status_code == 200
    assert new.json()["refresh_token"] != pair["refresh_token"]
    assert (await api.get(f"{V1}/me", headers=bearer(new.json()["access_token"]))).status_code == 200
    # The old refresh token shows up again: somebody copied it. The whole session ends.
    stolen = await api.post(f"{V1}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert stolen.status_code == 401 and stolen.json()["code"] == "token_invalid"
    after = await api.get(f"{V1}/me", headers=bearer(new.json()["access_token"]))
    assert after.status_code == 401


async def test_logout_revokes_access_and_refresh(api: httpx.AsyncClient):
    pair = await sms_login(api, "13700000011")
    assert (await api.post(f"{V1}/auth/logout", headers=bearer(pair["access_token"]))).status_code == 204
    assert (await api.get(f"{V1}/me", headers=bearer(pair["access_token"]))).status_code == 401
    res = await api.post(f"{V1}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert res.status_code == 401


async def test_expired_and_forged_access_tokens(api: httpx.AsyncClient, ctx: AppContext):
    pair = await sms_login(api, "13700000012")
    claims = jwt.decode(pair["access_token"], ctx.tokens.secret, algorithms=["HS256"])
    claims["exp"] = utc_now() - timedelta(seconds=1)
    expired = jwt.encode(claims, ctx.tokens.secret, algorithm="HS256")
    res = await api.get(f"{V1}/me", headers=bearer(expired))
    assert res.status_code == 401 and res.json()["code"] == "token_expired"
    forged = jwt.encode({**claims, "exp": utc_now() + timedelta(hours=1)}, "another-secret-0123456789abcdef01",
                        algorithm="HS256")
    res = await api.get(f"{V1}/me", headers=bearer(forged))
    assert res.status_code == 401 and res.json()["code"] == "token_invalid"
    assert (await api.get(f"{V1}/me")).json()["code"] == "not_authenticated"


async def test_banned_account_is_refused_on_its_next_request(api: httpx.AsyncClient, db: Session):
    token = await register_client(api, "13700000013")
    me = (await api.get(f"{V1}/me", headers=bearer(token))).json()
    ops = await operator_token(api, db)
    res = await api.post(f"{V1}/admin/users/{me['id']}/status", headers=bearer(ops),
                         json={"status": "banned", "reason": "发布虚假需求"})
    assert res.status_code == 200
    refused = await api.get(f"{V1}/me", headers=bearer(token))
    assert refused.status_code in (401, 403)
    db.execute(update(SmsCode).values(created_at=SmsCode.created_at - timedelta(minutes=2)))
    db.commit()
    again = await api.post(f"{V1}/auth/sms/send", json={"phone": "13700000013"})
    login = await api.post(f"{V1}/auth/sms/login", json={"phone": "13700000013", "code": again.json()["sandbox_code"]})
    assert login.status_code == 403 and login.json()["code"] == "account_banned"


async def test_one_account_can_hold_both_roles_and_picks_one(api: httpx.AsyncClient):
    token = await register_client(api, "13700000014")
    me = (await api.get(f"{V1}/me", headers=bearer(token))).json()
    assert me["roles"] == ["client"] and me["acting_role"] == "client"
    assert me["client_profile"]["industry_label"] == "企业"
    missing = await api.post(f"{V1}/me/role", headers=bearer(token), json={"role": "artist"})
    assert missing.status_code == 409 and missing.json()["code"] == "role_profile_missing"
    res = await api.put(f"{V1}/me/artist-profile", headers=bearer(token), json={
        "stage_name": "周末乐手", "artist_types": ["singer", "band", "singer"], "styles": ["民谣"], "city": "杭州",
        "contact_phone": "13700000014"})
    assert res.status_code == 200
    assert res.json()["artist_profile"]["artist_types"] == ["singer", "band"]
    assert res.json()["acting_role"] == "client"  # registering a second role doesn't switch by itself
    switched = await api.post(f"{V1}/me/role", headers=bearer(token), json={"role": "artist"})
    assert switched.json()["acting_role"] == "artist" and set(switched.json()["roles"]) == {"client", "artist"}

    # Once registered, public fields change only through a reviewed draft; contact details change here.
    again = {"stage_name": "周末乐手", "artist_types": ["singer", "band"], "styles": ["民谣"], "city": "杭州",
             "contact_phone": "13700000099", "contact_wechat": "weekend_band"}
    assert (await api.put(f"{V1}/me/artist-profile", headers=bearer(token), json=again)).status_code == 200
    renamed = await api.put(f"{V1}/me/artist-profile", headers=bearer(token), json={**again, "stage_name": "改名"})
    assert renamed.status_code == 409 and renamed.json()["code"] == "profile_needs_review"
    draft = (await api.get(f"{V1}/me/artist/profile", headers=bearer(token))).json()
    assert draft["data"]["stage_name"] == "周末乐手"


async def test_profile_validation_messages_are_chinese(api: httpx.AsyncClient):
    token = (await sms_login(api, "13700000015"))["access_token"]
    res = await api.put(f"{V1}/me/client-profile", headers=bearer(token), json={
        "org_name": "某公司", "industry": "casino", "contact_name": "王", "contact_phone": "13700000015"})
    assert res.status_code == 422 and res.json()["message"].startswith("行业")
    res = await api.put(f"{V1}/me/artist-profile", headers=bearer(token), json={
        "stage_name": "小明", "artist_types": [], "city": "北京", "contact_phone": "13700000015"})
    assert res.status_code == 422 and "艺人类型" in res.json()["message"]


@pytest.fixture
async def role_api(ctx: AppContext, api: httpx.AsyncClient) -> httpx.AsyncClient:
    """The real app plus one artist-only route, to check the role guard every such route will use."""
    app: FastAPI = api._transport.app  # type: ignore[attr-defined]
    router = APIRouter()

    @router.get("/api/v1/_artist-only")
    def artist_only(me: Annotated[CurrentUser, Depends(require_role("artist"))]) -> dict[str, int]:
        return {"id": me.user.id}

    app.include_router(router)
    return api


async def test_role_guard(role_api: httpx.AsyncClient):
    client = await register_client(role_api, "13700000016")
    res = await role_api.get(f"{V1}/_artist-only", headers=bearer(client))
    assert res.status_code == 403 and res.json()["message"] == "请切换到艺人身份后再操作"
    artist = await register_artist(role_api, "13700000017")
    assert (await role_api.get(f"{V1}/_artist-only", headers=bearer(artist))).status_code == 200
