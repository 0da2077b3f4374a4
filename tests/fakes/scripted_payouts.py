"""A payout channel for workflow tests: the sandbox channel, except for transfer numbers a test scripted — those
answer with the scripted results in order (a failure, a transfer still processing), then as the sandbox does."""

from __future__ import annotations

from collections import defaultdict, deque

from domain.payouts.channel import Payee, TransferResult
from domain.payouts.sandbox import SandboxPayoutChannel


class ScriptedPayoutChannel(SandboxPayoutChannel):
    def __init__(self) -> None:
        super().__init__()
        self._script: dict[str, deque[TransferResult]] = defaultdict(deque)
        self.calls: list[tuple[str, str]] = []  # (transfer / query, number)

    def script(self, booking_id: int, *results: TransferResult) -> None:
        """The next answers for the booking's payout (any of its transfer numbers, PO<id> and PO<id>A<n>)."""
        self._script[f"PO{booking_id}"].extend(results)

    def _scripted(self, payout_no: str) -> TransferResult | None:
        queue = self._script.get(payout_no.split("A")[0])
        return queue.popleft() if queue else None

    def transfer(self, payout_no: str, amount: int, payee: Payee, memo: str) -> TransferResult:
        self.calls.append(("transfer", payout_no))
        result = self._scripted(payout_no)
        if result is None:
            return super().transfer(payout_no, amount, payee, memo)
        if result.status == "succeeded":
            self._sent[payout_no] = amount
        return result

    def query(self, payout_no: str) -> TransferResult:
        self.calls.append(("query", payout_no))
        result = self._scripted(payout_no)
        if result is None:
            return super().query(payout_no)
        if result.status == "succeeded":
            self._sent[payout_no] = 0
        return result
