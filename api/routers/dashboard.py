"""The console's dashboards: GMV, orders, funnel, demand, top artists, new users."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["admin"])
