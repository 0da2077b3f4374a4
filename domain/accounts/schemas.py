"""Request and response shapes of the accounts domain. Inputs forbid unknown fields and bound every string."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
)

from domain.accounts.permissions import Permission
from domain.enums import AccountStatus, ArtistType, Industry, Role, VerificationStatus, VerificationSubject
from domain.inputs import Input, Text
from domain.pages import Page


def ascii_digits(value: Any) -> Any:
    """NFKC-normalise and map every Unicode decimal digit (full-width １, Arabic-Indic ١ ...) to ASCII.

    The patterns below then accept ASCII only: a regex digit class matches any script's digits, so `13７...`
    became a second account beside `137...`; normalised, both reach the same one."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value)
    return "".join(str(unicodedata.decimal(c)) if not c.isascii() and unicodedata.decimal(c, None) is not None
                   else c for c in text)


# The one phone type: every phone a user types (login, profiles, inquiries, team invitations) is parsed by it.
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^1[3-9][0-9]{9}$"),
                  BeforeValidator(ascii_digits)]
SmsCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$"), BeforeValidator(ascii_digits)]
ShortText = Annotated[str, Text(50, min_length=1)]


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
    code: Annotated[str, Text(128, min_length=1)]


class RefreshIn(Input):
    refresh_token: Annotated[str, Text(200, min_length=10, strip=False)]


class RoleIn(Input):
    role: Literal["client", "artist"]


class ClientProfileIn(Input):
    org_name: Annotated[str, Text(100, min_length=2)]
    industry: Industry
    contact_name: Annotated[str, Text(50, min_length=1)]
    contact_phone: Phone


class ArtistProfileIn(Input):
    stage_name: Annotated[str, Text(50, min_length=1)]
    artist_types: Annotated[list[ArtistType], Field(min_length=1, max_length=8)]
    styles: Annotated[list[Annotated[str, Text(30, min_length=1)]], Field(max_length=20)] = []
    city: Annotated[str, Text(30, min_length=2)]
    contact_phone: Phone
    contact_wechat: Annotated[str, Text(50)] | None = None

    @field_validator("artist_types")
    @classmethod
    def _dedupe(cls, v: list[ArtistType]) -> list[ArtistType]:
        return list(dict.fromkeys(v))


class VerificationIn(Input):
    subject: VerificationSubject
    legal_name: Annotated[str, Text(40, min_length=2)]
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                                pattern=r"^[0-9]{17}[0-9Xx]$"), BeforeValidator(ascii_digits)]
    licence_upload_id: Annotated[str, Text(36)] | None = None


class ClientProfileOut(BaseModel):
    org_name: str
    industry: Industry
    industry_label: str
    contact_name: str
    contact_phone: str


class ArtistProfileOut(BaseModel):
    stage_name: str
    artist_types: list[ArtistType]
    styles: list[str]
    city: str
    contact_phone: str
    contact_wechat: str | None


class VerificationOut(BaseModel):
    status: VerificationStatus
    reason: str | None = None
    subject: VerificationSubject | None = None
    legal_name: str | None = None
    id_number: str | None = None


class MeOut(BaseModel):
    id: int
    phone: str | None
    status: AccountStatus
    roles: list[Role]
    acting_role: Role | None
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
    username: Annotated[str, Text(40, min_length=1)]
    password: Annotated[str, Text(128, min_length=1, strip=False)]


class OperatorOut(BaseModel):
    id: int
    username: str
    display_name: str
    is_active: bool
    role: str  # the role's code, e.g. "support"
    role_name: str
    permissions: list[str]  # the codes the role grants (super_admin: every code)
    created_at: datetime


class OperatorTokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    operator: OperatorOut


def _role_code(code: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", code):
        raise ValueError("角色编码须为小写字母开头的2-40位小写字母、数字或下划线")
    return code


# Its own message: the generic hint for a field named "code" is the SMS code's.
RoleCode = Annotated[str, Text(40, min_length=1), AfterValidator(_role_code)]


class OperatorCreateIn(Input):
    username: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-zA-Z0-9_.-]{3,40}$")]
    password: Annotated[str, Text(128, min_length=8, strip=False)]
    display_name: Annotated[str, Text(40, min_length=1)]
    role: RoleCode = Field(description="角色编码，如 support")


class OperatorUpdateIn(Input):
    """Only the fields sent change. A new password resets the colleague's login (their sessions end)."""

    display_name: Annotated[str, Text(40, min_length=1)] | None = None
    role: RoleCode | None = None
    is_active: StrictBool | None = None
    password: Annotated[str, Text(128, min_length=8, strip=False)] | None = None


class UserStatusIn(Input):
    status: Literal["active", "warned", "banned"]
    reason: Annotated[str, Text(500, min_length=2, multiline=True)]


class AdminUserOut(BaseModel):
    id: int
    phone: str | None
    status: AccountStatus
    roles: list[Role]
    org_name: str | None
    stage_name: str | None
    verification_status: VerificationStatus
    created_at: datetime


AdminUserPage = Page[AdminUserOut]


class StatusChangeOut(BaseModel):
    id: int
    from_status: AccountStatus
    to_status: AccountStatus
    reason: str
    operator_id: int
    operator_name: str
    created_at: datetime


class UploadOut(BaseModel):
    upload_id: str


# --- roles (domain.accounts.roles)


def _known_code(code: str) -> str:
    if code not in _CODES:
        raise ValueError(f"未知的权限编码：{code}")
    return code


_CODES = frozenset(p.value for p in Permission)
# Each code refused on its own (a 422 naming permissions.<i>): controls by Text first, then the catalogue.
PermissionCodes = Annotated[list[Annotated[str, Text(60, min_length=1), AfterValidator(_known_code)]],
                            Field(max_length=100), AfterValidator(lambda codes: list(dict.fromkeys(codes)))]


class OperatorRoleIn(Input):
    code: RoleCode
    name: Annotated[str, Text(40, min_length=1)]
    permissions: PermissionCodes


class OperatorRoleUpdateIn(Input):
    name: Annotated[str, Text(40, min_length=1)]
    permissions: PermissionCodes


class OperatorRoleOut(BaseModel):
    id: int
    code: str
    name: str
    permissions: list[str]
    builtin: bool
    operator_count: int
    updated_at: datetime


class OperatorRoleOption(BaseModel):
    code: str
    name: str


class PermissionOut(BaseModel):
    code: str
    group: str
    label: str
