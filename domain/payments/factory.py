"""Configuration picks the payment gateway. Until the WeChat Pay / Alipay adapters land, only the sandbox."""

from __future__ import annotations

import logging

import httpx

from domain.payments.gateway import PaymentGateway
from domain.payments.sandbox import CALLBACK_PATH, SandboxGateway
from domain.settings import Settings

log = logging.getLogger(__name__)


def payment_gateway_from_settings(settings: Settings, http: httpx.AsyncClient | None = None) -> PaymentGateway:
    if settings.wechatpay_mchid or settings.alipay_app_id:
        # Never fall back to the sandbox when real payments were asked for: orders would be "paid" for free.
        raise RuntimeError("WECHATPAY_MCHID / ALIPAY_APP_ID are set but the real payment adapters are not "
                           "available yet; unset them to use the sandbox gateway (沙箱支付)")
    host = "127.0.0.1" if settings.api_host in ("0.0.0.0", "::", "") else settings.api_host  # noqa: S104
    if ":" in host:
        host = f"[{host}]"
    log.info("支付使用沙箱网关：不会产生真实扣款")
    return SandboxGateway(settings.secret("payment_sandbox_secret"),
                          notify_url=f"http://{host}:{settings.api_port}{CALLBACK_PATH}", http=http)
