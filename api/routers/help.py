"""帮助中心: FAQ articles by category (public) and their management in the console."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["help"])
