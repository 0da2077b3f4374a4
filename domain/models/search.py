"""The search outbox: artists whose search entry must be rewritten."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class SearchOutbox(Base):
    """Artists whose search entry must be rewritten. Written in the same transaction as the change, so an
    index that is down loses nothing: the outbox is drained (and retried) after commit and by the worker."""

    __tablename__ = "search_outbox"
    artist_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    enqueued_at: Mapped[datetime] = _now_col()
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(300))
