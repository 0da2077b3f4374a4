"""Request and response shapes of the accounts domain. Inputs forbid unknown fields and bound every string."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from domain.enums import ArtistType, Industry, VerificationSubject

Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^1[3-9]\d{9}$")]
SmsCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SmsSendIn(Input):
    phone: Phone


class SmsSendOut(BaseModel):
    sent: bool
    cooldown_seconds: int
    sandbox_code: str | None = None


class SmsLoginIn(Input):
    phone: Phone
    code: SmsCode


class WechatLoginIn(Input):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class RefreshIn(Input):
    refresh_token: Annotated[str, StringConstraints(min_length=10, max_length=200)]


class RoleIn(Input):
    role: Literal["client", "artist"]


class ClientProfileIn(Input):
    org_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
    industry: Industry
    contact_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    contact_phone: Phone


class ArtistProfileIn(Input):
    stage_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    artist_types: Annotated[list[ArtistType], Field(min_length=1, max_length=8)]
    styles: Annotated[
        list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]],
        Field(max_length=20),
    ] = []
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=30)]
    contact_phone: Phone
    contact_wechat: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None

    @field_validator("artist_types")
    @classmethod
    def _dedupe(cls, v: list[ArtistType]) -> list[ArtistType]:
        return list(dict.fromkeys(v))


class VerificationIn(Input):
    subject: VerificationSubject
    legal_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)]
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                                pattern=r"^\d{17}[\dXx]$")]
    licence_upload_id: Annotated[str, StringConstraints(max_length=36)] | None = None


class ClientProfileOut(BaseModel):
    org_name: str
    industry: str
    industry_label: str
    contact_name: str
    contact_phone: str


class ArtistProfileOut(BaseModel):
    stage_name: str
    artist_types: list[str]
    styles: list[str]
    city: str
    contact_phone: str
    contact_wechat: str | None


class VerificationOut(BaseModel):
    status: str
    reason: str | None = None
    subject: str | None = None
    legal_name: str | None = None
    id_number: str | None = None


class MeOut(BaseModel):
    id: int
    phone: str | None
    status: str
    roles: list[str]
    acting_role: str | None
    client_profile: ClientProfileOut | None
    artist_profile: ArtistProfileOut | None
    verification: VerificationOut
    can_book: bool
    can_book_reason: str | None


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    me: MeOut | None = None


class OperatorLoginIn(Input):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class OperatorOut(BaseModel):
    id: int
    username: str
    display_name: str


class OperatorTokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    operator: OperatorOut


class OperatorCreateIn(Input):
    username: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-zA-Z0-9_.-]{3,40}$")]
    password: Annotated[str, StringConstraints(min_length=8, max_length=128)]
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class UserStatusIn(Input):
    status: Literal["active", "warned", "banned"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]


class AdminUserOut(BaseModel):
    id: int
    phone: str | None
    status: str
    roles: list[str]
    org_name: str | None
    stage_name: str | None
    verification_status: str
    created_at: datetime


class AdminUserPage(BaseModel):
    items: list[AdminUserOut]
    total: int
    page: int
    page_size: int


class StatusChangeOut(BaseModel):
    id: int
    from_status: str
    to_status: str
    reason: str
    operator_id: int
    operator_name: str
    created_at: datetime


class SettingIn(Input):
    key: Literal["booking.require_verification"]
    value: bool


class SettingOut(BaseModel):
    key: str
    value: bool | int | str | None
    updated_at: datetime


class UploadOut(BaseModel):
    upload_id: str
