"""Response shapes of the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from domain.pages import Page


class AuditLogOut(BaseModel):
    id: int
    operator_id: int | None
    operator_name: str | None  # display name (username), None for the system
    action: str
    summary: str
    target_type: str | None
    target_id: str | None
    changes: list[dict[str, Any]]
    request: dict[str, Any] | None
    source: str
    ip: str | None
    created_at: datetime


AuditLogPage = Page[AuditLogOut]
