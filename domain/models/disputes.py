"""Dispute statements: what each party of a disputed booking tells the operator, with their evidence photos.

The opener's reason and evidence stay on `disputes` (the workflow writes them when the dispute opens); the other
party answers here, and either party may add to what they said once, while the dispute is open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class DisputeStatement(Base):
    __tablename__ = "dispute_statements"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    author_role: Mapped[str] = mapped_column(String(16))  # client / artist
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(String(1000))
    evidence: Mapped[list[str]] = mapped_column(ARRAY(String(200)), default=list, server_default="{}")
    created_at: Mapped[datetime] = _now_col()

    # One statement per party and dispute: a second answer is refused, so the operator reads one account each.
    __table_args__ = (UniqueConstraint("dispute_id", "author_role", name="uq_dispute_statements_party"),)
