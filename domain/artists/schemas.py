from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ArtistCard(BaseModel):
    id: int
    stage_name: str
    artist_types: list[str]
    artist_type_labels: list[str]
    styles: list[str]
    city: str
    price_min_amount: int | None
    price_max_amount: int | None
    verified: bool
    bio: str


class ArtistPage(BaseModel):
    items: list[ArtistCard]
    total: int
    page: int
    page_size: int
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


class ArtistDetail(ArtistCard):
    prices: list[PriceOut]
    calendar: list[PublicSlot]
