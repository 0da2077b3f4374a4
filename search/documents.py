"""The one place that knows how artist profiles map to search documents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from domain.models import ArtistPrice, ArtistProfile, Booking, CalendarSlot, User
from domain.time import SHANGHAI, utc_now
from search.base import ArtistDoc

# Calendar statuses that make a day unavailable for a new booking.
BLOCKING_STATUSES = ("held", "booked", "rest", "unavailable")
# Bookings that count towards popularity (the client and artist actually went ahead).
POPULAR_BOOKING_STATUSES = ("CONFIRMED", "CONTRACT_SENT", "CLIENT_SIGNED", "SIGNED", "DEPOSIT_PAID",
                            "FULLY_PAID", "PERFORMED", "ACCEPTED", "SETTLING", "COMPLETED")
# How far ahead unavailable days are copied into documents (index-only backends).
CALENDAR_HORIZON_DAYS = 400


def shanghai_day_bounds(day: date) -> tuple[datetime, datetime]:
    return datetime.combine(day, time(0), SHANGHAI), datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


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
        lo, hi = prices.get(profile.user_id, (None, None))
        docs.append(ArtistDoc(
            artist_id=profile.user_id, stage_name=profile.stage_name,
            artist_types=tuple(profile.artist_types or ()), styles=tuple(profile.styles or ()),
            city=profile.city,
            # Until profiles carry travel regions, works, privacy, reviews, favorites, views and tags
            # (issue 4 §1, §4, §6), these are their neutral values; fill them in here when they land.
            regions=(), bio=profile.bio or "", works=(), price_min=lo, price_max=hi,
            rating=None, review_count=0, popularity=bookings.get(profile.user_id, 0),
            verified=verification_status == "verified", tags=(), created_at=profile.created_at,
            unavailable_dates=tuple(sorted(busy.get(profile.user_id, ()))),
        ))
    return docs


def _public_profiles() -> Select[ArtistProfile, str]:
    return (select(ArtistProfile, User.verification_status)
            .join(User, User.id == ArtistProfile.user_id)
            .where(User.status != "banned"))


def artist_document(session: Session, artist_id: int) -> ArtistDoc | None:
    """The document of one artist, or None when it must not be searchable (missing or banned)."""
    row = session.execute(_public_profiles().where(ArtistProfile.user_id == artist_id)).first()
    return _build(session, [(row[0], row[1])])[0] if row else None


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
