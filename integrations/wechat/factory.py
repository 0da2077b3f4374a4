"""Choose the mini-program auth adapter from settings: real WeChat when configured, else the sandbox."""

from __future__ import annotations

import logging

from domain.settings import Settings
from integrations.wechat.base import MiniProgramAuth
from integrations.wechat.miniprogram import WechatMiniProgramAuth
from integrations.wechat.sandbox import SandboxMiniProgramAuth

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
    else:
        logger.info("WeChat mini-program not configured; using the sandbox (沙箱) login")
    return SandboxMiniProgramAuth()
