from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.inputs import Text
from domain.pages import Page

MAX_PHOTOS = 9
Score = Annotated[int, Field(ge=1, le=5, strict=True)]  # strict: no "5", 4.5 or true
UploadId = Annotated[str, Text(36, min_length=1)]


class ReviewIn(BaseModel):
    """The client's review of a completed booking."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    effect_score: Score
    attitude_score: Score
    punctuality_score: Score
    text: Annotated[str, Text(1000, multiline=True)] = ""
    photo_upload_ids: Annotated[list[UploadId], Field(max_length=MAX_PHOTOS)] = []  # own case_image uploads

    @field_validator("photo_upload_ids")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("评价照片不能重复")
        return value


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reply: Annotated[str, Text(500, min_length=1, multiline=True)]


class HideIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: Annotated[str, Text(500, min_length=1, multiline=True)]


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


class ReviewDetail(ReviewOut):
    """A review as its client, the reviewed artist or an operator sees it (hidden ones included)."""

    booking_id: int
    artist_id: int
    artist_name: str
    client_org: str | None  # unmasked, for the client and operators only
    average: float  # mean of the three scores, one decimal
    photo_upload_ids: list[str]
    status: Literal["visible", "hidden"]
    status_label: str
    hidden_reason: str | None
    hidden_at: datetime | None
    reply_updated_at: datetime | None


class ReviewPage(Page[ReviewOut]):
    summary: RatingSummary


ReviewDetailPage = Page[ReviewDetail]
