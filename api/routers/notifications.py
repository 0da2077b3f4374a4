"""The notification centre and each user's 通知设置 (which kinds reach them on which channel)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["notifications"])
