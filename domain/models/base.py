"""What every model shares: the declarative base (with its constraint naming convention, in domain/db.py) and the
created-at column."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base
from domain.time import utc_now

__all__ = ["Base", "_now_col"]


def _now_col() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), default=utc_now, server_default=text("now()"))
