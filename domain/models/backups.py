"""Database backups: one row per pg_dump run (daily schedule or an operator's 立即备份)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class Backup(Base):
    """`workflow_id` names the run that took it, so a retried activity finishes the same row. `key` is the dump's
    object in storage (private/backups/…); an expired backup keeps its row (history) but no longer its object."""

    __tablename__ = "backups"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(200), unique=True)
    trigger: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="running", server_default="running")
    key: Mapped[str | None] = mapped_column(String(300))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    server_version: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(String(1000))
    started_at: Mapped[datetime] = _now_col()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("status in ('running','succeeded','failed','expired')", name="status"),
        CheckConstraint("trigger in ('schedule','manual')", name="trigger"),
        Index("ix_backups_started_at", "started_at"),
    )
