"""Configuration picks the payout channel (PAYOUT_CHANNEL): the sandbox (沙箱出款) unless another one is set.
WeChat Pay 商家转账 uses the same merchant as WeChat Pay payments (the wechatpay_* settings)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from domain.payouts.bank import BankTransferChannel
from domain.payouts.channel import PayoutChannel
from domain.payouts.sandbox import SandboxPayoutChannel
from domain.settings import Settings

log = logging.getLogger(__name__)


def _read(path: Path | None, name: str) -> str:
    if path is None:
        raise RuntimeError(f"PAYOUT_CHANNEL=wechat_transfer needs {name}")
    return Path(path).read_text()


def wechat_transfer_channel(settings: Settings) -> PayoutChannel:
    from domain.payouts.wechat_transfer import WechatTransferChannel  # noqa: PLC0415 - only when configured

    appid = settings.wechatpay_appid or settings.wechat_appid
    missing = [n.upper() for n in ("wechatpay_mchid", "wechatpay_cert_serial_no", "wechatpay_apiv3_key")
               if not getattr(settings, n)]
    if missing or not appid:
        raise RuntimeError(f"PAYOUT_CHANNEL=wechat_transfer needs {', '.join(missing) or 'WECHATPAY_APPID'}")
    public_key = (_read(settings.wechatpay_public_key_path, "WECHATPAY_PUBLIC_KEY_PATH")
                  if settings.wechatpay_public_key_id else None)
    if public_key is None and settings.wechatpay_cert_dir is None:
        raise RuntimeError("PAYOUT_CHANNEL=wechat_transfer needs the WeChat Pay public key (WECHATPAY_PUBLIC_KEY_PATH "
                           "+ WECHATPAY_PUBLIC_KEY_ID) or a platform certificate directory (WECHATPAY_CERT_DIR)")
    try:
        infos = json.loads(settings.wechatpay_transfer_report_infos)
    except ValueError as exc:
        raise RuntimeError("WECHATPAY_TRANSFER_REPORT_INFOS must be a JSON list of {info_type, info_content}") from exc
    assert settings.wechatpay_mchid and settings.wechatpay_cert_serial_no and settings.wechatpay_apiv3_key
    return WechatTransferChannel(
        mchid=settings.wechatpay_mchid, appid=appid,
        private_key=_read(settings.wechatpay_private_key_path, "WECHATPAY_PRIVATE_KEY_PATH"),
        cert_serial_no=settings.wechatpay_cert_serial_no, apiv3_key=settings.wechatpay_apiv3_key,
        scene_id=settings.wechatpay_transfer_scene_id, report_infos=infos, public_key=public_key,
        public_key_id=settings.wechatpay_public_key_id,
        cert_dir=str(settings.wechatpay_cert_dir) if settings.wechatpay_cert_dir else None,
        notify_url=settings.wechatpay_transfer_notify_url, api_base=settings.wechatpay_api_base)


def payout_channel_from_settings(settings: Settings) -> PayoutChannel:
    if settings.payout_channel == "wechat_transfer":
        return wechat_transfer_channel(settings)
    if settings.payout_channel == "bank":
        return BankTransferChannel()
    log.info("出款使用沙箱渠道：不会产生真实转账")
    return SandboxPayoutChannel()
