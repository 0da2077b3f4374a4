"""Upload intents, finished uploads and signed links."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel

from domain.inputs import Input, Text

Purpose = Literal["licence", "signature", "case_image", "case_video", "document", "evidence", "chat_image",
                  "chat_voice", "chat_file"]


class IntentIn(Input):
    purpose: Purpose
    content_type: Annotated[str, Text(100, min_length=1), AfterValidator(str.lower)]


class IntentOut(BaseModel):
    upload_id: str
    key: str
    url: str
    method: str
    fields: dict[str, str]
    file_field: str
    content_type: str
    max_bytes: int
    expires_at: datetime


class UploadDoneOut(BaseModel):
    upload_id: str
    key: str
    purpose: str
    content_type: str
    size: int
    thumbnail_key: str | None = None


class CompleteIn(Input):
    key: Annotated[str, Text(200, min_length=1)]


class UrlOut(BaseModel):
    url: str
    thumbnail_url: str | None = None
    expires_in: int
