"""Configuration picks the payment gateways: WeChat Pay and/or Alipay when configured, the sandbox (沙箱支付)
otherwise. The sandbox is always registered (it serves the orders opened with it and its cashier page), but a
payer is offered it only when no real gateway is configured."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx

from domain.payments.gateway import PaymentGateway
from domain.payments.registry import Gateways
from domain.payments.sandbox import CALLBACK_PATH, SandboxGateway
from domain.settings import Settings

log = logging.getLogger(__name__)


def _read(path: Path | None, name: str) -> str:
    if path is None:
        raise RuntimeError(f"{name} is required")
    return Path(path).read_text()


def _notify_base(settings: Settings) -> str:
    base = settings.payment_notify_base_url or settings.public_base_url
    if not base:
        raise RuntimeError("PAYMENT_NOTIFY_BASE_URL (or PUBLIC_BASE_URL) is required for real payment gateways: "
                           "WeChat Pay and Alipay post their notifications there")
    return base


def sandbox_gateway(settings: Settings, http: httpx.AsyncClient | None = None,
                    database_url: str | None = None) -> SandboxGateway:
    host = "127.0.0.1" if settings.api_host in ("0.0.0.0", "::", "") else settings.api_host  # noqa: S104
    if ":" in host:
        host = f"[{host}]"
    return SandboxGateway(settings.secret("payment_sandbox_secret"),
                          notify_url=f"http://{host}:{settings.api_port}{CALLBACK_PATH}", http=http,
                          database_url=database_url)


def wechatpay_gateway(settings: Settings) -> PaymentGateway:
    from domain.payments.wechatpay import WechatPayGateway  # noqa: PLC0415 - only when configured

    missing = [n for n in ("wechatpay_private_key_path", "wechatpay_cert_serial_no", "wechatpay_apiv3_key")
               if not getattr(settings, n)]
    appid = settings.wechatpay_appid or settings.wechat_appid
    if missing or not appid:
        raise RuntimeError(f"WECHATPAY_MCHID is set but {', '.join(missing) or 'WECHATPAY_APPID'} is not")
    public_key = (_read(settings.wechatpay_public_key_path, "WECHATPAY_PUBLIC_KEY_PATH")
                  if settings.wechatpay_public_key_id else None)
    if public_key is None and settings.wechatpay_cert_dir is None:
        raise RuntimeError("WeChat Pay needs the platform public key (WECHATPAY_PUBLIC_KEY_PATH + "
                           "WECHATPAY_PUBLIC_KEY_ID) or a platform certificate directory (WECHATPAY_CERT_DIR)")
    assert settings.wechatpay_mchid and settings.wechatpay_cert_serial_no and settings.wechatpay_apiv3_key
    return WechatPayGateway(
        mchid=settings.wechatpay_mchid, appid=appid,
        private_key=_read(settings.wechatpay_private_key_path, "WECHATPAY_PRIVATE_KEY_PATH"),
        cert_serial_no=settings.wechatpay_cert_serial_no, apiv3_key=settings.wechatpay_apiv3_key,
        notify_base_url=_notify_base(settings), public_key=public_key, public_key_id=settings.wechatpay_public_key_id,
        cert_dir=str(settings.wechatpay_cert_dir) if settings.wechatpay_cert_dir else None,
        api_base=settings.wechatpay_api_base)


def alipay_gateway(settings: Settings) -> PaymentGateway:
    from domain.payments.alipay import AlipayGateway  # noqa: PLC0415 - only when configured

    assert settings.alipay_app_id
    return AlipayGateway(app_id=settings.alipay_app_id,
                         app_private_key=_read(settings.alipay_private_key_path, "ALIPAY_PRIVATE_KEY_PATH"),
                         alipay_public_key=_read(settings.alipay_public_key_path, "ALIPAY_PUBLIC_KEY_PATH"),
                         notify_base_url=_notify_base(settings), gateway_url=settings.alipay_gateway_url,
                         return_url=settings.alipay_return_url)


def payment_gateways_from_settings(settings: Settings, http: httpx.AsyncClient | None = None,
                                   database_url: str | None = None) -> Gateways:
    gateways: list[PaymentGateway] = []
    if settings.wechatpay_mchid:
        gateways.append(wechatpay_gateway(settings))
    if settings.alipay_app_id:
        gateways.append(alipay_gateway(settings))
    if not gateways:
        log.info("支付使用沙箱网关：不会产生真实扣款")
    gateways.append(sandbox_gateway(settings, http, database_url))
    default = settings.payment_gateway or gateways[0].name
    if default not in {g.name for g in gateways}:
        # Never fall back to the sandbox when a real gateway was asked for: orders would be "paid" for free.
        raise RuntimeError(f"PAYMENT_GATEWAY={default} is not configured")
    return Gateways(gateways, default=default)

