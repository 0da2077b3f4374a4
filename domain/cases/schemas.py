from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from domain.inputs import Input, InputDate, Text
from domain.pages import Page
from domain.time import SHANGHAI, utc_now


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


# --- the artist's own cases and the operators' review queue

MAX_CASE_IMAGES = 9
MAX_CASE_VIDEOS = 1
MAX_CASES = 50  # per artist: a portfolio, not a gallery
CaseId = Annotated[int, Field(ge=1, le=2**62)]
UploadId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
Title = Annotated[str, Text(60, min_length=1)]
EventType = Annotated[str, Text(30, min_length=1)]
Description = Annotated[str, Text(1000, multiline=True)]
MediaIds = Annotated[list[UploadId], Field(min_length=1, max_length=MAX_CASE_IMAGES + MAX_CASE_VIDEOS)]


def _check_date(day: date | None) -> None:
    if day is not None and day > utc_now().astimezone(SHANGHAI).date():
        raise ValueError("演出日期不能晚于今天")


def _check_media(ids: list[str] | None) -> None:
    if ids is not None and len(set(ids)) != len(ids):
        raise ValueError("同一个文件不能重复添加")


class CaseIn(Input):
    """A new case. `media`: upload ids in display order (purpose case_image ≤9, case_video ≤1)."""

    title: Title
    event_type: EventType
    performed_on: InputDate | None = None
    description: Description = ""
    media: MediaIds

    @model_validator(mode="after")
    def _check(self) -> CaseIn:
        _check_date(self.performed_on)
        _check_media(self.media)
        return self


class CasePatch(Input):
    """Only the fields sent change; `media` replaces the whole list. Any change sends the case back to review."""

    title: Title | None = None
    event_type: EventType | None = None
    performed_on: InputDate | None = None  # null clears it
    description: Description | None = None
    media: MediaIds | None = None

    @model_validator(mode="after")
    def _check(self) -> CasePatch:
        for name, label in (("title", "标题"), ("event_type", "活动类型"), ("description", "描述"),
                            ("media", "图片/视频")):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{label}不能为空")
        _check_date(self.performed_on)
        _check_media(self.media)
        return self


class CaseOrderIn(Input):
    ids: Annotated[list[CaseId], Field(min_length=1, max_length=MAX_CASES)]


class CaseDecisionIn(Input):
    updated_at: datetime | None = None  # the version the operator looked at (optional for API callers)


class CaseRejectIn(CaseDecisionIn):
    reason: Annotated[str, Text(500, min_length=2, multiline=True)]


class CaseMediaDetailOut(CaseMediaOut):
    upload_id: str
    check_status: str  # pending / pass / review / risky (WeChat content security)
    check_label: str


class ArtistCaseOut(BaseModel):
    """A case as its artist (and operators) see it: every status, with the reviews' verdicts."""

    id: int
    title: str
    event_type: str
    performed_on: date | None
    description: str
    position: int
    moderation_status: str  # pending / approved / rejected
    moderation_label: str
    review_reason: str | None
    machine_check: str  # pending / pass / review / risky
    machine_check_label: str
    created_at: datetime
    updated_at: datetime
    media: list[CaseMediaDetailOut]


class AdminCaseOut(ArtistCaseOut):
    artist_id: int
    stage_name: str
    reviewed_at: datetime | None


AdminCasePage = Page[AdminCaseOut]
