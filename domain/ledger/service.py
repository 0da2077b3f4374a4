"""Posting to the double-entry ledger. `post` only flushes: an entry is written in the caller's transaction,
the same one as the payment, refund or payout row it accounts for, so the two never disagree."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from domain.ledger.errors import LedgerUnbalanced
from domain.models import JournalEntry, JournalLine
from domain.time import utc_now


def post(session: Session, *, kind: str, ref: str, booking_id: int | None, artist_id: int | None,
         lines: list[tuple[str, int]], memo: str = "") -> JournalEntry | None:
    """Post one balanced entry: `lines` are (account, signed fen; + debit, − credit) and must sum to zero.

    Idempotent on (kind, ref): posting the same kind and ref again writes nothing and returns None, so a retried
    activity or a repeated callback can't count money twice. Zero lines are dropped (a settlement with no
    commission); an entry with nothing left is not written."""
    if not lines or sum(amount for _, amount in lines) != 0:
        raise LedgerUnbalanced(detail={"kind": kind, "ref": ref, "lines": [list(line) for line in lines]})
    lines = [(account, amount) for account, amount in lines if amount != 0]
    if not lines:
        return None
    entry_id = session.execute(
        pg_insert(JournalEntry)
        .values(kind=kind, ref=ref, booking_id=booking_id, artist_id=artist_id, memo=memo[:200], created_at=utc_now())
        .on_conflict_do_nothing(constraint="uq_journal_entries_kind_ref")
        .returning(JournalEntry.id)).scalar_one_or_none()
    if entry_id is None:
        return None
    session.add_all([JournalLine(entry_id=entry_id, account=account, booking_id=booking_id, artist_id=artist_id,
                                 amount=amount) for account, amount in lines])
    session.flush()
    return session.get(JournalEntry, entry_id)


def balance(session: Session, account: str, *, booking_id: int | None = None) -> int:
    """Debits − credits of `account` (of one booking's lines when booking_id is given), in fen."""
    query = select(func.coalesce(func.sum(JournalLine.amount), 0)).where(JournalLine.account == account)
    if booking_id is not None:
        query = query.where(JournalLine.booking_id == booking_id)
    return int(session.scalar(query) or 0)


def posted(session: Session, kind: str, ref: str) -> bool:
    return session.scalar(select(JournalEntry.id).where(JournalEntry.kind == kind, JournalEntry.ref == ref)) is not None
