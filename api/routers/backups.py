"""Database backups: the list of dumps in object storage (taken daily by a Temporal Schedule)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["admin"])
