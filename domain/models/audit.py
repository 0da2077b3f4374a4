"""Operator roles (a named set of permission codes) and the audit log of every operator write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class Role(Base):
    """An operator role. Built-in roles (seeded by migration 0016) can be edited but not deleted; super_admin
    holds every code whatever its row says (domain.accounts.permissions.operator_may)."""

    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    permissions: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list, server_default="{}")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_at: Mapped[datetime] = _now_col()
    updated_at: Mapped[datetime] = _now_col()


class AuditLog(Base):
    """Who changed what: one row per console write (the API writes it when the request commits), per Temporal
    UI intervention and per system action. `changes` holds each changed row with before/after of the changed
    columns (secrets as "***"); `request` the path parameters and body."""

    __tablename__ = "audit_logs"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(200))  # e.g. "PUT /admin/roles/{role_id}"
    summary: Mapped[str] = mapped_column(String(200))
    target_type: Mapped[str | None] = mapped_column(String(60))
    target_id: Mapped[str | None] = mapped_column(String(100))
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    request: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    source: Mapped[str] = mapped_column(String(16), default="console", server_default="console")
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = _now_col()

    __table_args__ = (
        CheckConstraint("source in ('console','temporal_ui','system')", name="source"),
        Index("ix_audit_logs_created_at", "created_at"),
        Index("ix_audit_logs_operator", "operator_id", "created_at"),
        Index("ix_audit_logs_target", "target_type", "target_id"),
    )
