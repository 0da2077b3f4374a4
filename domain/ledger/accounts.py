"""The ledger's accounts. Amounts on a line are signed fen: + debit, − credit; a balance is debits − credits.

Assets (gateway, payout clearing) and expenses carry debit balances; liabilities (escrow, artist payable) and
income (commission) carry credit balances, i.e. negative here."""

from __future__ import annotations

GATEWAY = "gateway:{name}"         # asset: money held at a payment gateway (GATEWAY.format(name="wechatpay"))
PAYOUT = "payout:{channel}"        # asset/clearing: money sent out through a payout channel
ESCROW = "escrow"                  # liability: client money held for a booking
ARTIST_PAYABLE = "artist_payable"  # liability: owed to the artist
COMMISSION = "commission"          # income: platform commission
GATEWAY_FEES = "gateway_fees"      # expense: gateway fees (from bills)

ACCOUNT_LABELS = {ESCROW: "托管资金", ARTIST_PAYABLE: "应付艺人", COMMISSION: "平台佣金", GATEWAY_FEES: "支付手续费"}


def gateway(name: str) -> str:
    """Asset: money held at a payment gateway / merchant account ("gateway:wechatpay", "gateway:sandbox")."""
    return GATEWAY.format(name=name)


def payout(channel: str) -> str:
    """Asset/clearing: money sent out through a payout channel ("payout:wechat_transfer", "payout:sandbox")."""
    return PAYOUT.format(channel=channel)


def label(account: str) -> str:
    kind, _, name = account.partition(":")
    if kind == "gateway":
        return f"支付渠道（{name}）"
    if kind == "payout" and name:
        return f"出款渠道（{name}）"
    return ACCOUNT_LABELS.get(account, account)
