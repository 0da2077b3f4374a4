"""The ledger's posting rules on a real database: balanced or refused, once per kind and ref, balances per
account and booking."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.ledger import accounts
from domain.ledger.errors import LedgerUnbalanced
from domain.ledger.service import balance, post
from domain.models import JournalEntry, JournalLine
from tests.factories import artist_row, insert_booking, user_row


def _bookings(db: Session) -> tuple[int, int, int]:
    client = user_row(db).id
    artist = artist_row(db)
    return insert_booking(db, client, artist), insert_booking(db, client, artist), artist


def test_unbalanced_or_empty_postings_are_refused_and_write_nothing(db: Session) -> None:
    with pytest.raises(LedgerUnbalanced):
        post(db, kind="payment", ref="P1", booking_id=None, artist_id=None,
             lines=[(accounts.gateway("sandbox"), 100), (accounts.ESCROW, -99)])
    with pytest.raises(LedgerUnbalanced):
        post(db, kind="payment", ref="P2", booking_id=None, artist_id=None, lines=[])
    assert db.scalar(select(func.count()).select_from(JournalEntry)) == 0
    assert db.scalar(select(func.count()).select_from(JournalLine)) == 0


def test_a_posting_is_written_once_per_kind_and_ref(db: Session) -> None:
    booking, _, _ = _bookings(db)
    lines = [(accounts.gateway("sandbox"), 30_000), (accounts.ESCROW, -30_000)]
    entry = post(db, kind="payment", ref="P-order-1", booking_id=booking, artist_id=None, lines=lines, memo="定金")
    assert entry is not None and entry.kind == "payment" and entry.memo == "定金"
    assert post(db, kind="payment", ref="P-order-1", booking_id=booking, artist_id=None, lines=lines) is None
    # The same ref under another kind is another entry (a refund of that order, say).
    assert post(db, kind="refund", ref="P-order-1", booking_id=booking, artist_id=None,
                lines=[(accounts.ESCROW, 30_000), (accounts.gateway("sandbox"), -30_000)]) is not None
    assert db.scalar(select(func.count()).select_from(JournalEntry)) == 2
    assert balance(db, accounts.ESCROW, booking_id=booking) == 0


def test_balances_per_account_and_per_booking(db: Session) -> None:
    first, second, artist = _bookings(db)
    for booking, paid in ((first, 100_000), (second, 50_000)):
        post(db, kind="payment", ref=f"P{booking}", booking_id=booking, artist_id=artist,
             lines=[(accounts.gateway("wechatpay"), paid), (accounts.ESCROW, -paid)])
    post(db, kind="settlement", ref=f"booking-{first}", booking_id=first, artist_id=artist,
         lines=[(accounts.ESCROW, 100_000), (accounts.ARTIST_PAYABLE, -90_000), (accounts.COMMISSION, -10_000)])
    assert balance(db, accounts.ESCROW, booking_id=first) == 0
    assert balance(db, accounts.ESCROW, booking_id=second) == -50_000
    assert balance(db, accounts.ESCROW) == -50_000
    assert balance(db, accounts.gateway("wechatpay")) == 150_000
    assert balance(db, accounts.ARTIST_PAYABLE, booking_id=first) == -90_000
    assert balance(db, accounts.COMMISSION) == -10_000
    # Zero lines are dropped (no commission at a 0 % rate): the entry keeps only what moved.
    entry = post(db, kind="settlement", ref=f"booking-{second}", booking_id=second, artist_id=artist,
                 lines=[(accounts.ESCROW, 50_000), (accounts.ARTIST_PAYABLE, -50_000), (accounts.COMMISSION, 0)])
    assert entry is not None
    assert db.scalar(select(func.count()).where(JournalLine.entry_id == entry.id)) == 2
    total = db.scalar(select(func.sum(JournalLine.amount)))
    assert total == 0


def test_the_invariant_checks_of_the_workflow_suite_can_fail(db: Session) -> None:
    """tests/workflows/ledger_invariants.py finds a booking whose money does not add up, and an entry that
    doesn't balance (written past `post`, which would refuse it)."""
    from domain.models import PaymentOrder, Payout
    from tests.workflows.ledger_invariants import booking_problems, unbalanced_entries

    booking, other, artist = _bookings(db)
    for b in (booking, other):
        db.add(PaymentOrder(id=f"P{b}", booking_id=b, kind="deposit", amount=100_000, gateway="sandbox",
                            status="paid"))
        db.flush()
        post(db, kind="payment", ref=f"P{b}", booking_id=b, artist_id=artist,
             lines=[(accounts.gateway("sandbox"), 100_000), (accounts.ESCROW, -100_000)])
        db.add(Payout(booking_id=b, artist_id=artist, gross_amount=100_000, commission_amount=10_000,
                      payout_amount=90_000, status="paid"))
    # Settled and paid out in the ledger for one booking only.
    post(db, kind="settlement", ref=f"booking-{booking}", booking_id=booking, artist_id=artist,
         lines=[(accounts.ESCROW, 100_000), (accounts.ARTIST_PAYABLE, -90_000), (accounts.COMMISSION, -10_000)])
    post(db, kind="payout", ref=f"PO{booking}", booking_id=booking, artist_id=artist,
         lines=[(accounts.ARTIST_PAYABLE, 90_000), (accounts.payout("sandbox"), -90_000)])
    db.flush()
    assert booking_problems(db, booking) == []
    problems = booking_problems(db, other)
    assert "escrow balance -100000 (expected 0)" in problems
    assert any(p.startswith("payments 100000 - refunds 0 != payouts 0") for p in problems)
    assert unbalanced_entries(db) == []
    entry = db.scalar(select(JournalEntry).where(JournalEntry.ref == f"booking-{booking}"))
    assert entry is not None
    db.add(JournalLine(entry_id=entry.id, account=accounts.COMMISSION, booking_id=booking, amount=-1))
    db.flush()
    assert [(kind, total) for _, kind, _, total in unbalanced_entries(db)] == [("settlement", -1)]
