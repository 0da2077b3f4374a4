"""What every payout channel offers, and who gets the money. The choice of channel is configuration
(`payout_channel_from_settings`), never a test switch in code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

TransferStatus = Literal["processing", "succeeded", "failed"]


@dataclass(frozen=True)
class BankAccount:
    account_name: str  # 收款户名
    account_no: str    # 账号
    bank_name: str     # 开户行


@dataclass(frozen=True)
class Payee:
    user_id: int
    name: str | None              # verified real name (or the account holder's name), None if unknown
    openid: str | None            # WeChat openid in our mini-program (WeChat Pay 商家转账)
    bank_account: BankAccount | None


@dataclass(frozen=True)
class TransferResult:
    status: TransferStatus
    provider_id: str | None = None
    failure_reason: str | None = None
    # The channel's own record of this transfer number is final and failed (WeChat FAIL/CANCELLED): retrying
    # needs a new number. False for a refusal before anything was created (the same number can be sent again).
    needs_new_number: bool = False
    # WeChat 商家转账 waiting for the payee (WAIT_USER_CONFIRM): what the mini-program passes to
    # wx.requestMerchantTransfer so the artist confirms receipt.
    package_info: str | None = None


class TransferNotFound(Exception):
    """`query` for a number the channel never accepted: sending it (again) is safe."""


class PayoutChannel(Protocol):
    name: str          # "sandbox" | "wechat_transfer" | "bank"
    is_sandbox: bool
    label: str         # what operators and artists see ("沙箱出款", "微信转账", "银行转账")

    def transfer(self, payout_no: str, amount: int, payee: Payee, memo: str) -> TransferResult:
        """Send `amount` fen to `payee` under our number `payout_no`: the same number again is the same transfer
        (no second payment). Raises integrations.errors.IntegrationError (retriable) when the channel is
        unreachable or answers with a temporary error."""
        ...

    def query(self, payout_no: str) -> TransferResult:
        """Where the transfer `payout_no` is now. Raises TransferNotFound if the channel never accepted it,
        IntegrationError (retriable) when unreachable."""
        ...
