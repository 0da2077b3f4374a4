"""WeChat mini-program login through the API, with the real adapter talking to a loopback fake of the
WeChat server API (documented shapes and error codes)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.models import User
from integrations.wechat.miniprogram import WechatMiniProgramAuth
from tests.fakes.wechat_api import DEFAULT_APPID, DEFAULT_SECRET, FakeWechatApi, fake_wechat_api
from tests.helpers import V1, bearer, register_client


@pytest.fixture
def wx(ctx: AppContext) -> Iterator[FakeWechatApi]:
    with fake_wechat_api() as fake:
        ctx.wechat = WechatMiniProgramAuth(DEFAULT_APPID, DEFAULT_SECRET, api_base=fake.base_url)
        yield fake


async def test_login_creates_one_account_per_openid(api: httpx.AsyncClient, wx: FakeWechatApi, db: Session):
    wx.add_login_code("code-1", "openid-A")
    wx.add_login_code("code-2", "openid-A")
    first = await api.post(f"{V1}/auth/wechat/login", json={"code": "code-1"})
    assert first.status_code == 200 and first.json()["me"]["phone"] is None
    second = await api.post(f"{V1}/auth/wechat/login", json={"code": "code-2"})
    assert second.json()["me"]["id"] == first.json()["me"]["id"]
    reused = await api.post(f"{V1}/auth/wechat/login", json={"code": "code-1"})
    assert reused.status_code == 400 and reused.json()["code"] == "wechat_code_invalid"
    assert db.query(User).count() == 1


@pytest.mark.parametrize(("errcode", "status", "message"), [
    (40029, 400, "登录凭证无效或已过期，请重新进入小程序"),
    (45011, 429, "登录过于频繁，请稍后再试"),
    (40226, 403, "该微信账号存在安全风险，暂时无法登录"),
    (-1, 503, "微信服务繁忙，请稍后重试"),
])
async def test_wechat_errors_reach_the_user_in_chinese(api: httpx.AsyncClient, wx: FakeWechatApi, errcode: int,
                                                       status: int, message: str, db: Session):
    wx.fail_code("bad-code", errcode)
    res = await api.post(f"{V1}/auth/wechat/login", json={"code": "bad-code"})
    assert res.status_code == status and res.json()["message"] == message
    assert db.query(User).count() == 0


async def test_phone_binding_merges_into_the_existing_sms_account(api: httpx.AsyncClient, wx: FakeWechatApi,
                                                                  db: Session):
    await register_client(api, "13800000001", org="花嫁婚礼策划工作室")
    wx.add_login_code("code-1", "openid-B")
    wx.add_phone_code("phone-1", "13800000001")
    fresh = (await api.post(f"{V1}/auth/wechat/login", json={"code": "code-1"})).json()
    bound = await api.post(f"{V1}/auth/wechat/phone", headers=bearer(fresh["access_token"]), json={"code": "phone-1"})
    assert bound.status_code == 200
    me = bound.json()["me"]
    assert me["client_profile"]["org_name"] == "花嫁婚礼策划工作室" and me["phone"] == "138****0001"
    assert (await api.get(f"{V1}/me", headers=bearer(fresh["access_token"]))).status_code == 401
    owner = db.scalar(select(User).where(User.phone == "13800000001"))
    assert owner is not None and owner.wechat_openid == "openid-B" and db.query(User).count() == 1
    # Next time the mini-program logs in, WeChat leads straight to the same account.
    wx.add_login_code("code-2", "openid-B")
    again = (await api.post(f"{V1}/auth/wechat/login", json={"code": "code-2"})).json()
    assert again["me"]["id"] == owner.id


async def test_a_phone_of_another_wechat_account_is_refused(api: httpx.AsyncClient, wx: FakeWechatApi):
    for n, openid in enumerate(("openid-C", "openid-D")):
        wx.add_login_code(f"login-{n}", openid)
    c = (await api.post(f"{V1}/auth/wechat/login", json={"code": "login-0"})).json()
    wx.add_phone_code("p1", "13800000009")
    assert (await api.post(f"{V1}/auth/wechat/phone", headers=bearer(c["access_token"]),
                           json={"code": "p1"})).status_code == 200
    d = (await api.post(f"{V1}/auth/wechat/login", json={"code": "login-1"})).json()
    wx.add_phone_code("p2", "13800000009")
    res = await api.post(f"{V1}/auth/wechat/phone", headers=bearer(d["access_token"]), json={"code": "p2"})
    assert res.status_code == 409 and res.json()["message"] == "该手机号已绑定其他微信账号"
