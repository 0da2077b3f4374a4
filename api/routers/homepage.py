"""首页推荐, banners and announcements: managed in the console, shown on the mini-program home."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["admin"])
