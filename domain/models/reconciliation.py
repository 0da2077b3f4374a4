"""Daily reconciliation: one run per gateway and day, and the differences it found (the operators' queue)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class ReconciliationRun(Base):
    """The latest run of one gateway's bill of one day (Asia/Shanghai); a rerun updates it."""

    __tablename__ = "reconciliation_runs"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    runs: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    bill_lines: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    matched: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    differences: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fee_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    started_at: Mapped[datetime] = _now_col()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("gateway", "day", name="uq_reconciliation_runs_gateway_day"),)


class ReconciliationDifference(Base):
    """One thing the gateway's bill and our books disagree on. `key` names it within its gateway and day, so a
    rerun of the same day finds it again instead of adding a copy."""

    __tablename__ = "reconciliation_differences"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    line_kind: Mapped[str] = mapped_column(String(16))  # payment / refund
    order_id: Mapped[str | None] = mapped_column(String(40))
    refund_no: Mapped[str | None] = mapped_column(String(64))
    gateway_txn_id: Mapped[str | None] = mapped_column(String(64))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    our_amount: Mapped[int | None] = mapped_column(BigInteger)
    gateway_amount: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    resolution_note: Mapped[str | None] = mapped_column(String(500))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_col()

    __table_args__ = (
        UniqueConstraint("gateway", "day", "key", name="uq_reconciliation_differences_key"),
        CheckConstraint("status in ('open','resolved')", name="status"),
        CheckConstraint("kind in ('missing_on_our_side','missing_at_gateway','amount_mismatch','ledger_missing')",
                        name="kind"),
        Index("ix_reconciliation_differences_status_day", "status", "day"),
    )
