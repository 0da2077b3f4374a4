"""Chat between a client and an artist: conversations, messages (REST) and the real-time socket."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["chat"])
