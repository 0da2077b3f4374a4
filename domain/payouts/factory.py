"""Configuration picks the payout channel: the sandbox (沙箱出款) unless another one is set."""

from __future__ import annotations

import logging

from domain.payouts.bank import BankTransferChannel
from domain.payouts.channel import PayoutChannel
from domain.payouts.sandbox import SandboxPayoutChannel
from domain.settings import Settings

log = logging.getLogger(__name__)


def payout_channel_from_settings(settings: Settings) -> PayoutChannel:
    if settings.payout_channel == "bank":
        return BankTransferChannel()
    if settings.payout_channel == "sandbox":
        log.info("出款使用沙箱渠道：不会产生真实转账")
        return SandboxPayoutChannel()
    raise RuntimeError(f"PAYOUT_CHANNEL={settings.payout_channel!r}: expected sandbox, bank or wechat_transfer")
