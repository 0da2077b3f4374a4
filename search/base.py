"""The search interface every backend implements, and the values that cross it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol, get_args

Sort = Literal["relevance", "popularity", "rating", "price_asc", "price_desc", "newest"]
SORTS: tuple[str, ...] = get_args(Sort)
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class ArtistDoc:
    """What search knows about one public artist. Built only by `domain.artists.search_documents`."""

    artist_id: int
    stage_name: str
    artist_types: tuple[str, ...]
    styles: tuple[str, ...]
    city: str
    regions: tuple[str, ...]
    bio: str
    works: tuple[str, ...]
    price_min: int | None  # fen; None when the price list is empty or hidden (面议)
    price_max: int | None
    rating: float | None  # None until the first review
    review_count: int
    popularity: int  # bookings + favorites + views
    verified: bool
    tags: tuple[str, ...]
    created_at: datetime
    # Shanghai dates on which a held/booked/rest/unavailable slot takes time. Only index-only backends
    # (OpenSearch) read it; PostgreSQL checks calendar_slots live.
    unavailable_dates: tuple[date, ...] = ()
    # Type labels and the words people use for them (歌手/歌星/唱歌, 主持/主持人/司仪 …): matched by keyword
    # searches like the bio, never shown.
    keywords: tuple[str, ...] = ()


class InvalidSearchQuery(ValueError):
    """A query a user could send that makes no sense (bad page, sort, price range)."""


@dataclass(frozen=True)
class SearchQuery:
    keyword: str | None = None
    artist_types: tuple[str, ...] = ()  # any of
    cities: tuple[str, ...] = ()  # any of; matches the home city or a region travelled to
    price_min: int | None = None  # fen; the artist's price range must overlap [price_min, price_max]
    price_max: int | None = None
    min_rating: float | None = None
    tags: tuple[str, ...] = ()  # any of
    verified_only: bool = False
    available_on: date | None = None  # Asia/Shanghai calendar day
    sort: Sort | None = None  # None: relevance with a keyword, else popularity
    page: int = 1
    page_size: int = 20

    def __post_init__(self) -> None:
        if self.page < 1:
            raise InvalidSearchQuery("page starts at 1")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidSearchQuery(f"page_size must be 1..{MAX_PAGE_SIZE}")
        if self.sort is not None and self.sort not in SORTS:
            raise InvalidSearchQuery(f"unknown sort {self.sort!r}")
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise InvalidSearchQuery("price_min > price_max")
        if (self.price_min or 0) < 0 or (self.price_max or 0) < 0:
            raise InvalidSearchQuery("prices are not negative")

    @property
    def effective_sort(self) -> Sort:
        has_keyword = bool(self.keyword and self.keyword.strip())
        # Relevance scores the keyword: without one there is nothing to rank by, so it means the default order.
        if self.sort is not None and (self.sort != "relevance" or has_keyword):
            return self.sort
        return "relevance" if has_keyword else "popularity"

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class SearchHit:
    artist_id: int
    score: float


@dataclass(frozen=True)
class SearchResult:
    items: list[SearchHit]
    total: int
    # Counts over every match (all filters applied): {"artist_types": {"band": 3}, "cities": {"上海": 2}}. A city
    # counts the artists who perform there (home city or a region travelled to), as the city filter matches them,
    # so picking a city finds as many artists as its count said.
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return [h.artist_id for h in self.items]


class ArtistSearch(Protocol):
    def index(self, doc: ArtistDoc) -> None: ...

    def remove(self, artist_id: int) -> None: ...

    def search(self, q: SearchQuery) -> SearchResult: ...

    def reindex_all(self, docs: Iterable[ArtistDoc]) -> int:
        """Replace the whole index with `docs`; returns how many were indexed."""
        ...
