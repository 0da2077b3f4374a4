"""Mini-program login and phone number: the real adapter against the loopback WeChat fake, the sandbox,
and the settings-driven choice between them."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator

import pytest

from domain.settings import Settings
from integrations.errors import IntegrationError
from integrations.wechat.factory import miniprogram_auth_from_settings
from integrations.wechat.miniprogram import WechatMiniProgramAuth
from integrations.wechat.sandbox import SandboxMiniProgramAuth
from tests.fakes.wechat_api import FakeWechatApi, fake_wechat_api

CODE_INVALID_LOGIN = "登录凭证无效或已过期，请重新进入小程序"
UNAVAILABLE = "微信服务暂时不可用，请稍后重试"


def _parts(error: IntegrationError) -> tuple[str, int, str]:
    return error.code, error.status, error.message


@pytest.fixture
def wx() -> Iterator[FakeWechatApi]:
    with fake_wechat_api() as api:
        yield api


@pytest.fixture
def auth(wx: FakeWechatApi) -> WechatMiniProgramAuth:
    return WechatMiniProgramAuth(wx.appid, wx.secret, api_base=wx.base_url, timeout=2)


# --- login (jscode2session)


def test_login_returns_the_session_of_the_code(wx: FakeWechatApi, auth: WechatMiniProgramAuth) -> None:
    wx.add_login_code("code-alice", openid="o-alice", unionid="u-alice", session_key="c2Vzc2lvbmtleQ==")

    session = auth.code_to_session("code-alice")

    assert (session.openid, session.session_key, session.unionid) == (
        "o-alice",
        "c2Vzc2lvbmtleQ==",
        "u-alice",
    )
    sent = wx.query_of_last("/sns/jscode2session")
    assert sent["appid"] == [wx.appid] and sent["js_code"] == ["code-alice"]
    assert sent["grant_type"] == ["authorization_code"]
    # jscode2session needs no access token: login must not depend on (or spend) the token endpoint.
    assert "access_token" not in sent
    assert wx.token_fetches == 0
    assert (auth.name, auth.is_sandbox) == ("wechat", False)


def test_login_without_unionid_gives_none(wx: FakeWechatApi, auth: WechatMiniProgramAuth) -> None:
    wx.add_login_code("code-bob", openid="o-bob")
    assert auth.code_to_session("code-bob").unionid is None


def test_a_login_code_works_only_once(wx: FakeWechatApi, auth: WechatMiniProgramAuth) -> None:
    wx.add_login_code("code-once", openid="o-once")
    assert auth.code_to_session("code-once").openid == "o-once"

    with pytest.raises(IntegrationError) as err:
        auth.code_to_session("code-once")

    assert _parts(err.value) == ("wechat_code_invalid", 400, CODE_INVALID_LOGIN)
    assert err.value.provider_code == "40163"


def test_an_unknown_login_code_is_invalid(auth: WechatMiniProgramAuth) -> None:
    with pytest.raises(IntegrationError) as err:
        auth.code_to_session("never-issued")
    assert _parts(err.value) == ("wechat_code_invalid", 400, CODE_INVALID_LOGIN)
    assert err.value.provider_code == "40029"


def test_an_empty_login_code_is_invalid_without_calling_wechat(
    wx: FakeWechatApi, auth: WechatMiniProgramAuth
) -> None:
    with pytest.raises(IntegrationError) as err:
        auth.code_to_session("  ")
    assert err.value.code == "wechat_code_invalid"
    assert wx.requests == []


@pytest.mark.parametrize(
    ("errcode", "code", "status", "message"),
    [
        (40029, "wechat_code_invalid", 400, CODE_INVALID_LOGIN),
        (45011, "wechat_rate_limited", 429, "登录过于频繁，请稍后再试"),
        (40226, "wechat_risky_user", 403, "该微信账号存在安全风险，暂时无法登录"),
        (-1, "wechat_busy", 503, "微信服务繁忙，请稍后重试"),
        (40164, "wechat_unavailable", 503, UNAVAILABLE),  # IP not whitelisted: ours to fix, not the user's
    ],
)
def test_login_errors_map_to_user_facing_errors(
    wx: FakeWechatApi, auth: WechatMiniProgramAuth, errcode: int, code: str, status: int, message: str
) -> None:
    wx.add_login_code("code-x", openid="o-x")
    wx.fail_code("code-x", errcode)

    with pytest.raises(IntegrationError) as err:
        auth.code_to_session("code-x")

    assert (err.value.code, err.value.status, err.value.message) == (code, status, message)
    assert err.value.provider_code == str(errcode)


def test_a_wrong_app_secret_is_unavailable_not_the_users_fault(wx: FakeWechatApi) -> None:
    wx.add_login_code("code-y", openid="o-y")
    auth = WechatMiniProgramAuth(wx.appid, "wrong-secret", api_base=wx.base_url)

    with pytest.raises(IntegrationError) as err:
        auth.code_to_session("code-y")

    assert (err.value.code, err.value.status, err.value.provider_code) == ("wechat_unavailable", 503, "40125")


def test_wechat_unreachable_is_unavailable() -> None:
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    auth = WechatMiniProgramAuth("wx-appid", "secret", api_base=f"http://127.0.0.1:{port}/", timeout=2)

    with pytest.raises(IntegrationError) as err:
        auth.code_to_session("code-z")

    assert (err.value.code, err.value.status, err.value.message) == ("wechat_unavailable", 503, UNAVAILABLE)


def test_an_http_error_from_wechat_is_unavailable(wx: FakeWechatApi, auth: WechatMiniProgramAuth) -> None:
    wx.http_error_status = 502
    with pytest.raises(IntegrationError) as err:
        auth.code_to_session("code-z")
    assert (err.value.code, err.value.status) == ("wechat_unavailable", 503)
    with pytest.raises(IntegrationError) as err:
        auth.phone_number("phone-z")
    assert (err.value.code, err.value.status) == ("wechat_unavailable", 503)


# --- phone number (getuserphonenumber)


def test_phone_number_returns_the_pure_number_and_reuses_the_token(
    wx: FakeWechatApi, auth: WechatMiniProgramAuth
) -> None:
    wx.add_phone_code("phone-1", "13800000001")
    wx.add_phone_code("phone-2", "13900000002")

    assert auth.phone_number("phone-1") == "13800000001"
    assert auth.phone_number("phone-2") == "13900000002"

    assert wx.token_fetches == 1
    assert wx.calls("/wxa/business/getuserphonenumber") == 2
    assert wx.query_of_last("/wxa/business/getuserphonenumber")["access_token"][0] in wx.valid_tokens


def test_an_unknown_or_reused_phone_code_is_invalid(wx: FakeWechatApi, auth: WechatMiniProgramAuth) -> None:
    wx.add_phone_code("phone-1", "13800000001")
    auth.phone_number("phone-1")

    for code in ("phone-1", "never-issued"):
        with pytest.raises(IntegrationError) as err:
            auth.phone_number(code)
        assert (err.value.code, err.value.status) == ("wechat_code_invalid", 400)
        assert err.value.message == "手机号授权已失效，请重新授权"
        assert err.value.provider_code == "40029"


@pytest.mark.parametrize(
    ("errcode", "code", "status"),
    [(-1, "wechat_busy", 503), (45011, "wechat_rate_limited", 429), (40013, "wechat_unavailable", 503)],
)
def test_phone_errors_map_to_user_facing_errors(
    wx: FakeWechatApi, auth: WechatMiniProgramAuth, errcode: int, code: str, status: int
) -> None:
    wx.add_phone_code("phone-x", "13800000001")
    wx.fail_code("phone-x", errcode)
    with pytest.raises(IntegrationError) as err:
        auth.phone_number("phone-x")
    assert (err.value.code, err.value.status, err.value.provider_code) == (code, status, str(errcode))


def test_an_expired_access_token_is_refreshed_once_and_the_call_retried(
    wx: FakeWechatApi, auth: WechatMiniProgramAuth
) -> None:
    wx.add_phone_code("phone-1", "13800000001")
    wx.add_phone_code("phone-2", "13900000002")
    assert auth.phone_number("phone-1") == "13800000001"
    old_token = wx.query_of_last("/wxa/business/getuserphonenumber")["access_token"][0]

    wx.expire_access_tokens()  # WeChat now answers 42001 for the token the adapter has cached

    assert auth.phone_number("phone-2") == "13900000002"
    assert wx.token_fetches == 2
    assert wx.calls("/wxa/business/getuserphonenumber") == 3  # ok, 42001, retried ok
    assert wx.query_of_last("/wxa/business/getuserphonenumber")["access_token"][0] != old_token


def test_a_token_rejected_even_after_refresh_gives_up_after_one_retry(
    wx: FakeWechatApi, auth: WechatMiniProgramAuth
) -> None:
    wx.add_phone_code("phone-1", "13800000001")
    wx.reject_all_tokens = True  # 40001 for every token, fresh or not

    with pytest.raises(IntegrationError) as err:
        auth.phone_number("phone-1")

    assert (err.value.code, err.value.status, err.value.provider_code) == ("wechat_unavailable", 503, "40001")
    assert wx.token_fetches == 2
    assert wx.calls("/wxa/business/getuserphonenumber") == 2


def test_phone_number_with_a_wrong_secret_is_unavailable(wx: FakeWechatApi) -> None:
    wx.add_phone_code("phone-1", "13800000001")
    auth = WechatMiniProgramAuth(wx.appid, "wrong-secret", api_base=wx.base_url)

    with pytest.raises(IntegrationError) as err:
        auth.phone_number("phone-1")

    assert (err.value.code, err.value.status, err.value.provider_code) == ("wechat_unavailable", 503, "40125")
    assert wx.calls("/wxa/business/getuserphonenumber") == 0


# --- sandbox


def test_sandbox_login_is_deterministic_per_code() -> None:
    sandbox = SandboxMiniProgramAuth()

    first = sandbox.code_to_session("any-code")

    assert first.openid == "sandbox-openid-" + hashlib.sha256(b"any-code").hexdigest()[:16]
    assert sandbox.code_to_session("any-code") == first
    assert sandbox.code_to_session("other-code").openid != first.openid
    assert first.unionid is None and first.session_key
    assert (sandbox.name, sandbox.is_sandbox) == ("sandbox", True)


def test_sandbox_rejects_an_empty_login_code() -> None:
    with pytest.raises(IntegrationError) as err:
        SandboxMiniProgramAuth().code_to_session("")
    assert _parts(err.value) == ("wechat_code_invalid", 400, CODE_INVALID_LOGIN)


def test_sandbox_phone_codes() -> None:
    sandbox = SandboxMiniProgramAuth()
    assert sandbox.phone_number("sandbox-phone-13800000001") == "13800000001"
    for bad in (
        "13800000001",
        "sandbox-phone-12345",
        "sandbox-phone-23800000001",
        "sandbox-phone-138000000011",
        "",
    ):
        with pytest.raises(IntegrationError) as err:
            sandbox.phone_number(bad)
        assert (err.value.code, err.value.status) == ("wechat_code_invalid", 400), bad


# --- choice by configuration


def test_factory_uses_real_wechat_when_appid_and_secret_are_set(wx: FakeWechatApi) -> None:
    settings = Settings(
        _env_file=None, wechat_appid=wx.appid, wechat_secret=wx.secret, wechat_api_base=wx.base_url
    )
    wx.add_login_code("code-f", openid="o-f")

    auth = miniprogram_auth_from_settings(settings)

    assert isinstance(auth, WechatMiniProgramAuth) and not auth.is_sandbox
    assert auth.code_to_session("code-f").openid == "o-f"  # really talks to wechat_api_base


@pytest.mark.parametrize(
    ("appid", "secret"), [(None, None), ("wx0123456789abcdef", None), (None, "secret"), ("", "")]
)
def test_factory_falls_back_to_the_sandbox(appid: str | None, secret: str | None) -> None:
    settings = Settings(_env_file=None, wechat_appid=appid, wechat_secret=secret, allow_sandbox=True)
    auth = miniprogram_auth_from_settings(settings)
    assert isinstance(auth, SandboxMiniProgramAuth)
    assert (auth.name, auth.is_sandbox) == ("sandbox", True)
