"""Request and response shapes of favorites and demand posts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from domain.artists.schemas import ArtistCard
from domain.bookings.schemas import BookingOut, QuoteIn
from domain.enums import ArtistType
from domain.inputs import Input, Text
from domain.pages import Page
from domain.time import UtcDatetime

Amount = Annotated[int, Field(ge=0, le=10**11)]


class DemandIn(Input):
    event_type: Annotated[str, Text(30, min_length=1)]
    start_at: UtcDatetime
    end_at: UtcDatetime
    city: Annotated[str, Text(30, min_length=2)]
    venue_address: Annotated[str, Text(200)] = ""
    audience_size: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    budget_min_amount: Amount
    budget_max_amount: Amount
    artist_types: Annotated[list[ArtistType], Field(min_length=1, max_length=8)]
    description: Annotated[str, Text(2000, multiline=True)] = ""

    @model_validator(mode="after")
    def _check(self) -> DemandIn:
        if self.end_at <= self.start_at:
            raise ValueError("结束时间必须晚于开始时间")
        if (self.end_at - self.start_at).total_seconds() > 24 * 3600:
            raise ValueError("单场演出时长不能超过24小时")
        if self.budget_min_amount > self.budget_max_amount:
            raise ValueError("最低预算不能高于最高预算")
        return self


class DemandReviewIn(Input):
    status: Literal["approved", "rejected"]
    reason: Annotated[str, Text(500, multiline=True)] = ""

    @model_validator(mode="after")
    def _reason(self) -> DemandReviewIn:
        if self.status == "rejected" and len(self.reason) < 2:
            raise ValueError("驳回时请填写原因（至少2个字）")
        return self


class DemandRespondIn(Input):
    quote: QuoteIn
    message: Annotated[str, Text(500, multiline=True)] = ""


class DemandOut(BaseModel):
    id: int
    client_org: str
    event_type: str
    start_at: datetime
    end_at: datetime
    city: str
    venue_address: str
    audience_size: int | None
    budget_min_amount: int
    budget_max_amount: int
    currency: str
    artist_types: list[str]
    artist_type_labels: list[str]
    description: str
    status: str
    status_label: str
    moderation_status: str
    moderation_label: str
    review_reason: str | None  # only the owner and operators see why it was rejected
    response_count: int
    created_at: datetime
    # For an artist: already quoted / saved.
    responded: bool = False
    favorited: bool = False


DemandPage = Page[DemandOut]


class DemandRespondOut(BaseModel):
    demand_id: int
    booking: BookingOut
    # Set when the booking opened but sending the quote failed (e.g. a calendar conflict): the artist can
    # quote again from the booking page.
    quote_error: str | None = None


class DemandAnswerOut(BaseModel):
    """One artist's answer to the owner's demand: the quoted booking it opened and the artist's message."""

    artist_id: int
    message: str
    created_at: datetime
    booking: BookingOut


FavoriteArtistPage = Page[ArtistCard]


class FavoriteOut(BaseModel):
    favorited: bool
