"""Public artist browsing (no login). Full search with OpenSearch/jieba arrives with discovery."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from domain.artists.schemas import ArtistCard, ArtistDetail, PriceOut, PublicSlot
from domain.enums import ARTIST_TYPE_LABELS
from domain.errors import NotFound
from domain.models import ArtistPrice, ArtistProfile, CalendarSlot, User
from domain.time import utc_now

_price = (select(ArtistPrice.artist_id, func.min(ArtistPrice.min_amount).label("lo"),
                 func.max(ArtistPrice.max_amount).label("hi"))
          .group_by(ArtistPrice.artist_id).subquery())


def _base() -> Select:
    return (select(ArtistProfile, User.verification_status, _price.c.lo, _price.c.hi)
            .join(User, User.id == ArtistProfile.user_id)
            .outerjoin(_price, _price.c.artist_id == ArtistProfile.user_id)
            .where(User.status != "banned"))


def _card(profile: ArtistProfile, verification_status: str, lo: int | None, hi: int | None) -> ArtistCard:
    return ArtistCard(
        id=profile.user_id, stage_name=profile.stage_name, artist_types=profile.artist_types,
        artist_type_labels=[ARTIST_TYPE_LABELS.get(t, t) for t in profile.artist_types],
        styles=profile.styles, city=profile.city, price_min_amount=lo, price_max_amount=hi,
        verified=verification_status == "verified", bio=profile.bio,
    )


def cards_for(session: Session, artist_ids: list[int]) -> list[ArtistCard]:
    """Cards for search hits, in the order the search ranked them."""
    rows = {row[0].user_id: row for row in session.execute(_base().where(ArtistProfile.user_id.in_(artist_ids)))}
    return [_card(*rows[i]) for i in artist_ids if i in rows]


def artist_detail(session: Session, artist_id: int) -> ArtistDetail:
    row = session.execute(_base().where(ArtistProfile.user_id == artist_id)).first()
    if row is None:
        raise NotFound("艺人不存在或已下架")
    card = _card(*row)
    prices = session.scalars(select(ArtistPrice).where(ArtistPrice.artist_id == artist_id)
                             .order_by(ArtistPrice.min_amount)).all()
    now = utc_now()
    window = Range(now, now + timedelta(days=60))
    slots = session.scalars(select(CalendarSlot).where(CalendarSlot.artist_id == artist_id,
                                                       CalendarSlot.period.overlaps(window))
                            .order_by(CalendarSlot.period)).all()
    return ArtistDetail(
        **card.model_dump(),
        prices=[PriceOut(title=p.title, duration_minutes=p.duration_minutes, min_amount=p.min_amount,
                         max_amount=p.max_amount, negotiable=p.negotiable) for p in prices],
        calendar=[PublicSlot(start=s.period.lower, end=s.period.upper,
                             status="available" if s.status == "available" else "unavailable")
                  for s in slots if s.period.lower and s.period.upper],
    )

