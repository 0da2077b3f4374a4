from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class CaseMediaOut(BaseModel):
    kind: str  # image / video
    url: str  # short-lived signed URL
    thumbnail_url: str | None = None  # images only


class CaseOut(BaseModel):
    """A case as the public sees it (approved only)."""

    id: int
    title: str
    event_type: str
    performed_on: date | None
    description: str
    media: list[CaseMediaOut]
