"""Sandbox mini-program auth: the embedded default when no AppID/secret is configured. Never real WeChat."""

from __future__ import annotations

import base64
import hashlib
import logging
import re

from integrations.errors import IntegrationError
from integrations.wechat.base import WechatSession

logger = logging.getLogger(__name__)

SANDBOX_PHONE_PREFIX = "sandbox-phone-"
_SANDBOX_PHONE = re.compile(re.escape(SANDBOX_PHONE_PREFIX) + r"(1[3-9]\d{9})")


def sandbox_openid(js_code: str) -> str:
    """The openid the sandbox gives a login code: the same code always means the same user."""
    return "sandbox-openid-" + hashlib.sha256(js_code.encode()).hexdigest()[:16]


class SandboxMiniProgramAuth:
    """Deterministic stand-in for code2Session and getPhoneNumber (沙箱); any non-empty code logs in."""

    name = "sandbox"
    is_sandbox = True

    def code_to_session(self, js_code: str) -> WechatSession:
        if not js_code or not js_code.strip():
            raise IntegrationError(
                "wechat_code_invalid",
                "登录凭证无效或已过期，请重新进入小程序",
                status=400,
                provider_code="40029",
            )
        openid = sandbox_openid(js_code)
        # Real session keys are base64 of 16 bytes; keep the same shape so decryption code paths line up.
        session_key = base64.b64encode(hashlib.sha256(b"session:" + js_code.encode()).digest()[:16]).decode()
        logger.info("沙箱 WeChat login: openid=%s (sandbox adapter, not real WeChat)", openid)
        return WechatSession(openid=openid, session_key=session_key, unionid=None)

    def phone_number(self, phone_code: str) -> str:
        match = _SANDBOX_PHONE.fullmatch(phone_code or "")
        if match is None:
            raise IntegrationError(
                "wechat_code_invalid", "手机号授权已失效，请重新授权", status=400, provider_code="40029"
            )
        logger.info("沙箱 WeChat phone number for code %s (sandbox adapter)", phone_code)
        return match.group(1)
