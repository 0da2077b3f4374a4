"""WeChat mini-program login (code2Session) and phone number, against the real server API via wechatpy.

wechatpy 1.8.18 hard-codes https://api.weixin.qq.com in three places (the client's API_BASE_URL, the
wxa API's API_BASE_URL and the token URL in fetch_access_token); `_WechatClient` points all three at
`settings.wechat_api_base` so tests can talk to a loopback fake that speaks the same protocol.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.memorystorage import MemoryStorage

from integrations.errors import IntegrationError
from integrations.wechat.base import WechatSession

logger = logging.getLogger(__name__)

# Errors the user can act on; anything else is our configuration or WeChat being down.
_CODE_INVALID_LOGIN = ("wechat_code_invalid", "登录凭证无效或已过期，请重新进入小程序", 400)
_CODE_INVALID_PHONE = ("wechat_code_invalid", "手机号授权已失效，请重新授权", 400)
_RATE_LIMITED = ("wechat_rate_limited", "登录过于频繁，请稍后再试", 429)
_RISKY_USER = ("wechat_risky_user", "该微信账号存在安全风险，暂时无法登录", 403)
_BUSY = ("wechat_busy", "微信服务繁忙，请稍后重试", 503)
_UNAVAILABLE = ("wechat_unavailable", "微信服务暂时不可用，请稍后重试", 503)

_LOGIN_ERRORS: dict[int, tuple[str, str, int]] = {
    40029: _CODE_INVALID_LOGIN,  # invalid code
    40163: _CODE_INVALID_LOGIN,  # code been used
    45011: _RATE_LIMITED,
    40226: _RISKY_USER,
    -1: _BUSY,
}
_PHONE_ERRORS: dict[int, tuple[str, str, int]] = {
    **_LOGIN_ERRORS,
    40029: _CODE_INVALID_PHONE,
    40163: _CODE_INVALID_PHONE,
}
_TOKEN_ERRORS: dict[int, tuple[str, str, int]] = {-1: _BUSY}
# access_token rejected: 40001 invalid credential / not latest, 40014 invalid token, 42001 expired.
_STALE_TOKEN_CODES = frozenset({40001, 40014, 42001})


def _error(spec: tuple[str, str, int], provider_code: object = None) -> IntegrationError:
    code, message, status = spec
    return IntegrationError(
        code, message, status=status, provider_code=None if provider_code is None else str(provider_code)
    )


class _WechatClient(WeChatClient):
    """wechatpy's client with a configurable API base, timeouts on every call and a locked token fetch."""

    def __init__(self, appid: str, secret: str, api_base: str, timeout: float) -> None:
        # auto_retry=False: wechatpy's own retry on a stale token recurses without bound when WeChat keeps
        # rejecting the token; we refresh once and retry once ourselves.
        super().__init__(appid, secret, session=MemoryStorage(), timeout=timeout, auto_retry=False)
        self.api_base = api_base.rstrip("/") + "/"
        self.API_BASE_URL = self.api_base + "cgi-bin/"
        self.wxa.API_BASE_URL = self.api_base
        self._token_lock = threading.Lock()

    def fetch_access_token(self) -> dict[str, Any]:
        # One fetch at a time: every fetch makes WeChat retire the previous token (after a grace period),
        # so a burst of parallel fetches would only churn the daily token quota.
        with self._token_lock:
            res = self._http.get(
                url=self.api_base + "cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
                timeout=self.timeout,
            )
            res.raise_for_status()
            result = res.json()
            if not isinstance(result, dict):
                raise WeChatClientException(None, "token answer is not an object", client=self, response=res)
            errcode = int(result.get("errcode") or 0)
            if errcode != 0 or not result.get("access_token"):
                raise WeChatClientException(errcode, result.get("errmsg"), client=self, response=res)
            expires_in = int(result.get("expires_in", 7200))
            self.session.set(self.access_token_key, result["access_token"], expires_in)
            self.expires_at = int(time.time()) + expires_in
            return result


class WechatMiniProgramAuth:
    """The real mini-program auth: `sns/jscode2session` and `wxa/business/getuserphonenumber`."""

    name = "wechat"
    is_sandbox = False

    def __init__(
        self,
        appid: str,
        secret: str,
        api_base: str = "https://api.weixin.qq.com/",
        timeout: float = 5.0,
    ) -> None:
        self._client = _WechatClient(appid, secret, api_base, timeout)

    @property
    def client(self) -> WeChatClient:
        """The configured wechatpy client (same base URL and token cache), for other mini-program APIs."""
        return self._client

    def code_to_session(self, js_code: str) -> WechatSession:
        if not js_code or not js_code.strip():
            raise _error(_CODE_INVALID_LOGIN)
        # Not `client.wxa.code_to_session`: wechatpy would first fetch an access token and append it,
        # although jscode2session takes none; that costs a round trip and makes login depend on the
        # token endpoint. An explicit None keeps wechatpy from adding it (requests drops None params).
        result = self._call(
            lambda: self._client.get(
                "sns/jscode2session",
                params={
                    "appid": self._client.appid,
                    "secret": self._client.secret,
                    "js_code": js_code,
                    "grant_type": "authorization_code",
                    "access_token": None,
                },
                api_base_url=self._client.api_base,
            ),
            _LOGIN_ERRORS,
            "jscode2session",
        )
        openid, session_key = result.get("openid"), result.get("session_key")
        if not isinstance(openid, str) or not openid or not isinstance(session_key, str):
            logger.error("wechat jscode2session answered without openid/session_key: keys=%s", sorted(result))
            raise _error(_UNAVAILABLE)
        unionid = result.get("unionid")
        return WechatSession(openid=openid, session_key=session_key, unionid=unionid or None)

    def phone_number(self, phone_code: str) -> str:
        if not phone_code or not phone_code.strip():
            raise _error(_CODE_INVALID_PHONE)

        def post() -> Any:
            return self._client.post(
                "wxa/business/getuserphonenumber",
                data={"code": phone_code},
                api_base_url=self._client.api_base,
            )

        try:
            result = self._call(post, _PHONE_ERRORS, "getuserphonenumber", raise_stale_token=True)
        except _StaleTokenError:
            logger.info("wechat access_token rejected; fetching a new one and retrying once")
            self._call(self._client.fetch_access_token, _TOKEN_ERRORS, "token")
            result = self._call(post, _PHONE_ERRORS, "getuserphonenumber")
        info = result.get("phone_info")
        phone = info.get("purePhoneNumber") if isinstance(info, dict) else None
        if not isinstance(phone, str) or not phone:
            logger.error("wechat getuserphonenumber answered without purePhoneNumber")
            raise _error(_UNAVAILABLE)
        return phone

    def post_with_token(
        self, path: str, data: dict[str, Any], errors: dict[int, tuple[str, str, int]], what: str
    ) -> dict[str, Any]:
        """POST JSON to a mini-program API that takes the access_token (e.g. the content-security APIs).

        Shared so every adapter on this client uses one token cache: each fetch retires the previous token,
        so separate caches would keep invalidating each other. A rejected token is refreshed once and the
        call retried once; `errors` maps the API's own errcodes to IntegrationError specs.
        """

        def post() -> Any:
            return self._client.post(path, data=data, api_base_url=self._client.api_base)

        try:
            return self._call(post, errors, what, raise_stale_token=True)
        except _StaleTokenError:
            logger.info("wechat access_token rejected; fetching a new one and retrying %s once", what)
            self._call(self._client.fetch_access_token, _TOKEN_ERRORS, "token")
            return self._call(post, errors, what)

    def call_with_token(self, fn: Any, errors: dict[int, tuple[str, str, int]], what: str) -> dict[str, Any]:
        """Run a wechatpy API call that takes the access_token (`fn()` calls e.g. `client.wxa...`), with the same
        single refresh-and-retry on a rejected token as `post_with_token`."""
        try:
            return self._call(fn, errors, what, raise_stale_token=True)
        except _StaleTokenError:
            logger.info("wechat access_token rejected; fetching a new one and retrying %s once", what)
            self._call(self._client.fetch_access_token, _TOKEN_ERRORS, "token")
            return self._call(fn, errors, what)

    def _call(
        self,
        fn: Any,
        errors: dict[int, tuple[str, str, int]],
        what: str,
        *,
        raise_stale_token: bool = False,
    ) -> dict[str, Any]:
        """Run one wechatpy call and turn every failure into an IntegrationError with a Chinese message."""
        try:
            result = fn()
        except WeChatClientException as exc:
            errcode = _int_or_none(exc.errcode)
            if errcode in _STALE_TOKEN_CODES:
                if raise_stale_token:
                    raise _StaleTokenError from exc
                logger.error("wechat %s: access_token still rejected after a refresh (%s)", what, errcode)
                raise _error(_UNAVAILABLE, errcode) from exc
            if errcode is not None and errcode in errors:
                raise _error(errors[errcode], errcode) from exc
            if errcode is None and exc.response is not None:
                logger.error("wechat %s: HTTP %s", what, exc.response.status_code)
            else:
                # 40013 invalid appid, 40125 invalid secret, 40164 IP not whitelisted...: our configuration.
                logger.error("wechat %s failed: errcode=%s errmsg=%s", what, errcode, exc.errmsg)
            raise _error(_UNAVAILABLE, errcode) from exc
        except requests.RequestException as exc:
            logger.error("wechat %s: network error %s", what, type(exc).__name__)
            raise _error(_UNAVAILABLE) from exc
        except ValueError as exc:  # a token answer that is not JSON
            logger.error("wechat %s: unreadable answer", what)
            raise _error(_UNAVAILABLE) from exc
        if not isinstance(result, dict):  # wechatpy hands back the raw response when it is not JSON
            logger.error("wechat %s: answer is not a JSON object", what)
            raise _error(_UNAVAILABLE)
        return result


class _StaleTokenError(Exception):
    """The cached access_token was rejected: refresh once and retry."""


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
