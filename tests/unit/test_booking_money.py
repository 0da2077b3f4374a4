"""The money rules of a booking (domain/bookings/money.py): the deposit split, the cancellation refund at each tier
boundary, and the settlement between platform and artist. Integer fen throughout; the client never loses a fen to
rounding that the artist gains, or the other way round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from domain.bookings.messages import DEFAULT_TIERS
from domain.bookings.money import cancellation_refund, settlement, split_fee

SHOW = datetime(2027, 6, 1, 12, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@dataclass
class Tier:
    days_before: int
    refund_percent: int


@pytest.mark.parametrize(("fee", "percent", "expected"), [
    (1_200_000, 30, (360_000, 840_000)),  # the API tests' quote
    (800_000, 25, (200_000, 600_000)),
    (1_001, 33, (330, 671)),  # 330.33 fen: the deposit rounds down, the balance takes the rest
    (999, 50, (499, 500)),
    (1, 10, (0, 1)),
    (0, 30, (0, 0)),
    (123_457, 100, (123_457, 0)),  # everything up front
])
def test_split_fee(fee: int, percent: int, expected: tuple[int, int]):
    assert split_fee(fee, percent) == expected


def test_split_fee_never_loses_a_fen():
    for fee in (*range(0, 2_000, 7), 99_999_999):
        for percent in range(10, 101):
            deposit, balance = split_fee(fee, percent)
            assert deposit + balance == fee and 0 <= deposit <= fee
            assert deposit == fee * percent // 100


def test_the_default_tiers_are_the_published_ones():
    assert [(t.days_before, t.refund_percent) for t in DEFAULT_TIERS] == [(30, 100), (7, 50), (0, 0)]


@pytest.mark.parametrize(("before_show", "percent"), [
    (timedelta(days=90), 100),
    (timedelta(days=30), 100),            # exactly 30 days: still the 100 % tier
    (timedelta(days=30) - SECOND, 50),    # a second later: the 50 % tier
    (timedelta(days=7), 50),
    (timedelta(days=7) - SECOND, 0),
    (timedelta(hours=1), 0),
    (timedelta(0), 0),
    (-timedelta(hours=1), 0),             # after the start: no tier applies
])
def test_cancellation_refund_at_each_default_boundary(before_show: timedelta, percent: int):
    now = SHOW - before_show
    assert cancellation_refund(DEFAULT_TIERS, SHOW, now, deposit_paid=300_000, balance_paid=0) == 3_000 * percent
    # A balance already paid always comes back in full, whatever the tier.
    assert cancellation_refund(DEFAULT_TIERS, SHOW, now, deposit_paid=300_000, balance_paid=700_000) \
        == 3_000 * percent + 700_000


def test_cancellation_refund_with_a_contracts_own_tiers():
    tiers = [Tier(3, 20), Tier(60, 90), Tier(14, 40)]  # given in any order: the nearest tier not passed applies
    assert cancellation_refund(tiers, SHOW, SHOW - timedelta(days=61), 100_000, 0) == 90_000
    assert cancellation_refund(tiers, SHOW, SHOW - timedelta(days=60), 100_000, 0) == 90_000
    assert cancellation_refund(tiers, SHOW, SHOW - timedelta(days=59), 100_000, 0) == 40_000
    assert cancellation_refund(tiers, SHOW, SHOW - timedelta(days=14), 100_000, 0) == 40_000
    assert cancellation_refund(tiers, SHOW, SHOW - timedelta(days=13), 100_000, 0) == 20_000
    assert cancellation_refund(tiers, SHOW, SHOW - timedelta(days=3), 100_000, 0) == 20_000
    # Closer than the last tier: nothing of the deposit.
    assert cancellation_refund(tiers, SHOW, SHOW - timedelta(days=2), 100_000, 0) == 0
    assert cancellation_refund([], SHOW, SHOW - timedelta(days=400), 100_000, 5) == 5


def test_cancellation_refund_rounds_the_deposit_share_down():
    assert cancellation_refund([Tier(0, 50)], SHOW, SHOW - timedelta(days=1), 333, 0) == 166
    assert cancellation_refund([Tier(0, 33)], SHOW, SHOW - timedelta(days=1), 1_001, 10) == 330 + 10
    assert cancellation_refund([Tier(0, 0)], SHOW, SHOW - timedelta(days=1), 0, 0) == 0


@pytest.mark.parametrize(("net_paid", "rate_bp", "expected"), [
    (1_000_000, 1000, (100_000, 900_000)),  # 10 %
    (800_000, 1250, (100_000, 700_000)),    # 12.5 %
    (999, 1000, (99, 900)),                 # 99.9 fen of commission: the artist keeps the fraction
    (1, 1000, (0, 1)),
    (0, 1000, (0, 0)),
    (500_000, 0, (0, 500_000)),
    (500_000, 10_000, (500_000, 0)),
])
def test_settlement(net_paid: int, rate_bp: int, expected: tuple[int, int]):
    assert settlement(net_paid, rate_bp) == expected


def test_settlement_never_loses_a_fen():
    for net_paid in (*range(0, 3_000, 11), 123_456_789):
        for rate_bp in (0, 1, 500, 999, 1000, 1500, 3333, 10_000):
            commission, payout = settlement(net_paid, rate_bp)
            assert commission + payout == net_paid and 0 <= commission <= net_paid
