"""系统设置 history: every change of a platform rule (system_settings), who made it, and the value before/after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class SettingChange(Base):
    """One change of one rule. `before` is the value in effect until then (the default when never set)."""

    __tablename__ = "setting_changes"
    __table_args__ = (Index("ix_setting_changes_key_created", "key", "created_at"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    before: Mapped[Any] = mapped_column(JSONB, nullable=False)
    after: Mapped[Any] = mapped_column(JSONB, nullable=False)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = _now_col()
