"""Writing and reading audit rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from domain.audit.masking import mask
from domain.models import AuditLog, Operator

Source = Literal["console", "temporal_ui", "system"]


def record(session: Session, *, operator_id: int | None, action: str, summary: str, target_type: str | None,
           target_id: str | None, changes: list[dict[str, Any]] | None = None, request: dict[str, Any] | None = None,
           source: Source = "console", ip: str | None = None) -> AuditLog:
    """One audit row, in the caller's transaction (it commits with the change it describes). `request` is masked
    here (password / secret / token fields become "***"), so callers can pass a body as they got it."""
    row = AuditLog(operator_id=operator_id, action=action[:200], summary=summary[:200], target_type=target_type,
                   target_id=None if target_id is None else str(target_id)[:100], changes=changes or [],
                   request=mask(request) if request is not None else None, source=source,
                   ip=None if ip is None else ip[:64])
    session.add(row)
    session.flush()
    return row


def _filtered(operator_id: int | None, keyword: str | None, target_type: str | None, target_id: str | None,
              source: str | None, since: datetime | None, until: datetime | None
              ) -> Select[AuditLog, str, str]:
    q = select(AuditLog, Operator.display_name, Operator.username).outerjoin(
        Operator, Operator.id == AuditLog.operator_id)
    if operator_id is not None:
        q = q.where(AuditLog.operator_id == operator_id)
    if keyword:
        q = q.where(or_(AuditLog.action.icontains(keyword, autoescape=True),
                        AuditLog.summary.icontains(keyword, autoescape=True)))
    if target_type:
        q = q.where(AuditLog.target_type == target_type)
    if target_id:
        q = q.where(AuditLog.target_id == target_id)
    if source:
        q = q.where(AuditLog.source == source)
    if since is not None:
        q = q.where(AuditLog.created_at >= since)
    if until is not None:
        q = q.where(AuditLog.created_at < until)
    return q


def search(session: Session, *, operator_id: int | None = None, keyword: str | None = None,
           target_type: str | None = None, target_id: str | None = None, source: str | None = None,
           since: datetime | None = None, until: datetime | None = None, page: int = 1, page_size: int = 20,
           ) -> tuple[list[tuple[AuditLog, str | None, str | None]], int]:
    """Audit rows newest first, with the operator's display name and username, and the total."""
    q = _filtered(operator_id, keyword, target_type, target_id, source, since, until)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.execute(q.order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return [(r[0], r[1], r[2]) for r in rows], int(total)
