"""The one place that knows how artist profiles map to search documents (search.base.ArtistDoc). Building one
reads the whole domain (prices, bookings, reviews, calendar), so it lives here; search/ only indexes and
queries documents built here (writing them: domain.artists.search_sync)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from domain.artists.onboarding import listed_artist
from domain.bookings.states import POPULAR_BOOKING_STATUSES
from domain.enums import ARTIST_TYPE_LABELS, BLOCKING_STATUSES
from domain.models import ArtistPrice, ArtistProfile, ArtistTag, Booking, CalendarSlot, FavoriteArtist, Tag, User
from domain.reviews import service as reviews
from domain.time import SHANGHAI, shanghai_day_bounds, utc_now
from search.base import ArtistDoc

# How far ahead unavailable days are copied into documents (index-only backends).
CALENDAR_HORIZON_DAYS = 400

# Words people search for a kind of act, beyond the type's own label (ARTIST_TYPE_LABELS): a singer whose bio
# never says 歌手 is still found by 歌手, 歌星 or 唱歌. Indexed by every backend as the document's `keywords`.
TYPE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "singer": ("歌手", "歌星", "唱歌", "演唱", "歌唱"),
    "dancer": ("舞者", "舞蹈", "跳舞", "舞蹈演员"),
    "host": ("主持人", "主持", "司仪"),
    "band": ("乐队", "乐团"),
    "magician": ("魔术师", "魔术"),
    "crosstalk": ("相声", "曲艺"),
    "acrobat": ("杂技", "杂技演员"),
    "other": (),
}


def type_keywords(artist_types: Sequence[str]) -> tuple[str, ...]:
    """The type labels and their synonyms, each once, in type order."""
    words: dict[str, None] = {}
    for kind in artist_types:
        label = ARTIST_TYPE_LABELS.get(kind)
        if label and kind != "other":
            words[label] = None
        words.update(dict.fromkeys(TYPE_SYNONYMS.get(kind, ())))
    return tuple(words)


def _days_covered(lower: datetime | None, upper: datetime | None, first: date, last: date) -> set[date]:
    if lower is None or upper is None or upper <= lower:
        return set()
    start = max(lower.astimezone(SHANGHAI).date(), first)
    # The upper bound is exclusive: a slot ending at 00:00 doesn't take the next day.
    end = min((upper - timedelta(microseconds=1)).astimezone(SHANGHAI).date(), last)
    return {start + timedelta(days=i) for i in range((end - start).days + 1)} if end >= start else set()


def _build(session: Session, profiles: Sequence[tuple[ArtistProfile, str]]) -> list[ArtistDoc]:
    ids = [p.user_id for p, _ in profiles]
    prices = {row.artist_id: (row.lo, row.hi) for row in session.execute(
        select(ArtistPrice.artist_id, func.min(ArtistPrice.min_amount).label("lo"),
               func.max(ArtistPrice.max_amount).label("hi"))
        .where(ArtistPrice.artist_id.in_(ids)).group_by(ArtistPrice.artist_id))}
    bookings: dict[int, int] = dict(session.execute(
        select(Booking.artist_id, func.count()).where(Booking.artist_id.in_(ids),
                                                      Booking.status.in_(POPULAR_BOOKING_STATUSES))
        .group_by(Booking.artist_id)).all())
    favorites: dict[int, int] = dict(session.execute(
        select(FavoriteArtist.artist_id, func.count()).where(FavoriteArtist.artist_id.in_(ids))
        .group_by(FavoriteArtist.artist_id)).all())
    tags: dict[int, list[str]] = defaultdict(list)
    for artist_id, tag in session.execute(
            select(ArtistTag.artist_id, Tag.name).join(Tag, Tag.id == ArtistTag.tag_id)
            .where(ArtistTag.artist_id.in_(ids)).order_by(ArtistTag.artist_id, Tag.name)):
        tags[artist_id].append(tag)
    # Called through the module so the reviews service stays the one owner of what a visible review is.
    ratings = reviews.artist_ratings(session, ids) if ids else {}
    first = utc_now().astimezone(SHANGHAI).date() - timedelta(days=1)
    last = first + timedelta(days=CALENDAR_HORIZON_DAYS)
    lo_bound, _ = shanghai_day_bounds(first)
    _, hi_bound = shanghai_day_bounds(last)
    busy: dict[int, set[date]] = defaultdict(set)
    for artist_id, period in session.execute(
            select(CalendarSlot.artist_id, CalendarSlot.period)
            .where(CalendarSlot.artist_id.in_(ids), CalendarSlot.status.in_(BLOCKING_STATUSES),
                   func.upper(CalendarSlot.period) > lo_bound, func.lower(CalendarSlot.period) < hi_bound)):
        busy[artist_id] |= _days_covered(period.lower, period.upper, first, last)
    docs = []
    for profile, verification_status in profiles:
        aid = profile.user_id
        # 面议: hidden prices are neither shown nor filterable/sortable (they sort last, like no price list).
        lo, hi = (None, None) if profile.hide_prices else prices.get(aid, (None, None))
        rating, review_count = ratings.get(aid, (None, 0))
        types = tuple(profile.artist_types or ())
        docs.append(ArtistDoc(
            artist_id=aid, stage_name=profile.stage_name,
            artist_types=types, styles=tuple(profile.styles or ()),
            # The home city isn't also a region travelled to (each artist counts once per city in facets).
            city=profile.city, regions=tuple(dict.fromkeys(r for r in profile.regions or () if r != profile.city)),
            bio=profile.bio or "",
            works=tuple(profile.works or ()), price_min=lo, price_max=hi,
            rating=float(rating) if rating is not None else None, review_count=int(review_count),
            popularity=bookings.get(aid, 0) + favorites.get(aid, 0) + int(profile.view_count or 0),
            verified=verification_status == "verified", tags=tuple(tags.get(aid, ())),
            created_at=profile.created_at, unavailable_dates=tuple(sorted(busy.get(aid, ()))),
            keywords=type_keywords(types),
        ))
    return docs


def _public_profiles() -> Select[ArtistProfile, str]:
    return (select(ArtistProfile, User.verification_status)
            .join(User, User.id == ArtistProfile.user_id)
            .where(User.status != "banned", listed_artist()))


def artist_document(session: Session, artist_id: int) -> ArtistDoc | None:
    """The document of one artist, or None when it must not be searchable (missing, banned or not yet approved)."""
    row = session.execute(_public_profiles().where(ArtistProfile.user_id == artist_id)).first()
    return _build(session, [(row[0], row[1])])[0] if row else None


def artist_documents(session: Session, artist_ids: Sequence[int]) -> dict[int, ArtistDoc]:
    """Documents of several artists in one batch of queries; missing or banned artists are left out."""
    if not artist_ids:
        return {}
    rows = session.execute(_public_profiles().where(ArtistProfile.user_id.in_(list(artist_ids)))).all()
    return {d.artist_id: d for d in _build(session, [(r[0], r[1]) for r in rows])}


def iter_artist_documents(session: Session, batch_size: int = 1000) -> Iterator[ArtistDoc]:
    """Every searchable artist, in id order, a batch of queries per `batch_size` artists."""
    after = 0
    while True:
        rows = session.execute(_public_profiles().where(ArtistProfile.user_id > after)
                               .order_by(ArtistProfile.user_id).limit(batch_size)).all()
        if not rows:
            return
        yield from _build(session, [(r[0], r[1]) for r in rows])
        after = rows[-1][0].user_id
