"""系统设置 (every rule with validation and history) and the integration status."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["admin"])
