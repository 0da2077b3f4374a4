"""Configuration picks the real-name checker: Tencent Cloud when its keys are set, else the sandbox."""

from __future__ import annotations

import logging

from domain.settings import Settings
from integrations.realname.base import RealNameChecker
from integrations.realname.sandbox import SandboxRealNameChecker
from integrations.realname.tencent import TencentRealNameChecker
from integrations.sandbox_policy import require_sandbox_allowed

log = logging.getLogger(__name__)


def realname_checker_from_settings(settings: Settings) -> RealNameChecker:
    secret_id, secret_key = settings.tencent_faceid_secret_id, settings.tencent_faceid_secret_key
    if secret_id and secret_key:
        return TencentRealNameChecker(secret_id=secret_id, secret_key=secret_key,
                                      endpoint=settings.tencent_faceid_endpoint)
    if secret_id or secret_key:
        log.warning("实名核验配置不完整（需要 tencent_faceid_secret_id 和 tencent_faceid_secret_key），使用沙箱")
    require_sandbox_allowed(settings, "实名核验", "Real-name verification",
                            "TENCENT_FACEID_SECRET_ID, TENCENT_FACEID_SECRET_KEY")
    log.info("实名核验使用沙箱：不查询权威库，格式正确即通过")
    return SandboxRealNameChecker()
