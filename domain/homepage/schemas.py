"""Shapes of the home page content: what operators send and see in the console, and what the mini-program gets."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from domain.artists.schemas import ArtistCard
from domain.inputs import Input, Text
from domain.pages import Page
from domain.time import UtcDatetime

MAX_RECOMMENDED = 20  # one scrolling row on the home page
MAX_BANNERS = 10
ArtistId = Annotated[int, Field(ge=1, le=2**62)]
BannerId = Annotated[int, Field(ge=1, le=2**62)]
# A page of the mini-program, as uni.navigateTo takes it: /pages/... or /subpkg/..., with an optional query.
PAGE_PATH = re.compile(r"^/(pages|subpkg)/[A-Za-z0-9_\-/]+(\?[A-Za-z0-9_\-=&%.]*)?$")
# What POST /admin/homepage/banner-images answers: a key under private/banners/ (domain.homepage.service).
ImageKey = Annotated[str, StringConstraints(max_length=200, pattern=r"^private/banners/[0-9a-f]{32}\.(jpg|png|webp)$")]
LinkType = Literal["none", "artist", "page"]
# Where a banner or announcement stands right now (for the console's status column).
Status = Literal["scheduled", "live", "ended", "disabled"]
STATUS_LABELS: dict[str, str] = {"scheduled": "未开始", "live": "展示中", "ended": "已结束", "disabled": "已停用"}


def _check_window(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValueError("结束时间必须晚于开始时间")


# --- 首页推荐


class RecommendationsIn(Input):
    """The whole 推荐艺人 list in display order (an empty list clears it)."""

    artist_ids: Annotated[list[ArtistId], Field(max_length=MAX_RECOMMENDED)]

    @model_validator(mode="after")
    def _check(self) -> RecommendationsIn:
        if len(set(self.artist_ids)) != len(self.artist_ids):
            raise ValueError("同一位艺人不能重复推荐")
        return self


class RecommendationOut(BaseModel):
    artist_id: int
    stage_name: str
    city: str
    artist_type_labels: list[str]
    avatar_url: str | None
    # False when the artist is no longer public (banned, unpublished): kept in the list, not shown on the home page.
    public: bool


class ArtistOption(BaseModel):
    """A public artist the operator may recommend (the picker's search results)."""

    id: int
    stage_name: str
    city: str
    artist_type_labels: list[str]
    avatar_url: str | None


# --- banners


class BannerImageOut(BaseModel):
    image_key: str  # send it back as BannerIn.image_key
    image_url: str  # short-lived signed URL, for the preview


class BannerIn(Input):
    """A banner. Times are instants (send them with their offset, e.g. +08:00); no start: at once, no end: until
    taken down. `link_value`: the artist id for link_type artist, the page path for page."""

    title: Annotated[str, Text(40, min_length=1)]
    image_key: ImageKey
    link_type: LinkType = "none"
    link_value: Annotated[str, Text(200)] = ""
    starts_at: UtcDatetime | None = None
    ends_at: UtcDatetime | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _check(self) -> BannerIn:
        _check_window(self.starts_at, self.ends_at)
        if self.link_type == "none":
            self.link_value = ""
        elif self.link_type == "artist" and not (self.link_value.isascii() and self.link_value.isdigit()
                                                 and 1 <= int(self.link_value) <= 2**62):
            raise ValueError("跳转艺人请选择一位艺人")
        elif self.link_type == "page" and not PAGE_PATH.match(self.link_value):
            raise ValueError("跳转页面请填写小程序页面路径，如 /pages/favorites/index")
        return self


class BannerOrderIn(Input):
    ids: Annotated[list[BannerId], Field(min_length=1, max_length=MAX_BANNERS)]


class BannerOut(BaseModel):
    id: int
    title: str
    image_key: str
    image_url: str
    link_type: LinkType
    link_value: str
    link_label: str  # 艺人：林晚晴 / 页面：/pages/... / 不跳转
    starts_at: datetime | None
    ends_at: datetime | None
    enabled: bool
    position: int
    status: Status
    status_label: str
    updated_at: datetime


# --- 公告


class AnnouncementIn(Input):
    """An announcement. No start: from now; no end: until taken down. Pinned ones come first."""

    title: Annotated[str, Text(60, min_length=1)]
    body: Annotated[str, Text(2000, min_length=1, multiline=True)]
    starts_at: UtcDatetime | None = None
    ends_at: UtcDatetime | None = None
    pinned: bool = False

    @model_validator(mode="after")
    def _check(self) -> AnnouncementIn:
        _check_window(self.starts_at, self.ends_at)
        return self


class AnnouncementOut(BaseModel):
    id: int
    title: str
    body: str
    starts_at: datetime
    ends_at: datetime | None
    pinned: bool
    status: Status
    status_label: str
    created_at: datetime
    updated_at: datetime


AnnouncementPage = Page[AnnouncementOut]


# --- the mini-program home


class PublicBanner(BaseModel):
    id: int
    title: str
    image_url: str  # signed, valid for an hour
    link_type: LinkType
    link_value: str


class PublicAnnouncement(BaseModel):
    id: int
    title: str
    body: str
    starts_at: datetime
    pinned: bool


class HomeOut(BaseModel):
    banners: list[PublicBanner]
    recommended: list[ArtistCard]
    announcements: list[PublicAnnouncement]
