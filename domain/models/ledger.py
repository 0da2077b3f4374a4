"""The double-entry ledger: journal entries with signed lines (+ debit, − credit) that add up to zero."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class JournalEntry(Base):
    """One money movement (a payment, a refund part, a settlement, a payout, a gateway fee), posted once per
    (kind, ref): the ref names its owner (an order id, `<refund id>:<order id>`, `booking-<id>`, a payout no)."""

    __tablename__ = "journal_entries"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(120))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    artist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    memo: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = _now_col()

    __table_args__ = (UniqueConstraint("kind", "ref", name="uq_journal_entries_kind_ref"),
                      Index("ix_journal_entries_created_at", "created_at"))  # the dashboard's money by day


class JournalLine(Base):
    __tablename__ = "journal_lines"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    account: Mapped[str] = mapped_column(String(60))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    artist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int] = mapped_column(BigInteger)  # fen, + debit / − credit

    __table_args__ = (
        Index("ix_journal_lines_account_booking", "account", "booking_id"),
        Index("ix_journal_lines_booking_id", "booking_id"),
    )
