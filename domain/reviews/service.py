"""Reviews. (Contract stub: the public reads used by the artist detail page, cards and search.)"""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.reviews.schemas import RatingSummary, ReviewOut
from storage.base import ObjectStorage


def artist_ratings(session: Session, artist_ids: list[int]) -> dict[int, tuple[float, int]]:
    """(average rating, review count) over visible reviews, for artists that have any."""
    return {}


def rating_summary(session: Session, artist_id: int) -> RatingSummary:
    return RatingSummary(count=0, average=None, effect=None, attitude=None, punctuality=None)


def recent_reviews(session: Session, storage: ObjectStorage, artist_id: int, limit: int = 5) -> list[ReviewOut]:
    return []
