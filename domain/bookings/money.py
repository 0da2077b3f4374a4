"""Money rules of a booking, in integer fen. Pure functions: the workflow calls them deterministically."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol


class Tier(Protocol):
    days_before: int
    refund_percent: int


def split_fee(fee_amount: int, deposit_percent: int) -> tuple[int, int]:
    """(deposit, balance). The deposit rounds down to whole fen; the balance takes the remainder."""
    deposit = fee_amount * deposit_percent // 100
    return deposit, fee_amount - deposit


def cancellation_refund(tiers: Sequence[Tier], show_start: datetime, now: datetime, deposit_paid: int,
                        balance_paid: int) -> int:
    """What a client gets back when cancelling: the deposit per the contract's tier for the days left before
    the show (e.g. >=30 days 100 %, 7-29 days 50 %, <7 days 0 %), and any balance paid in full."""
    days_left = (show_start - now).total_seconds() / 86400
    percent = 0
    for tier in sorted(tiers, key=lambda t: t.days_before, reverse=True):
        if days_left >= tier.days_before:
            percent = tier.refund_percent
            break
    return deposit_paid * percent // 100 + balance_paid


def settlement(net_paid: int, commission_rate_bp: int) -> tuple[int, int]:
    """(commission, payout) from what the client paid and kept paid; the rate was snapshotted at booking."""
    commission = net_paid * commission_rate_bp // 10_000
    return commission, net_paid - commission
