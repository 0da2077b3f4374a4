from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from domain.cases.schemas import CaseOut
from domain.enums import ArtistType
from domain.pages import Page
from domain.reviews.schemas import RatingSummary, ReviewOut


class ArtistCard(BaseModel):
    id: int
    stage_name: str
    artist_types: list[ArtistType]
    artist_type_labels: list[str]
    styles: list[str]
    city: str
    price_min_amount: int | None
    price_max_amount: int | None
    verified: bool
    bio: str  # phone numbers / WeChat ids masked
    avatar_url: str | None = None  # short-lived signed URL of the approved avatar's thumbnail
    price_hidden: bool = False  # 面议: prices are hidden and price_min/max_amount are None
    rating: float | None = None  # mean of the three scores over visible reviews; None before the first
    review_count: int = 0
    tags: list[str] = []
    response_rate: int | None = None  # % of requests answered, not left to expire; None before the first
    cover_url: str | None = None  # short-lived signed thumbnail of the first approved case's first image
    completed_shows: int = 0  # bookings performed with this artist (performed, accepted, settling or completed)
    # Only in a list filtered by city: "local" when the artist lives in one of the cities asked for, "travel"
    # when they only travel there (card label 可赴上海); `matched_city` is that city.
    city_match: Literal["local", "travel"] | None = None
    matched_city: str | None = None


class ArtistPage(Page[ArtistCard]):
    # Counts over every match: {"artist_types": {"singer": 12}, "cities": {"上海": 5}}
    facets: dict[str, dict[str, int]] = {}


class PriceOut(BaseModel):
    title: str
    duration_minutes: int
    min_amount: int
    max_amount: int
    negotiable: bool


class PublicSlot(BaseModel):
    start: datetime
    end: datetime
    status: str  # available / unavailable: the public never sees why


class TeamMember(BaseModel):
    name: str
    role: str


class ContactOut(BaseModel):
    phone: str  # masked (138****5678) unless the viewer has a confirmed booking with the artist
    wechat: str | None
    masked: bool


class ArtistDetail(ArtistCard):
    regions: list[str] = []
    active_since_year: int | None = None
    works: list[str] = []
    team: list[TeamMember] = []
    travel_terms: str = ""
    prices: list[PriceOut]  # empty when price_hidden
    calendar: list[PublicSlot]
    contact: ContactOut | None = None  # None when the artist hides contact details (until a confirmed booking)
    cases: list[CaseOut] = []  # approved cases only, in the artist's order
    rating_summary: RatingSummary | None = None
    recent_reviews: list[ReviewOut] = []
    favorited: bool = False  # the logged-in viewer saved this artist (意向艺人)


Day = date  # a field named `date` can't be annotated with the bare name `date`


class CalendarDay(BaseModel):
    date: Day
    status: Literal["available", "unavailable"]  # the public never sees why a day is taken


class MonthCalendar(BaseModel):
    artist_id: int
    month: str  # YYYY-MM, days in Asia/Shanghai
    days: list[CalendarDay]
