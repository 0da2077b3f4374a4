"""Sandbox content security (沙箱): the embedded default when the mini-program is not configured.

Deterministic and offline: text containing one of a few obviously banned words is risky, anything else
passes; every image gets a `sandbox-…` trace id whose verdict ("pass") is known at once through
`media_result`. It never calls WeChat and never claims to have.
"""

from __future__ import annotations

import logging
import uuid

from integrations.wechat.security import CheckMediaType, MediaVerdict, Scene, Suggest, TextVerdict

logger = logging.getLogger(__name__)

TRACE_PREFIX = "sandbox-"
# word -> WeChat label code (20006 违法犯罪, 20002 色情).
BANNED_WORDS: dict[str, int] = {
    "赌博": 20006, "毒品": 20006, "枪支": 20006, "办假证": 20006, "代开发票": 20006, "色情": 20002,
}


class SandboxContentSecurity:
    name = "sandbox"
    is_sandbox = True

    def __init__(self, push_token: str | None = None) -> None:
        self.push_token = push_token or None

    def check_text(self, content: str, *, openid: str | None, scene: Scene = Scene.PROFILE,
                   title: str | None = None) -> TextVerdict:
        text = f"{title or ''}\n{content}"
        for word, label in BANNED_WORDS.items():
            if word in text:
                logger.info("沙箱 content check: risky (%s) — sandbox adapter, not real WeChat", word)
                return TextVerdict(Suggest.RISKY, label, TRACE_PREFIX + uuid.uuid4().hex)
        return TextVerdict(Suggest.PASS, 100, TRACE_PREFIX + uuid.uuid4().hex)

    def submit_media(self, media_url: str, *, media_type: CheckMediaType = CheckMediaType.IMAGE,
                     openid: str | None, scene: Scene = Scene.PROFILE) -> str:
        return TRACE_PREFIX + uuid.uuid4().hex

    def media_result(self, trace_id: str) -> MediaVerdict | None:
        if not trace_id.startswith(TRACE_PREFIX):
            return None
        return MediaVerdict(trace_id, Suggest.PASS, 100)
