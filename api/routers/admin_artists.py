"""Artists in the console: onboarding approval, per-artist statistics, user and artist exports."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["admin"])
