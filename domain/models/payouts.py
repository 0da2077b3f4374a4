"""Where an artist's money goes (their 收款账户) and the bank-transfer batches finance pays by hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class ArtistPayoutAccount(Base):
    """The artist's bank account for the bank-transfer channel. Name and number are AES-GCM encrypted; the
    masked forms are what the API shows."""

    __tablename__ = "artist_payout_accounts"
    artist_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    account_name_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    account_name_masked: Mapped[str] = mapped_column(String(40))
    account_no_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    account_no_masked: Mapped[str] = mapped_column(String(40))
    bank_name: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = _now_col()


class PayoutBatch(Base):
    """One bank-transfer batch file handed to finance: the bank payouts in flight when it was made."""

    __tablename__ = "payout_batches"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(32), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    line_count: Mapped[int] = mapped_column(Integer)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _now_col()


class PayoutBatchLine(Base):
    """One transfer of a batch. `transfer_no` is the number sent to the bank (the payout_no, with an attempt
    suffix after a failed transfer), so one transfer is in at most one batch."""

    __tablename__ = "payout_batch_lines"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("payouts.booking_id"), index=True)
    transfer_no: Mapped[str] = mapped_column(String(40), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    account_name_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    account_no_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    bank_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="exported", server_default="exported")
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    settled_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("status in ('exported','paid','failed')", name="status"),)
