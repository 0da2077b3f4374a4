"""Operators' roles and permissions, operator accounts and the audit log (console 系统)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["admin"])
