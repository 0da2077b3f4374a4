"""Public artist browsing (no login). Full search with OpenSearch/jieba arrives with discovery."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, func, or_, select
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


def list_artists(session: Session, *, q: str | None, city: str | None, artist_type: str | None,
                 page: int, page_size: int) -> tuple[list[ArtistCard], int]:
    query = _base()
    if q:
        like = f"%{q}%"
        query = query.where(or_(ArtistProfile.stage_name.ilike(like, escape="\\"),
                                ArtistProfile.bio.ilike(like, escape="\\"),
                                func.array_to_string(ArtistProfile.styles, " ").ilike(like, escape="\\")))
    if city:
        query = query.where(ArtistProfile.city == city)
    if artist_type:
        query = query.where(ArtistProfile.artist_types.contains([artist_type]))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.order_by(ArtistProfile.user_id).offset((page - 1) * page_size)
                           .limit(page_size)).all()
    return [_card(*row) for row in rows], total


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


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
