"""Choose the mini-program auth adapter from settings: real WeChat when configured, else the sandbox."""

from __future__ import annotations

import logging

from domain.settings import Settings
from integrations.sandbox_policy import require_sandbox_allowed
from integrations.wechat.base import MiniProgramAuth
from integrations.wechat.miniprogram import WechatMiniProgramAuth
from integrations.wechat.sandbox import SandboxMiniProgramAuth
from integrations.wechat.security import ContentSecurity, WechatContentSecurity
from integrations.wechat.security_sandbox import SandboxContentSecurity

logger = logging.getLogger(__name__)


def miniprogram_auth_from_settings(settings: Settings) -> MiniProgramAuth:
    if settings.wechat_appid and settings.wechat_secret:
        return WechatMiniProgramAuth(
            settings.wechat_appid, settings.wechat_secret, api_base=settings.wechat_api_base
        )
    if settings.wechat_appid or settings.wechat_secret:
        # Half a configuration is almost always a deployment mistake: say so instead of silently
        # serving sandbox logins in what someone believes is production.
        logger.warning("WECHAT_APPID and WECHAT_SECRET must both be set; using the sandbox (沙箱) login")
    # Any code logs in and any phone is bound: never without ALLOW_SANDBOX.
    require_sandbox_allowed(settings, "微信小程序登录", "WeChat mini-program login", "WECHAT_APPID, WECHAT_SECRET")
    logger.info("WeChat mini-program not configured; using the sandbox (沙箱) login")
    return SandboxMiniProgramAuth()


def content_security_from_settings(settings: Settings, wechat: MiniProgramAuth | None = None) -> ContentSecurity:
    """Content security (msgSecCheck / mediaCheckAsync): real WeChat when the mini-program is configured, else
    the sandbox (沙箱). Pass the app's `wechat` login adapter so both share one access-token cache.
    """
    push_token = settings.wechat_push_token
    if settings.wechat_appid and settings.wechat_secret:
        auth = wechat if isinstance(wechat, WechatMiniProgramAuth) else WechatMiniProgramAuth(
            settings.wechat_appid, settings.wechat_secret, api_base=settings.wechat_api_base)
        return WechatContentSecurity(auth, push_token=push_token,
                                     media_base_url=settings.public_base_url)
    logger.info("WeChat mini-program not configured; using the sandbox (沙箱) content check")
    return SandboxContentSecurity(push_token=push_token)
