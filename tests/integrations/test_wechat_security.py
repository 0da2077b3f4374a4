"""Content security (msgSecCheck / mediaCheckAsync v2): the real adapter against the loopback WeChat fake,
the push signature and body parsing, the sandbox, and the settings-driven choice."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from domain.settings import Settings
from integrations.errors import IntegrationError
from integrations.wechat.factory import content_security_from_settings
from integrations.wechat.miniprogram import WechatMiniProgramAuth
from integrations.wechat.security import (
    CheckMediaType,
    MediaVerdict,
    PushRejected,
    Scene,
    Suggest,
    WechatContentSecurity,
    parse_media_push,
    push_signature,
    screen_text,
    verify_push,
)
from integrations.wechat.security_sandbox import SandboxContentSecurity
from tests.fakes.wechat_security import FakeWechatSecurityApi, fake_wechat_security_api

OPENID = "o-artist-1"


@pytest.fixture
def wx() -> Iterator[FakeWechatSecurityApi]:
    with fake_wechat_security_api() as api:
        api.risky_words["赌博"] = 20006
        api.review_words["加微信"] = 10001
        yield api


@pytest.fixture
def auth(wx: FakeWechatSecurityApi) -> WechatMiniProgramAuth:
    return WechatMiniProgramAuth(wx.appid, wx.secret, api_base=wx.base_url, timeout=2)


@pytest.fixture
def checker(auth: WechatMiniProgramAuth, wx: FakeWechatSecurityApi) -> WechatContentSecurity:
    return WechatContentSecurity(auth, push_token=wx.push_token, media_base_url="https://yanyue.example.com")


# --- msgSecCheck


def test_clean_text_passes_and_sends_the_v2_body(wx: FakeWechatSecurityApi, checker: WechatContentSecurity):
    verdict = checker.check_text("年会开场演唱三首流行歌曲", openid=OPENID, scene=Scene.FORUM, title="年会")

    assert (verdict.suggest, verdict.label) == (Suggest.PASS, 100) and verdict.trace_id
    sent = wx.text_checks[-1]
    assert sent == {"content": "年会开场演唱三首流行歌曲", "version": 2, "scene": 3, "openid": OPENID,
                    "title": "年会"}
    assert wx.query_of_last("/wxa/msg_sec_check")["access_token"][0] in wx.valid_tokens
    assert (checker.name, checker.is_sandbox) == ("wechat", False)


def test_risky_and_review_text(checker: WechatContentSecurity):
    risky = checker.check_text("周末组织赌博活动", openid=OPENID)
    assert (risky.suggest, risky.label, risky.label_text) == (Suggest.RISKY, 20006, "违法犯罪")
    assert risky.rejection_reason("需求内容") == "需求内容含有违法犯罪内容，未通过内容安全检测，请修改后重新提交"
    review = checker.check_text("演出请加微信联系", openid=OPENID)
    assert (review.suggest, review.label) == (Suggest.REVIEW, 10001)


def test_the_token_is_fetched_once_and_shared_with_login(wx: FakeWechatSecurityApi, auth: WechatMiniProgramAuth,
                                                         checker: WechatContentSecurity):
    wx.add_phone_code("phone-1", "13800000001")
    checker.check_text("一", openid=OPENID)
    checker.submit_media("https://cdn.example.com/a.png", openid=OPENID)
    assert auth.phone_number("phone-1") == "13800000001"
    assert wx.token_fetches == 1


def test_a_stale_token_40001_is_refreshed_once_and_the_call_retried(wx: FakeWechatSecurityApi,
                                                                   checker: WechatContentSecurity):
    checker.check_text("第一次", openid=OPENID)
    old = wx.query_of_last("/wxa/msg_sec_check")["access_token"][0]
    wx.valid_tokens.clear()  # WeChat no longer knows the cached token: 40001

    assert checker.check_text("第二次", openid=OPENID).suggest is Suggest.PASS

    assert wx.token_fetches == 2
    assert wx.query_of_last("/wxa/msg_sec_check")["access_token"][0] not in (old,)
    assert wx.calls("/wxa/msg_sec_check") == 3  # first, rejected, retried


def test_a_token_still_rejected_after_the_refresh_is_unavailable(wx: FakeWechatSecurityApi,
                                                                 checker: WechatContentSecurity):
    wx.reject_all_tokens = True
    with pytest.raises(IntegrationError) as err:
        checker.check_text("内容", openid=OPENID)
    assert (err.value.code, err.value.status, err.value.provider_code) == ("content_check_unavailable", 503, "40001")
    assert err.value.message == "内容安全检测暂时不可用，请稍后重试"
    assert wx.token_fetches == 2  # one refresh, no loop


@pytest.mark.parametrize(("errcode", "code", "status", "message"), [
    (45009, "content_check_rate_limited", 429, "内容安全检测请求过于频繁，请稍后再试"),
    (-1, "content_check_busy", 503, "微信内容安全服务繁忙，请稍后重试"),
    (61010, "content_check_openid_invalid", 422, "微信身份已失效，请从小程序重新进入后再提交"),
    (47001, "content_check_unavailable", 503, "内容安全检测暂时不可用，请稍后重试"),
])
def test_errors_map_to_clear_errors(wx: FakeWechatSecurityApi, checker: WechatContentSecurity, errcode: int,
                                    code: str, status: int, message: str):
    wx.next_errors.append(errcode)
    with pytest.raises(IntegrationError) as err:
        checker.check_text("内容", openid=OPENID)
    assert (err.value.code, err.value.status, err.value.message) == (code, status, message)
    assert err.value.provider_code == str(errcode)


def test_an_unknown_openid_is_refused_by_wechat(wx: FakeWechatSecurityApi, checker: WechatContentSecurity):
    wx.known_openids.add("o-someone-else")
    with pytest.raises(IntegrationError) as err:
        checker.check_text("内容", openid=OPENID)
    assert (err.value.code, err.value.provider_code) == ("content_check_openid_invalid", "40003")


def test_no_openid_means_no_call(wx: FakeWechatSecurityApi, checker: WechatContentSecurity):
    with pytest.raises(IntegrationError) as err:
        checker.check_text("内容", openid=None)
    assert err.value.code == "content_check_openid_invalid"
    assert wx.requests == []
    # Moderation does not block the user on it: a person reviews instead.
    assert screen_text(checker, "内容", openid=None).suggest is Suggest.REVIEW


def test_an_http_error_is_unavailable(wx: FakeWechatSecurityApi, checker: WechatContentSecurity):
    wx.http_error_status = 502
    with pytest.raises(IntegrationError) as err:
        checker.check_text("内容", openid=OPENID)
    assert (err.value.code, err.value.status) == ("content_check_unavailable", 503)


# --- mediaCheckAsync and its push


def test_media_is_submitted_with_an_absolute_url_and_the_verdict_comes_by_push(
        wx: FakeWechatSecurityApi, checker: WechatContentSecurity):
    trace_id = checker.submit_media("/api/v1/files/private/case_image/1/x.png?exp=1&sig=ab", openid=OPENID)

    assert wx.media_submissions[trace_id] == {
        "media_url": "https://yanyue.example.com/api/v1/files/private/case_image/1/x.png?exp=1&sig=ab",
        "media_type": 2, "version": 2, "scene": 1, "openid": OPENID}
    assert checker.media_result(trace_id) is None  # real WeChat answers later, by push

    for fmt in ("json", "xml"):
        query, body, _ = wx.push(trace_id, "risky", 20002, fmt=fmt)
        verify_push(checker.push_token, query)
        assert parse_media_push(body) == MediaVerdict(trace_id, Suggest.RISKY, 20002)


def test_a_relative_media_url_without_a_public_base_is_refused(wx: FakeWechatSecurityApi,
                                                              auth: WechatMiniProgramAuth):
    checker = WechatContentSecurity(auth)
    with pytest.raises(IntegrationError) as err:
        checker.submit_media("/api/v1/files/x.png", media_type=CheckMediaType.IMAGE, openid=OPENID)
    assert err.value.code == "content_check_unavailable"
    assert wx.media_submissions == {}


def test_media_rate_limit(wx: FakeWechatSecurityApi, checker: WechatContentSecurity):
    wx.next_errors.append(45009)
    with pytest.raises(IntegrationError) as err:
        checker.submit_media("https://cdn.example.com/a.png", openid=OPENID)
    assert (err.value.code, err.value.status) == ("content_check_rate_limited", 429)


def test_push_signature_is_checked(wx: FakeWechatSecurityApi):
    query, _, _ = wx.push("t-1")
    verify_push(wx.push_token, query)
    assert query["signature"] == push_signature(wx.push_token, query["timestamp"], query["nonce"])

    bad_token = wx.push("t-1", token="someone-elses-token")[0]
    tampered = {**query, "nonce": query["nonce"] + "1"}
    missing = {k: v for k, v in query.items() if k != "signature"}
    non_ascii = {**query, "signature": "签名"}
    for q in (bad_token, tampered, missing, non_ascii):
        with pytest.raises(PushRejected) as err:
            verify_push(wx.push_token, q)
        assert (err.value.status, err.value.message) == (403, "签名校验失败")
    with pytest.raises(PushRejected) as err:  # no token configured: nothing is accepted
        verify_push(None, query)
    assert err.value.message == "未配置消息推送"


def test_push_bodies():
    assert parse_media_push(json.dumps({"MsgType": "event", "Event": "subscribe_msg_popup_event"}).encode()) is None
    v1 = json.dumps({"Event": "wxa_media_check", "trace_id": "t-2", "isrisky": 1, "status_code": 0}).encode()
    assert parse_media_push(v1) == MediaVerdict("t-2", Suggest.RISKY)
    undownloadable = json.dumps({"Event": "wxa_media_check", "trace_id": "t-3", "status_code": 4294966288})
    assert parse_media_push(undownloadable.encode()) == MediaVerdict("t-3", Suggest.REVIEW)
    for body in (b"not a push", b"<xml><a>", json.dumps({"Event": "wxa_media_check"}).encode(), b"[]"):
        with pytest.raises(PushRejected):
            parse_media_push(body)
    # No entity expansion from a pushed XML body.
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
            b"<xml><Event>wxa_media_check</Event><trace_id>&a;</trace_id></xml>")
    with pytest.raises(PushRejected):
        parse_media_push(bomb)


# --- the sandbox and the choice


def test_sandbox_is_deterministic_and_offline():
    sandbox = SandboxContentSecurity()
    assert (sandbox.name, sandbox.is_sandbox, sandbox.push_token) == ("sandbox", True, None)
    assert sandbox.check_text("年会开场演唱", openid=None).suggest is Suggest.PASS
    risky = sandbox.check_text("欢迎来赌博", openid=None)
    assert (risky.suggest, risky.label) == (Suggest.RISKY, 20006)
    assert sandbox.check_text("正文", openid=None, title="色情表演").suggest is Suggest.RISKY
    trace_id = sandbox.submit_media("/api/v1/files/x.png", openid=None)
    assert trace_id.startswith("sandbox-")
    assert sandbox.media_result(trace_id) == MediaVerdict(trace_id, Suggest.PASS, 100)
    assert sandbox.media_result("64b7dbf0-23c56013-1e94d102") is None


def test_factory_chooses_by_settings(wx: FakeWechatSecurityApi):
    sandbox = content_security_from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert isinstance(sandbox, SandboxContentSecurity) and sandbox.is_sandbox

    settings = Settings(_env_file=None, wechat_appid=wx.appid, wechat_secret=wx.secret,  # type: ignore[call-arg]
                        wechat_api_base=wx.base_url)
    login = WechatMiniProgramAuth(wx.appid, wx.secret, api_base=wx.base_url)
    real = content_security_from_settings(settings, login)
    assert isinstance(real, WechatContentSecurity) and not real.is_sandbox
    wx.add_phone_code("phone-1", "13800000001")
    login.phone_number("phone-1")
    real.check_text("内容", openid=OPENID)
    assert wx.token_fetches == 1  # one token cache for login and content security
