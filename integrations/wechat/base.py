from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class WechatSession:
    openid: str
    session_key: str
    unionid: str | None = None


class MiniProgramAuth(Protocol):
    """WeChat mini-program login (code2Session) and phone number (getPhoneNumber code)."""

    name: str  # "sandbox" | "wechat"
    is_sandbox: bool

    def code_to_session(self, js_code: str) -> WechatSession:
        """Raises IntegrationError (40029 invalid code, 45011 rate limit, 40226 risky user, -1 busy...)."""
        ...

    def phone_number(self, phone_code: str) -> str:
        """The purePhoneNumber behind a getPhoneNumber code. Raises IntegrationError."""
        ...
