"""Request and response shapes of artist profile editing and review, privacy, tags and qualifications.

Inputs forbid unknown fields and bound every string and list; free text is stored as typed (masking happens on
public output, see domain.privacy)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from domain.accounts.schemas import Phone
from domain.enums import CITIES, ArtistType
from domain.inputs import Input, Text
from domain.pages import Page
from domain.time import SHANGHAI, utc_now

MIN_ACTIVE_SINCE_YEAR = 1950


Amount = Annotated[int, Field(ge=0, le=10**11)]  # fen


class TeamMemberIn(Input):
    name: Annotated[str, Text(30, min_length=1)]
    role: Annotated[str, Text(30, min_length=1)]


class PriceLineIn(Input):
    """One price: a fixed amount (max_amount omitted or equal) or a range, in fen."""

    title: Annotated[str, Text(60, min_length=1)]
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    min_amount: Amount
    max_amount: Amount | None = None
    negotiable: bool = False

    @model_validator(mode="after")
    def _range(self) -> PriceLineIn:
        if self.max_amount is None:
            self.max_amount = self.min_amount
        if self.max_amount < self.min_amount:
            raise ValueError(f"价格「{self.title}」的最高价不能低于最低价")
        return self


class ProfileData(Input):
    """Everything the public artist page shows that the artist edits (reviewed before it goes public)."""

    stage_name: Annotated[str, Text(50, min_length=1)]
    avatar_upload_id: Annotated[str, Text(36)] | None = None
    artist_types: Annotated[list[ArtistType], Field(min_length=1, max_length=8)]
    styles: Annotated[list[Annotated[str, Text(30, min_length=1)]], Field(max_length=10)] = []
    city: Annotated[str, Text(30, min_length=2)]
    regions: Annotated[list[Annotated[str, Text(30)]], Field(max_length=len(CITIES))] = []
    active_since_year: int | None = None
    bio: Annotated[str, Text(2000, multiline=True)] = ""
    works: Annotated[list[Annotated[str, Text(100, min_length=1)]], Field(max_length=20)] = []
    team: Annotated[list[TeamMemberIn], Field(max_length=10)] = []
    prices: Annotated[list[PriceLineIn], Field(max_length=20)] = []
    travel_terms: Annotated[str, Text(300, multiline=True)] = ""

    @field_validator("avatar_upload_id")
    @classmethod
    def _blank_avatar(cls, v: str | None) -> str | None:
        return v or None

    @field_validator("artist_types")
    @classmethod
    def _dedupe_types(cls, v: list[ArtistType]) -> list[ArtistType]:
        return list(dict.fromkeys(v))

    @field_validator("styles", "works")
    @classmethod
    def _dedupe(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))

    @field_validator("regions")
    @classmethod
    def _regions(cls, v: list[str]) -> list[str]:
        unknown = [r for r in v if r not in CITIES]
        if unknown:
            raise ValueError(f"暂不支持的演出地区：{'、'.join(unknown[:3])}（可选：{'、'.join(CITIES)}）")
        return list(dict.fromkeys(v))

    @field_validator("active_since_year")
    @classmethod
    def _year(cls, v: int | None) -> int | None:
        this_year = utc_now().astimezone(SHANGHAI).year
        if v is not None and not MIN_ACTIVE_SINCE_YEAR <= v <= this_year:
            raise ValueError(f"从业起始年份须在{MIN_ACTIVE_SINCE_YEAR}年到{this_year}年之间")
        return v


DraftStatus = Literal["editing", "pending", "approved", "rejected", "published"]
DRAFT_STATUS_LABELS = {"editing": "编辑中（未提交）", "pending": "审核中", "approved": "已通过",
                       "rejected": "未通过", "published": "已发布"}


class TeamMemberOut(BaseModel):
    name: str
    role: str


class PriceLineOut(BaseModel):
    title: str
    duration_minutes: int
    min_amount: int
    max_amount: int
    negotiable: bool


class ProfileDataOut(BaseModel):
    stage_name: str
    avatar_upload_id: str | None
    avatar_url: str | None  # short-lived signed thumbnail URL, for the owner or the reviewing operator
    artist_types: list[ArtistType]
    artist_type_labels: list[str]
    styles: list[str]
    city: str
    regions: list[str]
    active_since_year: int | None
    bio: str
    works: list[str]
    team: list[TeamMemberOut]
    prices: list[PriceLineOut]
    travel_terms: str


class PrivacyIn(Input):
    hide_prices: bool
    hide_contact: bool


class PrivacyOut(BaseModel):
    hide_prices: bool  # prices are shown as 面议
    hide_contact: bool  # contact details only for clients with a confirmed booking


class DraftOut(BaseModel):
    """The artist's profile as being edited. status `published`: no draft, this is the public profile."""

    artist_id: int
    status: DraftStatus
    status_label: str
    review_reason: str | None  # why the last submission was rejected
    submitted_at: datetime | None
    reviewed_at: datetime | None
    updated_at: datetime | None
    data: ProfileDataOut
    privacy: PrivacyOut
    # False until an operator approves the first profile (入驻审核): till then nobody else sees the artist.
    listed: bool = True


class ReviewItemOut(BaseModel):
    """One submission in the operators' queue: the draft next to what the public sees now."""

    artist_id: int
    status: DraftStatus
    status_label: str
    submitted_at: datetime | None
    review_reason: str | None
    draft: ProfileDataOut
    current: ProfileDataOut
    changed_fields: list[str]  # names of the fields that differ between draft and current
    # A new artist's first profile (入驻申请): not public yet; approving it makes the artist public.
    onboarding: bool = False
    phone: str = ""  # the account's phone, masked: who applied
    registered_at: datetime | None = None


ProfileReviewPage = Page[ReviewItemOut]


class DecisionIn(Input):
    # The queue item's submitted_at: the decision applies to that submission only (optional for API callers).
    submitted_at: datetime | None = None


Reason = Annotated[str, Text(500, min_length=1, multiline=True)]


class ProfileRejectIn(DecisionIn):
    reason: Reason


class RejectIn(Input):
    reason: Reason


# --- tags


class TagIn(Input):
    name: Annotated[str, Text(20, min_length=1)]


class TagOut(BaseModel):
    id: int
    name: str
    artist_count: int = 0


class ArtistTagsOut(BaseModel):
    artist_id: int
    tags: list[TagOut]


class DeletedOut(BaseModel):
    id: int
    deleted: bool


# --- qualifications

QualificationKind = Literal["certificate", "performance_licence", "other"]
QUALIFICATION_KIND_LABELS = {"certificate": "资格证书", "performance_licence": "营业性演出许可证", "other": "其他资质"}
QUALIFICATION_STATUS_LABELS = {"pending": "审核中", "approved": "已通过", "rejected": "未通过"}


class QualificationIn(Input):
    upload_id: Annotated[str, Text(36, min_length=1)]
    kind: QualificationKind
    title: Annotated[str, Text(60, min_length=1)]


class QualificationOut(BaseModel):
    id: int
    artist_id: int
    stage_name: str
    kind: str
    kind_label: str
    title: str
    upload_id: str
    content_type: str
    status: str
    status_label: str
    review_reason: str | None
    created_at: datetime
    reviewed_at: datetime | None


QualificationPage = Page[QualificationOut]


# --- the artist's agent team (经纪人/助理 who edit the profile on the artist's behalf)

ManagerRole = Literal["agent", "assistant"]
MANAGER_ROLE_LABELS = {"agent": "经纪人", "assistant": "助理"}


class ManagerIn(Input):
    """Invite a team member (or offer a member a new role) by phone; they join by accepting."""

    phone: Phone
    role: ManagerRole


class ManagerOut(BaseModel):
    user_id: int
    phone: str | None  # masked
    role: str
    role_label: str
    added_at: datetime


class ManagedArtistOut(BaseModel):
    artist_id: int
    stage_name: str
    role: str
    role_label: str
    added_at: datetime


class TeamInvitationOut(BaseModel):
    """A pending invitation as the artist sees it: the phone stays masked, no account is named."""

    id: int
    phone_masked: str
    role: str
    role_label: str
    created_at: datetime
    expires_at: datetime


class TeamInviteOut(TeamInvitationOut):
    """The answer to an invitation: the same for a registered and an unregistered phone."""

    invited: bool = True


class ReceivedInvitationOut(BaseModel):
    """An invitation as the invited user sees it."""

    id: int
    artist_id: int
    stage_name: str
    role: str
    role_label: str
    created_at: datetime
    expires_at: datetime
