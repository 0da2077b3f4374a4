"""沙箱出款: the embedded default. No money moves; every transfer succeeds at once and says so in the logs."""

from __future__ import annotations

import logging

from domain.payouts.channel import Payee, TransferNotFound, TransferResult

log = logging.getLogger(__name__)


class SandboxPayoutChannel:
    name = "sandbox"
    is_sandbox = True
    label = "沙箱出款（不产生真实转账）"

    def __init__(self) -> None:
        self._sent: dict[str, int] = {}

    def transfer(self, payout_no: str, amount: int, payee: Payee, memo: str) -> TransferResult:
        if payout_no not in self._sent:
            log.info("沙箱出款 payout=%s amount=%s fen to user %s (%s): no real money moves", payout_no, amount,
                     payee.user_id, memo)
            self._sent[payout_no] = amount
        return TransferResult("succeeded", provider_id=f"sandbox-payout-{payout_no}")

    def query(self, payout_no: str) -> TransferResult:
        if payout_no not in self._sent:
            raise TransferNotFound(payout_no)
        return TransferResult("succeeded", provider_id=f"sandbox-payout-{payout_no}")
