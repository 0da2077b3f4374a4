"""The WeChat loopback fake (tests.fakes.wechat_api) extended with the content-security APIs and the
`wxa_media_check` message push, speaking the documented v2 protocol:

- `POST /wxa/msg_sec_check?access_token=…` `{content, version: 2, scene, openid}` →
  `{errcode: 0, errmsg: "ok", trace_id, result: {suggest, label}, detail: [...]}`; errors as
  `{errcode, errmsg: "... rid: ..."}` (40001 token, 40003 openid, 45009 quota, 47001 format, -1 busy).
- `POST /wxa/media_check_async?access_token=…` `{media_url, media_type, version: 2, scene, openid}` →
  `{errcode: 0, errmsg: "ok", trace_id}`; `push(...)` then builds the signed push WeChat would send.

    with fake_wechat_security_api() as wx:
        wx.risky_words["赌博"] = 20006
        auth = WechatMiniProgramAuth(wx.appid, wx.secret, api_base=wx.base_url)
        checker = WechatContentSecurity(auth, push_token=wx.push_token)
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from integrations.wechat.security import push_signature
from tests.fakes.wechat_api import _ERRMSG, DEFAULT_APPID, DEFAULT_SECRET, FakeWechatApi, _err, _handler, _one

_ERRMSG.update({
    40003: "invalid openid",
    40129: "invalid scene",
    43104: "appid and openid not match",
    44002: "empty post data",
    45009: "reach max api daily quota limit",
    61010: "user access expired",
})
_JSON = "application/json; encoding=utf-8"


@dataclass
class FakeWechatSecurityApi(FakeWechatApi):
    push_token: str = "fake-push-token-0123456789"
    # word in the content -> label; content with a review word -> suggest "review".
    risky_words: dict[str, int] = field(default_factory=dict)
    review_words: dict[str, int] = field(default_factory=dict)
    # openids that have used the mini-program lately (v2 insists on one); empty: any non-empty openid.
    known_openids: set[str] = field(default_factory=set)
    # The next security call answers this errcode (once per entry), e.g. [45009] or [40001, 40001].
    next_errors: list[int] = field(default_factory=list)
    text_checks: list[dict[str, Any]] = field(default_factory=list)
    media_submissions: dict[str, dict[str, Any]] = field(default_factory=dict)  # trace_id -> body

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> tuple[dict[str, Any], str]:
        if method == "POST" and path in ("/wxa/msg_sec_check", "/wxa/media_check_async"):
            with self.lock:
                self.requests.append((method, path, query))
                return self._security(path, query, body), _JSON
        return super().handle(method, path, query, body)

    def _security(self, path: str, query: dict[str, list[str]], body: bytes) -> dict[str, Any]:
        token = _one(query, "access_token")
        if not token:
            return _err(41001)
        if token in self.expired_tokens:
            return _err(42001)
        if self.reject_all_tokens or token not in self.valid_tokens:
            return _err(40001)
        if self.next_errors:
            return _err(self.next_errors.pop(0))
        try:
            data = json.loads(body)
        except ValueError:
            return _err(47001)
        if not isinstance(data, dict) or "access_token" in data:  # the token belongs in the URL only
            return _err(47001)
        if data.get("version") != 2:
            return _err(47001)
        if data.get("scene") not in (1, 2, 3, 4):
            return _err(40129)
        openid = data.get("openid")
        if not isinstance(openid, str) or not openid or (self.known_openids and openid not in self.known_openids):
            return _err(40003)
        trace_id = "-".join(secrets.token_hex(4) for _ in range(3))
        if path == "/wxa/media_check_async":
            if not data.get("media_url") or data.get("media_type") not in (1, 2):
                return _err(44002)
            self.media_submissions[trace_id] = data
            return {"errcode": 0, "errmsg": "ok", "trace_id": trace_id}
        content = data.get("content")
        if not isinstance(content, str) or not content:
            return _err(44002)
        self.text_checks.append(data)
        suggest, label = "pass", 100
        for word, word_label in self.review_words.items():
            if word in content:
                suggest, label = "review", word_label
        for word, word_label in self.risky_words.items():
            if word in content:
                suggest, label = "risky", word_label
        return {"errcode": 0, "errmsg": "ok", "trace_id": trace_id,
                "result": {"suggest": suggest, "label": label},
                "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label,
                            "prob": 90 if suggest != "pass" else 0}]}

    # --- the push WeChat sends to our server later
    def push(self, trace_id: str, suggest: str = "pass", label: int = 100, *, fmt: str = "json",
             token: str | None = None) -> tuple[dict[str, str], bytes, str]:
        """(query, body, content type) of the signed `wxa_media_check` push for a submitted trace id."""
        timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
        query = {"signature": push_signature(token or self.push_token, timestamp, nonce), "timestamp": timestamp,
                 "nonce": nonce}
        event = {"ToUserName": "gh_0123456789ab", "FromUserName": "oUnSafeCheckPushService", "CreateTime":
                 int(time.time()), "MsgType": "event", "Event": "wxa_media_check", "appid": self.appid,
                 "trace_id": trace_id, "version": 2,
                 "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label,
                             "prob": 90}],
                 "errcode": 0, "errmsg": "ok", "result": {"suggest": suggest, "label": label}}
        if fmt == "json":
            return query, json.dumps(event).encode(), "application/json"
        xml = ("<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>"
               "<FromUserName><![CDATA[oUnSafeCheckPushService]]></FromUserName>"
               f"<CreateTime>{event['CreateTime']}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
               "<Event><![CDATA[wxa_media_check]]></Event>"
               f"<appid><![CDATA[{self.appid}]]></appid><trace_id><![CDATA[{trace_id}]]></trace_id>"
               "<version>2</version><errcode>0</errcode><errmsg><![CDATA[ok]]></errmsg>"
               f"<result><suggest><![CDATA[{suggest}]]></suggest><label>{label}</label></result></xml>")
        return query, xml.encode(), "text/xml"


@contextmanager
def fake_wechat_security_api(appid: str = DEFAULT_APPID,
                             secret: str = DEFAULT_SECRET) -> Iterator[FakeWechatSecurityApi]:
    """Serve the fake on 127.0.0.1 (free port) in a thread; yields the control object with `base_url`."""
    api = FakeWechatSecurityApi(appid=appid, secret=secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              name="fake-wechat-security", daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

