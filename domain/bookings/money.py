"""Money rules of a booking, in integer fen. Pure functions: the workflow calls them deterministically."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class Tier(Protocol):
    days_before: int
    refund_percent: int


def split_fee(fee_amount: int, deposit_percent: int) -> tuple[int, int]:
    """(deposit, balance). The deposit rounds down to whole fen; the balance takes the remainder."""
    deposit = fee_amount * deposit_percent // 100
    return deposit, fee_amount - deposit


def refund_percent(tiers: Sequence[Tier], days_left: float) -> int:
    """The contract's tier for `days_left` days before the show: the highest `days_before` still reached."""
    for tier in sorted(tiers, key=lambda t: t.days_before, reverse=True):
        if days_left >= tier.days_before:
            return tier.refund_percent
    return 0


def days_before(show_start: datetime, now: datetime) -> float:
    return (show_start - now).total_seconds() / 86400


def cancellation_refund(tiers: Sequence[Tier], show_start: datetime, now: datetime, deposit_paid: int,
                        balance_paid: int) -> int:
    """What a client gets back when cancelling: the deposit per the contract's tier for the days left before
    the show (e.g. >=30 days 100 %, 7-29 days 50 %, <7 days 0 %), and any balance paid in full."""
    return deposit_paid * refund_percent(tiers, days_before(show_start, now)) // 100 + balance_paid


@dataclass(frozen=True)
class CancelCompensation:
    refund_amount: int
    deposit_paid: int
    balance_paid: int
    days_left: float
    refund_percent: int | None  # the tier applied to the deposit when the client cancels; None: all back


def cancel_compensation(role: str, tiers: Sequence[Tier], show_start: datetime, now: datetime, *, paid_amount: int,
                        deposit_amount: int, refunded_amount: int) -> CancelCompensation:
    """What a cancellation by `role` gives back (before an operator names an amount of their own): the client
    per the contract's tiers; when the artist or an operator cancels, everything paid and not yet refunded.
    The workflow's cancellation and the order page's preview both ask this."""
    deposit_paid = min(paid_amount, deposit_amount)
    balance_paid = paid_amount - deposit_paid
    days_left = days_before(show_start, now)
    if role == "client":
        percent = refund_percent(tiers, days_left)
        return CancelCompensation(deposit_paid * percent // 100 + balance_paid, deposit_paid, balance_paid,
                                  days_left, percent)
    return CancelCompensation(paid_amount - refunded_amount, deposit_paid, balance_paid, days_left, None)


def settlement(net_paid: int, commission_rate_bp: int) -> tuple[int, int]:
    """(commission, payout) from what the client paid and kept paid; the rate was snapshotted at booking."""
    commission = net_paid * commission_rate_bp // 10_000
    return commission, net_paid - commission
