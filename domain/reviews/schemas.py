from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class RatingSummary(BaseModel):
    count: int
    average: float | None  # mean of the three scores, one decimal; None without reviews
    effect: float | None
    attitude: float | None
    punctuality: float | None


class ReviewOut(BaseModel):
    """A visible review as the public sees it."""

    id: int
    client_label: str  # the client's organisation, masked (星河***)
    effect_score: int
    attitude_score: int
    punctuality_score: int
    text: str
    photo_urls: list[str]
    reply: str | None
    replied_at: datetime | None
    created_at: datetime
