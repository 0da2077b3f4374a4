"""A loopback fake of the WeChat server API used by mini-program login and phone number.

It speaks the documented protocol: HTTP 200 with `{"errcode": ..., "errmsg": "... rid: ..."}` on
failure, the real error codes, single-use codes, access tokens it issued itself (and can expire), and
jscode2session's `text/plain` content type.

    with fake_wechat_api() as wx:
        wx.add_login_code("code-1", openid="o-1", unionid="u-1")
        auth = WechatMiniProgramAuth(wx.appid, wx.secret, api_base=wx.base_url)
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_APPID = "wx0123456789abcdef"
DEFAULT_SECRET = "fake-wechat-app-secret-0123456789"

_ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40013: "invalid appid",
    40029: "invalid code",
    40125: "invalid appsecret",
    40163: "code been used",
    40226: "high risk user",
    40003: "invalid openid",
    40037: "invalid template_id",
    43101: "user refuse to accept the msg",
    47003: "argument invalid! data.thing1.value exceeds limit",
    41001: "access_token missing",
    42001: "access_token expired",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47001: "data format error",
}


@dataclass
class _LoginCode:
    openid: str
    session_key: str
    unionid: str | None


@dataclass
class FakeWechatApi:
    """The control object: program codes and failures, read what the adapter asked for."""

    appid: str
    secret: str
    base_url: str = ""
    login_codes: dict[str, _LoginCode] = field(default_factory=dict)
    phone_codes: dict[str, str] = field(default_factory=dict)
    failing_codes: dict[str, int] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    valid_tokens: set[str] = field(default_factory=set)
    expired_tokens: set[str] = field(default_factory=set)
    reject_all_tokens: bool = False
    http_error_status: int | None = None
    token_fetches: int = 0
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # subscribeMessage.send: the templates of the app, each user's remaining one-time subscriptions per template,
    # programmed failures per openid (e.g. -1 system busy) and the messages delivered.
    templates: set[str] = field(default_factory=set)
    subscriptions: dict[tuple[str, str], int] = field(default_factory=dict)
    failing_openids: dict[str, list[int]] = field(default_factory=dict)
    subscribe_sent: list[dict[str, Any]] = field(default_factory=list)

    # --- programming the fake
    def add_login_code(
        self, code: str, openid: str, *, unionid: str | None = None, session_key: str | None = None
    ) -> None:
        with self.lock:
            self.login_codes[code] = _LoginCode(openid, session_key or secrets.token_urlsafe(16), unionid)

    def add_phone_code(self, code: str, phone: str) -> None:
        with self.lock:
            self.phone_codes[code] = phone

    def fail_code(self, code: str, errcode: int) -> None:
        """Answer `errcode` (45011 rate limit, 40226 risky user, -1 busy, ...) for this login/phone code."""
        with self.lock:
            self.failing_codes[code] = errcode

    def add_template(self, template_id: str) -> None:
        with self.lock:
            self.templates.add(template_id)

    def subscribe(self, openid: str, template_id: str, times: int = 1) -> None:
        """The user accepted `template_id` in the mini-program (each acceptance allows one message)."""
        with self.lock:
            self.subscriptions[(openid, template_id)] = self.subscriptions.get((openid, template_id), 0) + times

    def fail_openid(self, openid: str, *errcodes: int) -> None:
        """Answer the next subscribe sends to `openid` with these errcodes, one each, then normally."""
        with self.lock:
            self.failing_openids[openid] = list(errcodes)

    def expire_access_tokens(self) -> None:
        """Every token issued so far now answers 42001 (access_token expired)."""
        with self.lock:
            self.expired_tokens |= self.valid_tokens
            self.valid_tokens.clear()

    # --- reading what happened
    def calls(self, path: str) -> int:
        with self.lock:
            return sum(1 for _, p, _ in self.requests if p == path)

    def query_of_last(self, path: str) -> dict[str, list[str]]:
        with self.lock:
            return next(q for _, p, q in reversed(self.requests) if p == path)

    # --- the protocol
    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[dict[str, Any], str]:
        with self.lock:
            self.requests.append((method, path, query))
            if method == "GET" and path == "/cgi-bin/token":
                return self._token(query), "application/json; encoding=utf-8"
            if method == "GET" and path == "/sns/jscode2session":
                return self._jscode2session(query), "text/plain"
            if method == "POST" and path == "/wxa/business/getuserphonenumber":
                return self._phone(query, body), "application/json; encoding=utf-8"
            if method == "POST" and path == "/cgi-bin/message/subscribe/send":
                return self._subscribe_send(query, body), "application/json; encoding=utf-8"
            return {"errcode": 40066, "errmsg": "invalid url" + _rid()}, "application/json; encoding=utf-8"

    def _check_app(self, query: dict[str, list[str]]) -> dict[str, Any] | None:
        if _one(query, "appid") != self.appid:
            return _err(40013)
        if _one(query, "secret") != self.secret:
            return _err(40125)
        return None

    def _token(self, query: dict[str, list[str]]) -> dict[str, Any]:
        if _one(query, "grant_type") != "client_credential":
            return _err(40002)
        if (error := self._check_app(query)) is not None:
            return error
        self.token_fetches += 1
        token = "fake-token-" + secrets.token_hex(16)
        self.valid_tokens.add(token)
        return {"access_token": token, "expires_in": 7200}

    def _jscode2session(self, query: dict[str, list[str]]) -> dict[str, Any]:
        if _one(query, "grant_type") != "authorization_code":
            return _err(40002)
        if (error := self._check_app(query)) is not None:
            return error
        code = _one(query, "js_code") or ""
        if code in self.failing_codes:
            return _err(self.failing_codes[code])
        if code in self.used_codes:
            return _err(40163)
        login = self.login_codes.pop(code, None)
        if login is None:
            return _err(40029)
        self.used_codes.add(code)
        answer: dict[str, Any] = {"session_key": login.session_key, "openid": login.openid}
        if login.unionid:
            answer["unionid"] = login.unionid
        return answer

    def _subscribe_send(self, query: dict[str, list[str]], body: bytes) -> dict[str, Any]:
        return _subscribe_send(self, query, body)

    def _phone(self, query: dict[str, list[str]], body: bytes) -> dict[str, Any]:
        token = _one(query, "access_token")
        if not token:
            return _err(41001)
        if token in self.expired_tokens:
            return _err(42001)
        if self.reject_all_tokens or token not in self.valid_tokens:
            return _err(40001)
        try:
            code = json.loads(body)["code"]
        except (ValueError, KeyError, TypeError):
            return _err(47001)
        if code in self.failing_codes:
            return _err(self.failing_codes[code])
        phone = self.phone_codes.pop(code, None)  # single use, like the real one
        if phone is None:
            return _err(40029)
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": phone,
                "purePhoneNumber": phone,
                "countryCode": "86",
                "watermark": {"timestamp": int(time.time()), "appid": self.appid},
            },
        }


def _token_error(api: FakeWechatApi, query: dict[str, list[str]]) -> dict[str, Any] | None:
    token = _one(query, "access_token")
    if not token:
        return _err(41001)
    if token in api.expired_tokens:
        return _err(42001)
    if api.reject_all_tokens or token not in api.valid_tokens:
        return _err(40001)
    return None


# Value rules of subscribe-message keywords (the documented limits of the common ones).
_VALUE_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "time": 30, "amount": 32, "name": 10}


def _subscribe_send(api: FakeWechatApi, query: dict[str, list[str]], body: bytes) -> dict[str, Any]:
    if (error := _token_error(api, query)) is not None:
        return error
    try:
        payload = json.loads(body)
    except ValueError:
        return _err(47001)
    if not isinstance(payload, dict):
        return _err(47001)
    openid, template, data = payload.get("touser"), payload.get("template_id"), payload.get("data")
    if not isinstance(openid, str) or not openid.startswith("o") or len(openid) < 6:
        return _err(40003)
    if template not in api.templates:
        return _err(40037)
    if not isinstance(data, dict) or not data:
        return _err(47003)
    for key, item in data.items():
        value = item.get("value") if isinstance(item, dict) else None
        prefix = key.rstrip("0123456789")
        if not isinstance(value, str) or not value or prefix not in _VALUE_LIMITS \
                or len(value) > _VALUE_LIMITS[prefix]:
            return _err(47003)
    failures = api.failing_openids.get(openid)
    if failures:
        return _err(failures.pop(0))
    left = api.subscriptions.get((openid, template), 0)
    if left <= 0:
        return _err(43101)
    api.subscriptions[(openid, template)] = left - 1
    api.subscribe_sent.append(payload)
    return {"errcode": 0, "errmsg": "ok", "msgid": int.from_bytes(secrets.token_bytes(6), "big")}


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _rid() -> str:
    return f", rid: {secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"


def _err(errcode: int) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": _ERRMSG.get(errcode, "error") + _rid()}


def _handler(api: FakeWechatApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if api.http_error_status is not None:
                self._send(api.http_error_status, b"<html>bad gateway</html>", "text/html")
                return
            url = urlsplit(self.path)
            answer, content_type = api.handle(method, url.path, parse_qs(url.query), body)
            self._send(200, json.dumps(answer, ensure_ascii=False).encode(), content_type)

        def _send(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            pass

    return Handler


@contextmanager
def fake_wechat_api(appid: str = DEFAULT_APPID, secret: str = DEFAULT_SECRET) -> Iterator[FakeWechatApi]:
    """Serve the fake on 127.0.0.1 (free port) in a thread; yields the control object with `base_url`."""
    api = FakeWechatApi(appid=appid, secret=secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    # A short poll interval: shutdown() waits up to one interval, and tests start a server each.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-wechat-api", daemon=True
    )
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
