"""投诉与反馈: a user's complaint tickets and the console's handling of them."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["complaints"])
