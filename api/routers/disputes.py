"""The dispute workbench: both sides, evidence, contract, money and timeline, and the ruling."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["admin"])
