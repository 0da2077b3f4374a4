"""Configuration picks the SMS provider: Aliyun, else Tencent Cloud, else the sandbox."""

from __future__ import annotations

import logging

from domain.settings import Settings
from integrations.sandbox_policy import require_sandbox_allowed
from integrations.sms.aliyun import AliyunSmsSender
from integrations.sms.base import SmsSender
from integrations.sms.sandbox import SandboxSmsSender
from integrations.sms.tencent import TencentSmsSender

log = logging.getLogger(__name__)

_ALIYUN_FIELDS = ("aliyun_sms_access_key_id", "aliyun_sms_access_key_secret", "aliyun_sms_sign_name",
                  "aliyun_sms_template_code")
_TENCENT_FIELDS = ("tencent_sms_secret_id", "tencent_sms_secret_key", "tencent_sms_sdk_app_id",
                   "tencent_sms_sign_name", "tencent_sms_template_id")


def _configured(settings: Settings, fields: tuple[str, ...]) -> bool:
    present = [f for f in fields if getattr(settings, f)]
    if present and len(present) < len(fields):
        # A half-configured provider is a deployment mistake; say which setting is missing (never values).
        missing = [f for f in fields if not getattr(settings, f)]
        log.warning("短信服务配置不完整，未启用 missing=%s", ",".join(missing))
    return len(present) == len(fields)


def sms_sender_from_settings(settings: Settings) -> SmsSender:
    if _configured(settings, _ALIYUN_FIELDS):
        return AliyunSmsSender(
            access_key_id=settings.aliyun_sms_access_key_id or "",
            access_key_secret=settings.aliyun_sms_access_key_secret or "",
            sign_name=settings.aliyun_sms_sign_name or "",
            template_code=settings.aliyun_sms_template_code or "",
            endpoint=settings.aliyun_sms_endpoint,
        )
    if _configured(settings, _TENCENT_FIELDS):
        return TencentSmsSender(
            secret_id=settings.tencent_sms_secret_id or "",
            secret_key=settings.tencent_sms_secret_key or "",
            sdk_app_id=settings.tencent_sms_sdk_app_id or "",
            sign_name=settings.tencent_sms_sign_name or "",
            template_id=settings.tencent_sms_template_id or "",
            endpoint=settings.tencent_sms_endpoint,
        )
    needs = " | ".join(", ".join(f.upper() for f in fields) for fields in (_ALIYUN_FIELDS, _TENCENT_FIELDS))
    require_sandbox_allowed(settings, "短信服务", "SMS", needs)
    log.info("短信使用沙箱：验证码只写入日志，不会发出短信")
    return SandboxSmsSender()
