"""Public artist browsing (no login): cards, the artist page and the month calendar.

Everything here is the last approved profile (drafts live in domain.profiles) with the artist's privacy
settings applied: prices hidden as 面议, contact details only for a client with a confirmed booking, and
phone numbers / WeChat ids masked in every free-text field.
"""

from __future__ import annotations

import threading
from calendar import monthrange
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import Select, func, select, text, true, update
from sqlalchemy.dialects.postgresql import Range, distinct_on
from sqlalchemy.orm import Session

from domain.artists.onboarding import listed_artist
from domain.artists.schemas import (
    ArtistCard,
    ArtistDetail,
    CalendarDay,
    ContactOut,
    MonthCalendar,
    PriceOut,
    PublicSlot,
    TeamMember,
)
from domain.bookings.states import POPULAR_BOOKING_STATUSES
from domain.calendar import service as calendar
from domain.cases.service import public_cases
from domain.enums import ARTIST_TYPE_LABELS, BLOCKING_STATUSES
from domain.errors import ArtistNotFound
from domain.models import (
    ArtistPrice,
    ArtistProfile,
    ArtistTag,
    Booking,
    BookingEvent,
    CalendarSlot,
    CaseMedia,
    FavoriteArtist,
    MediaCase,
    Tag,
    Upload,
    User,
)
from domain.privacy import mask_contacts, mask_phone, mask_wechat
from domain.reviews.service import artist_ratings, rating_summary, recent_reviews
from domain.time import SHANGHAI, shanghai_day_bounds, utc_now
from storage.base import ObjectStorage
from storage.media import thumbnail_key

# Public pages are cached by clients for a while; long enough for a browsing session, short enough to expire.
AVATAR_URL_TTL = timedelta(hours=1)

# Each listed artist's own price range, a LATERAL aggregate through ix_artist_prices_artist_id: a GROUP BY of
# every price list joined afterwards cost ~30 ms per page of cards at 175k prices.
_price = (select(func.min(ArtistPrice.min_amount).label("lo"), func.max(ArtistPrice.max_amount).label("hi"))
          .where(ArtistPrice.artist_id == ArtistProfile.user_id).lateral())


def _base() -> Select:
    return (select(ArtistProfile, User.verification_status, _price.c.lo, _price.c.hi)
            .join(User, User.id == ArtistProfile.user_id)
            .join(_price, true())
            .where(User.status != "banned", listed_artist()))


def image_urls(session: Session, storage: ObjectStorage, upload_ids: list[str | None], *,
               expires: timedelta = AVATAR_URL_TTL) -> dict[str, str]:
    """Signed thumbnail URLs of image uploads, by upload id (uploads that are gone are left out)."""
    ids = {i for i in upload_ids if i}
    if not ids:
        return {}
    rows = session.execute(select(Upload.id, Upload.object_key, Upload.content_type)
                           .where(Upload.id.in_(ids))).all()
    return {uid: url for uid, key, content_type in rows
            if (url := image_url(storage, key, content_type, expires=expires)) is not None}


def image_url(storage: ObjectStorage, object_key: str | None, content_type: str | None, *,
              expires: timedelta = AVATAR_URL_TTL) -> str | None:
    """The signed thumbnail URL of an image upload read with its row (None for no upload or one not an image)."""
    if object_key is None or content_type is None or not content_type.startswith("image/"):
        return None
    return storage.download_url(thumbnail_key(object_key), expires=expires)


def artist_tags(session: Session, artist_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for artist_id, name in session.execute(select(ArtistTag.artist_id, Tag.name)
                                           .join(Tag, Tag.id == ArtistTag.tag_id)
                                           .where(ArtistTag.artist_id.in_(artist_ids))
                                           .order_by(ArtistTag.artist_id, Tag.id)):
        out[artist_id].append(name)
    return out


def response_rates(session: Session, artist_ids: list[int]) -> dict[int, int]:
    """Percent of booking requests the artist answered (quoted or declined) rather than letting them expire,
    for artists with at least one answered or expired request. One grouped query over booking events."""
    if not artist_ids:
        return {}
    answered = func.count().filter(BookingEvent.to_status.in_(("CONFIRMED", "REJECTED")))
    rows = session.execute(
        select(Booking.artist_id, answered, func.count())
        .join(BookingEvent, BookingEvent.booking_id == Booking.id)
        .where(Booking.artist_id.in_(artist_ids), BookingEvent.from_status == "REQUESTED",
               BookingEvent.to_status.in_(("CONFIRMED", "REJECTED", "EXPIRED")))
        .group_by(Booking.artist_id))
    return {artist_id: round(100 * n_answered / n) for artist_id, n_answered, n in rows if n}


# A show counts as done once the artist performed it, whatever happened to the money afterwards (a dispute aside).
COMPLETED_SHOW_STATUSES = ("PERFORMED", "ACCEPTED", "SETTLING", "COMPLETED")


def completed_shows(session: Session, artist_ids: list[int]) -> dict[int, int]:
    """Shows performed per artist, for artists with at least one (one grouped query)."""
    if not artist_ids:
        return {}
    return dict(session.execute(select(Booking.artist_id, func.count())
                                .where(Booking.artist_id.in_(artist_ids),
                                       Booking.status.in_(COMPLETED_SHOW_STATUSES))
                                .group_by(Booking.artist_id)).all())


def cover_uploads(session: Session, artist_ids: list[int]) -> dict[int, str]:
    """Upload id of each artist's cover: the first image of their first approved case (artist's order)."""
    if not artist_ids:
        return {}
    rows = session.execute(
        select(MediaCase.artist_id, CaseMedia.upload_id)
        .join(CaseMedia, CaseMedia.case_id == MediaCase.id)
        .where(MediaCase.artist_id.in_(artist_ids), MediaCase.moderation_status == "approved",
               CaseMedia.kind == "image")
        .order_by(MediaCase.artist_id, MediaCase.position, MediaCase.id, CaseMedia.position, CaseMedia.id)
        .ext(distinct_on(MediaCase.artist_id)))
    return {artist_id: upload_id for artist_id, upload_id in rows}


CityMatch = Literal["local", "travel"]


def city_match(profile: ArtistProfile, cities: tuple[str, ...]) -> tuple[CityMatch | None, str | None]:
    """(city_match, matched_city) of a card in a list filtered by `cities`."""
    if not cities:
        return None, None
    if profile.city in cities:
        return "local", profile.city
    travelled = [c for c in cities if c in (profile.regions or ())]
    return ("travel", travelled[0]) if travelled else (None, None)


def _card(profile: ArtistProfile, verification_status: str, lo: int | None, hi: int | None, *,
          avatar_url: str | None, rating: tuple[float, int] | None, tags: list[str],
          response_rate: int | None, cover_url: str | None = None, completed: int = 0,
          cities: tuple[str, ...] = ()) -> ArtistCard:
    hidden = profile.hide_prices
    match, matched_city = city_match(profile, cities)
    return ArtistCard(
        id=profile.user_id, stage_name=mask_contacts(profile.stage_name), artist_types=profile.artist_types,
        artist_type_labels=[ARTIST_TYPE_LABELS.get(t, t) for t in profile.artist_types],
        styles=[mask_contacts(s) for s in profile.styles or ()], city=profile.city,
        price_min_amount=None if hidden else lo, price_max_amount=None if hidden else hi,
        verified=verification_status == "verified", bio=mask_contacts(profile.bio),
        avatar_url=avatar_url, price_hidden=hidden,
        rating=rating[0] if rating else None, review_count=rating[1] if rating else 0, tags=tags,
        response_rate=response_rate, cover_url=cover_url, completed_shows=completed,
        city_match=match, matched_city=matched_city,
    )


def cards_for(session: Session, storage: ObjectStorage, artist_ids: list[int], *,
              cities: tuple[str, ...] = ()) -> list[ArtistCard]:
    """Cards for search hits, in the order the search ranked them (a fixed number of queries per page).
    `cities`: the city filter of the list, if any (each card says whether the artist lives or travels there)."""
    if not artist_ids:
        return []
    rows = {row[0].user_id: row for row in session.execute(_base().where(ArtistProfile.user_id.in_(artist_ids)))}
    return _cards(session, storage, [i for i in artist_ids if i in rows], rows, artist_ratings, cities)


def _cards(session: Session, storage: ObjectStorage, ids: list[int], rows: dict[int, Any],
           ratings_of: Callable[[Session, list[int]], dict[int, tuple[float, int]]],
           cities: tuple[str, ...]) -> list[ArtistCard]:
    """Cards of `ids` from their `_base()` rows (the queries for everything else on a card)."""
    ratings = ratings_of(session, ids)
    tags = artist_tags(session, ids)
    covers = cover_uploads(session, ids)
    images = image_urls(session, storage, [rows[i][0].avatar_upload_id for i in ids] + list(covers.values()))
    rates = response_rates(session, ids)
    shows = completed_shows(session, ids)
    cards = []
    for i in ids:
        profile, verification_status, lo, hi = rows[i]
        cards.append(_card(profile, verification_status, lo, hi,
                           avatar_url=images.get(profile.avatar_upload_id or ""),
                           rating=ratings.get(i), tags=tags.get(i, []), response_rate=rates.get(i),
                           cover_url=images.get(covers.get(i, "")), completed=shows.get(i, 0), cities=cities))
    return cards


def has_confirmed_booking(session: Session, client_id: int, artist_id: int) -> bool:
    """Whether this client went ahead with the artist (confirmed or any later step)."""
    return session.scalar(select(Booking.id).where(Booking.client_id == client_id, Booking.artist_id == artist_id,
                                                   Booking.status.in_(POPULAR_BOOKING_STATUSES)).limit(1)) is not None


def _contact(session: Session, profile: ArtistProfile, viewer_id: int | None) -> ContactOut | None:
    if viewer_id is not None and (viewer_id == profile.user_id
                                  or has_confirmed_booking(session, viewer_id, profile.user_id)):
        return ContactOut(phone=profile.contact_phone, wechat=profile.contact_wechat, masked=False)
    if profile.hide_contact:
        return None
    return ContactOut(phone=mask_phone(profile.contact_phone), wechat=mask_wechat(profile.contact_wechat),
                      masked=True)


def artist_detail(session: Session, storage: ObjectStorage, artist_id: int,
                  viewer_id: int | None = None) -> ArtistDetail:
    """The public artist page. `viewer_id` is the logged-in user, if any (contact details rule)."""
    row = session.execute(_base().where(ArtistProfile.user_id == artist_id)).first()
    if row is None:
        raise ArtistNotFound()
    profile: ArtistProfile = row[0]
    # The card from the row just read, and its rating from the page's rating summary: the same reviews, the same
    # one-decimal average, without reading them again.
    summary = rating_summary(session, artist_id)
    card = _cards(session, storage, [artist_id], {artist_id: row},
                  lambda _s, _ids: {artist_id: (summary.average or 0.0, summary.count)} if summary.count else {},
                  ())[0]
    prices = [] if profile.hide_prices else session.scalars(
        select(ArtistPrice).where(ArtistPrice.artist_id == artist_id)
        .order_by(ArtistPrice.min_amount, ArtistPrice.id)).all()
    now = utc_now()
    window = Range(now, now + timedelta(days=60))
    slots = session.scalars(select(CalendarSlot).where(calendar.of_artist(artist_id),
                                                       CalendarSlot.period.overlaps(window))
                            .order_by(CalendarSlot.period)).all()
    detail = ArtistDetail(
        **card.model_dump(),
        regions=list(profile.regions or ()),
        active_since_year=profile.active_since_year,
        works=[mask_contacts(w) for w in profile.works or ()],
        team=[TeamMember(name=mask_contacts(str(m.get("name", ""))), role=mask_contacts(str(m.get("role", ""))))
              for m in profile.team or ()],
        travel_terms=mask_contacts(profile.travel_terms),
        prices=[PriceOut(title=mask_contacts(p.title), duration_minutes=p.duration_minutes,
                         min_amount=p.min_amount, max_amount=p.max_amount, negotiable=p.negotiable)
                for p in prices],
        calendar=[PublicSlot(start=s.period.lower, end=s.period.upper,
                             status="available" if s.status == "available" else "unavailable")
                  for s in slots if s.period.lower and s.period.upper],
        contact=_contact(session, profile, viewer_id),
        cases=public_cases(session, storage, artist_id),
        rating_summary=summary,
        recent_reviews=recent_reviews(session, storage, artist_id),
        favorited=viewer_id is not None and session.get(FavoriteArtist, (viewer_id, artist_id)) is not None,
    )
    if viewer_id != artist_id:  # the artist looking at their own page is not interest
        count_view(session, artist_id)
    return detail


# Views not yet written because another request held the artist's row, per artist (this process).
_unwritten_views: Counter[int] = Counter()
_unwritten_lock = threading.Lock()


def count_view(session: Session, artist_id: int) -> None:
    """One more view of the artist's page, without ever waiting for the artist's row.

    The row stays locked until the request that updated it commits. Waiting for it made the viewers of one artist
    queue, and with every thread-pool thread waiting the commits that would free the row had no thread to run on:
    50 concurrent viewers of one artist stalled the API. So the row is updated only when nobody holds it (SKIP
    LOCKED); a view that finds it held is kept here and written by the next view that gets it. A crash loses the
    views kept here and the last few committed ones (the commit doesn't wait for the WAL flush, 1.8 ms median,
    7 ms p95 on a busy disk): fine for a count."""
    _write_views(session, artist_id, 1)


def record_view(artist_id: int) -> None:
    """A view of a page the API answered from memory (api/public_cache.py): kept here like a view that found the
    row held, and written by the artist's next counted view or by `flush_views`."""
    with _unwritten_lock:
        _unwritten_views[artist_id] += 1


def has_unwritten_views() -> bool:
    return bool(_unwritten_views)


def flush_views(session: Session) -> None:
    """Write the views kept in this process (the API calls it every few seconds and when it stops)."""
    with _unwritten_lock:
        pending = list(_unwritten_views)
    for artist_id in pending:
        _write_views(session, artist_id, 0)


def _write_views(session: Session, artist_id: int, views: int) -> None:
    with _unwritten_lock:
        n = _unwritten_views.pop(artist_id, 0) + views
    if n == 0:
        return
    session.execute(text("SET LOCAL synchronous_commit = off"))
    free = (select(ArtistProfile.user_id).where(ArtistProfile.user_id == artist_id)
            .with_for_update(skip_locked=True).scalar_subquery())
    written = session.execute(update(ArtistProfile).where(ArtistProfile.user_id == free)
                              .values(view_count=ArtistProfile.view_count + n)
                              .returning(ArtistProfile.user_id)
                              # A count: what the pages show is unchanged, their cache stays (api/local_writes.py).
                              .execution_options(counter_only=True)).first()
    # Kept for later only while the row is held; an artist whose row is gone has nothing to count them on (kept,
    # they would be retried every few seconds for the life of the process).
    if written is None and session.scalar(select(ArtistProfile.user_id).where(ArtistProfile.user_id == artist_id)):
        with _unwritten_lock:
            _unwritten_views[artist_id] += n


def public_month(session: Session, artist_id: int, year: int, month: int) -> MonthCalendar:
    """One month of an artist's days (Asia/Shanghai): unavailable when a held, booked, rest or unavailable
    slot takes any part of the day, else available."""
    exists = session.scalar(select(ArtistProfile.user_id).join(User, User.id == ArtistProfile.user_id)
                            .where(ArtistProfile.user_id == artist_id, User.status != "banned", listed_artist()))
    if exists is None:
        raise ArtistNotFound()
    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    lo, _ = shanghai_day_bounds(first)
    _, hi = shanghai_day_bounds(last)
    busy: set[date] = set()
    for (period,) in session.execute(
            select(CalendarSlot.period).where(calendar.of_artist(artist_id),
                                              CalendarSlot.status.in_(BLOCKING_STATUSES),
                                              CalendarSlot.period.overlaps(Range(lo, hi)))):
        if period.lower is None or period.upper is None or period.upper <= period.lower:
            continue
        start = max(period.lower.astimezone(SHANGHAI).date(), first)
        # The upper bound is exclusive: a slot ending at 00:00 doesn't take the next day.
        end = min((period.upper - timedelta(microseconds=1)).astimezone(SHANGHAI).date(), last)
        busy.update(start + timedelta(days=i) for i in range((end - start).days + 1))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return MonthCalendar(artist_id=artist_id, month=f"{year:04d}-{month:02d}",
                         days=[CalendarDay(date=d, status="unavailable" if d in busy else "available")
                               for d in days])
