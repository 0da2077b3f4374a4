"""Artist statistics for operators: per artist and period, from the booking projection and reviews.

For a period of China days [start, end] (either side open):
- bookings: requests the artist received in the period (by the booking's creation time), and of those
  cancellations (ended CANCELLED) and the response rate (answered — quoted or declined — rather than left to expire,
  over those that were answered or expired);
- completed shows and revenue: shows performed in the period (by show date, status PERFORMED or later, disputes
  aside), revenue being their agreed fee less what the ledger shows refunded on them (a dispute ruled after the
  show), in fen;
- rating: the mean score of visible reviews written in the period, with their count.

One grouped subquery per figure, joined to the artist list, so a page (sorted by any figure) is a fixed number of
queries whatever its size."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Numeric, Select, String, cast, func, or_, select
from sqlalchemy.orm import Session

from domain.artists.onboarding import listed_artist
from domain.artists.service import COMPLETED_SHOW_STATUSES
from domain.enums import ACCOUNT_STATUS_LABELS, ARTIST_TYPE_LABELS
from domain.errors import ArtistNotFound
from domain.ledger import accounts
from domain.models import ArtistProfile, Booking, BookingEvent, JournalEntry, JournalLine, Review, User
from domain.privacy import mask_phone, phone_search
from domain.time import SHANGHAI, shanghai_day_bounds
from domain.xlsx import Column, workbook

ListedFilter = Literal["listed", "pending"]
ArtistSort = Literal["newest", "bookings", "completed_shows", "revenue", "rating", "cancellations"]
MAX_EXPORT_ROWS = 50_000


@dataclass(frozen=True)
class ArtistFilter:
    """The console's artist list filters (the list, its Excel export and the stats share them)."""

    start: date | None = None  # China days, inclusive: the statistics' period
    end: date | None = None
    keyword: str | None = None  # stage name, phone digits (the full number without pii) or the artist id
    city: str | None = None
    artist_type: str | None = None
    status: str | None = None  # account status: active / warned / banned
    listed: ListedFilter | None = None  # listed: public; pending: 入驻审核 not passed yet
    sort: ArtistSort = "newest"


class ArtistStats(BaseModel):
    bookings: int = 0
    completed_shows: int = 0
    revenue_amount: int = 0  # fen: agreed fees of the shows performed in the period, less refunds on them
    response_rate: int | None = None  # percent, None when no request was answered or expired in the period
    rating: float | None = None
    review_count: int = 0
    cancellations: int = 0


class AdminArtistOut(BaseModel):
    id: int
    stage_name: str
    phone: str  # masked unless the operator may see personal data
    city: str
    artist_types: list[str]
    artist_type_labels: list[str]
    status: str
    status_label: str
    verification_status: str
    listed: bool  # public (入驻审核 passed)
    registered_at: datetime
    stats: ArtistStats


class ArtistStatsPeriod(BaseModel):
    start: date | None
    end: date | None


class AdminArtistPage(BaseModel):
    items: list[AdminArtistOut]
    total: int
    page: int
    page_size: int
    period: ArtistStatsPeriod
    totals: ArtistStats  # the figures summed over every artist the filters match (rating: over all their reviews)


class MonthStats(BaseModel):
    month: str  # YYYY-MM, China time
    bookings: int
    completed_shows: int
    revenue_amount: int
    cancellations: int


class ArtistStatsOut(BaseModel):
    artist: AdminArtistOut
    period: ArtistStatsPeriod
    months: list[MonthStats]  # months with any booking or show in the period, oldest first


def _bounds(f: ArtistFilter) -> tuple[datetime | None, datetime | None]:
    lo = shanghai_day_bounds(f.start)[0] if f.start else None
    hi = shanghai_day_bounds(f.end)[1] if f.end else None
    return lo, hi


def _within(column: Any, lo: datetime | None, hi: datetime | None) -> list[Any]:
    return ([column >= lo] if lo else []) + ([column < hi] if hi else [])


def _one_decimal(value: Any) -> float | None:
    return None if value is None else float(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _net_fee() -> Any:
    """A show's agreed fee less the refunds the ledger posted on its booking (escrow lines of refund entries)."""
    refunded = (select(func.coalesce(func.sum(JournalLine.amount), 0))
                .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                .where(JournalEntry.booking_id == Booking.id, JournalEntry.kind == "refund",
                       JournalLine.account == accounts.ESCROW)
                .correlate(Booking).scalar_subquery())
    return func.coalesce(Booking.fee_amount, 0) - refunded


def _figures(f: ArtistFilter) -> tuple[Any, Any, Any, Any]:
    """The grouped subqueries (requests, shows, responses, ratings) for the filter's period, keyed by artist_id."""
    lo, hi = _bounds(f)
    requests = (select(Booking.artist_id, func.count().label("bookings"),
                       func.count().filter(Booking.status == "CANCELLED").label("cancellations"))
                .where(*_within(Booking.created_at, lo, hi)).group_by(Booking.artist_id).subquery("requests"))
    shows = (select(Booking.artist_id, func.count().label("completed_shows"),
                    func.coalesce(func.sum(_net_fee()), 0).label("revenue_amount"))
             .where(Booking.status.in_(COMPLETED_SHOW_STATUSES), *_within(Booking.start_at, lo, hi))
             .group_by(Booking.artist_id).subquery("shows"))
    responses = (select(Booking.artist_id,
                        func.count().filter(BookingEvent.to_status.in_(("CONFIRMED", "REJECTED"))).label("answered"),
                        func.count().label("asked"))
                 .join(BookingEvent, BookingEvent.booking_id == Booking.id)
                 .where(BookingEvent.from_status == "REQUESTED",
                        BookingEvent.to_status.in_(("CONFIRMED", "REJECTED", "EXPIRED")),
                        *_within(Booking.created_at, lo, hi))
                 .group_by(Booking.artist_id).subquery("responses"))
    mean = cast(Review.effect_score + Review.attitude_score + Review.punctuality_score, Numeric) / 3
    ratings = (select(Review.artist_id, func.avg(mean).label("rating"), func.count().label("review_count"),
                      func.sum(mean).label("score_sum"))
               .where(Review.status == "visible", *_within(Review.created_at, lo, hi))
               .group_by(Review.artist_id).subquery("ratings"))
    return requests, shows, responses, ratings


def _filtered(f: ArtistFilter, *, pii: bool) -> Select[Any]:
    """Artists matching the filters, with their figures for the period (`pii`: see domain.privacy.phone_search)."""
    requests, shows, responses, ratings = _figures(f)
    q = (select(ArtistProfile, User.phone, User.status, User.verification_status,
                func.coalesce(requests.c.bookings, 0).label("bookings"),
                func.coalesce(requests.c.cancellations, 0).label("cancellations"),
                func.coalesce(shows.c.completed_shows, 0).label("completed_shows"),
                func.coalesce(shows.c.revenue_amount, 0).label("revenue_amount"),
                responses.c.answered, responses.c.asked,
                ratings.c.rating, func.coalesce(ratings.c.review_count, 0).label("review_count"),
                ratings.c.score_sum)
         .join(User, User.id == ArtistProfile.user_id)
         .outerjoin(requests, requests.c.artist_id == ArtistProfile.user_id)
         .outerjoin(shows, shows.c.artist_id == ArtistProfile.user_id)
         .outerjoin(responses, responses.c.artist_id == ArtistProfile.user_id)
         .outerjoin(ratings, ratings.c.artist_id == ArtistProfile.user_id))
    if f.keyword:
        like = f.keyword.strip()
        conditions = [ArtistProfile.stage_name.contains(like, autoescape=True),
                      phone_search(User.phone, like, pii=pii)]
        if like.isdigit() and len(like) <= 18:
            conditions.append(cast(ArtistProfile.user_id, String) == like)
        q = q.where(or_(*conditions))
    if f.city:
        q = q.where(ArtistProfile.city == f.city)
    if f.artist_type:
        q = q.where(ArtistProfile.artist_types.contains([f.artist_type]))  # @>: the GIN index
    if f.status:
        q = q.where(User.status == f.status)
    if f.listed == "listed":
        q = q.where(listed_artist())
    elif f.listed == "pending":
        q = q.where(~listed_artist())
    return q


_SORTS: dict[str, str] = {"bookings": "bookings", "completed_shows": "completed_shows", "revenue": "revenue_amount",
                          "rating": "rating", "cancellations": "cancellations"}


def _ordered(q: Select[Any], f: ArtistFilter) -> Select[Any]:
    if f.sort == "newest":
        return q.order_by(ArtistProfile.created_at.desc(), ArtistProfile.user_id.desc())
    column = q.selected_columns[_SORTS[f.sort]]
    return q.order_by(column.desc().nulls_last(), ArtistProfile.user_id.desc())


def _row(row: Any, pii: bool) -> AdminArtistOut:
    profile: ArtistProfile = row[0]
    types = list(profile.artist_types or ())
    return AdminArtistOut(
        id=profile.user_id, stage_name=profile.stage_name, phone=row.phone if pii else mask_phone(row.phone),
        city=profile.city, artist_types=types, artist_type_labels=[ARTIST_TYPE_LABELS.get(t, t) for t in types],
        status=row.status, status_label=ACCOUNT_STATUS_LABELS.get(row.status, row.status),
        verification_status=row.verification_status, listed=profile.approved_at is not None,
        registered_at=profile.created_at,
        stats=ArtistStats(bookings=row.bookings, completed_shows=row.completed_shows,
                          revenue_amount=int(row.revenue_amount),
                          response_rate=round(100 * row.answered / row.asked) if row.asked else None,
                          rating=_one_decimal(row.rating), review_count=row.review_count,
                          cancellations=row.cancellations))


def _totals(session: Session, q: Select[Any]) -> ArtistStats:
    sub = q.subquery()
    r = session.execute(select(
        func.coalesce(func.sum(sub.c.bookings), 0), func.coalesce(func.sum(sub.c.completed_shows), 0),
        func.coalesce(func.sum(sub.c.revenue_amount), 0), func.sum(sub.c.answered), func.sum(sub.c.asked),
        func.sum(sub.c.score_sum), func.coalesce(func.sum(sub.c.review_count), 0),
        func.coalesce(func.sum(sub.c.cancellations), 0))).one()
    bookings, shows, revenue, answered, asked, score_sum, reviews, cancellations = r
    return ArtistStats(bookings=bookings, completed_shows=shows, revenue_amount=int(revenue),
                       response_rate=round(100 * answered / asked) if asked else None,
                       rating=_one_decimal(Decimal(score_sum) / reviews) if reviews else None,
                       review_count=reviews, cancellations=cancellations)


def list_artists(session: Session, f: ArtistFilter, page: int, page_size: int, *, pii: bool) -> AdminArtistPage:
    """The console's artist list: one page with each artist's figures for the period, and the filtered totals.
    `pii`: whether the operator may see phone numbers unmasked."""
    q = _filtered(f, pii=pii)
    total = session.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
    rows = session.execute(_ordered(q, f).offset((page - 1) * page_size).limit(page_size)).all()
    return AdminArtistPage(items=[_row(r, pii) for r in rows], total=total, page=page, page_size=page_size,
                           period=ArtistStatsPeriod(start=f.start, end=f.end), totals=_totals(session, q))


def iter_artists(session: Session, f: ArtistFilter, *, pii: bool) -> Iterator[AdminArtistOut]:
    """Every artist the filters match, in the list's order (the Excel export; at most MAX_EXPORT_ROWS)."""
    for row in session.execute(_ordered(_filtered(f, pii=pii), f).limit(MAX_EXPORT_ROWS)):
        yield _row(row, pii)


def artist_stats(session: Session, artist_id: int, f: ArtistFilter, *, pii: bool) -> ArtistStatsOut:
    """One artist's figures for the period, and month by month (China time) the bookings, shows and revenue."""
    row = session.execute(_filtered(ArtistFilter(start=f.start, end=f.end), pii=pii)
                          .where(ArtistProfile.user_id == artist_id)).first()
    if row is None:
        raise ArtistNotFound()
    lo, hi = _bounds(f)
    months: dict[str, dict[str, int]] = {}

    def bucket(column: Any) -> Any:
        return func.to_char(func.timezone(str(SHANGHAI), column), "YYYY-MM")

    created = bucket(Booking.created_at)
    for month, n, cancelled in session.execute(
            select(created, func.count(), func.count().filter(Booking.status == "CANCELLED"))
            .where(Booking.artist_id == artist_id, *_within(Booking.created_at, lo, hi)).group_by(created)):
        months.setdefault(month, {}).update(bookings=n, cancellations=cancelled)
    shown = bucket(Booking.start_at)
    for month, n, revenue in session.execute(
            select(shown, func.count(), func.coalesce(func.sum(_net_fee()), 0))
            .where(Booking.artist_id == artist_id, Booking.status.in_(COMPLETED_SHOW_STATUSES),
                   *_within(Booking.start_at, lo, hi)).group_by(shown)):
        months.setdefault(month, {}).update(completed_shows=n, revenue_amount=int(revenue))
    return ArtistStatsOut(
        artist=_row(row, pii), period=ArtistStatsPeriod(start=f.start, end=f.end),
        months=[MonthStats(month=m, bookings=v.get("bookings", 0), completed_shows=v.get("completed_shows", 0),
                           revenue_amount=v.get("revenue_amount", 0), cancellations=v.get("cancellations", 0))
                for m, v in sorted(months.items())])


ARTIST_COLUMNS = [
    Column("艺人ID", "int", 10, total=False), Column("艺名", width=16), Column("手机号", width=16),
    Column("城市", width=8), Column("类型", width=16), Column("账号状态", width=10), Column("入驻审核", width=10),
    Column("实名状态", width=10), Column("注册时间", "datetime", 20), Column("预约数", "int", 10),
    Column("完成演出", "int", 10), Column("成交额（元）", "money", 14), Column("响应率%", "int", 10, total=False),
    Column("评分", width=8), Column("评价数", "int", 10), Column("取消数", "int", 10),
]
_VERIFICATION_LABELS = {"unverified": "未认证", "pending": "审核中", "verified": "已认证", "rejected": "未通过"}


def artists_workbook(session: Session, f: ArtistFilter, *, pii: bool) -> bytes:
    """The artist list with each artist's figures for the period, as .xlsx (sums in the last row)."""
    rows = [[a.id, a.stage_name, a.phone, a.city, "、".join(a.artist_type_labels), a.status_label,
             "已通过" if a.listed else "待审核", _VERIFICATION_LABELS.get(a.verification_status, a.verification_status),
             a.registered_at, a.stats.bookings, a.stats.completed_shows, a.stats.revenue_amount,
             a.stats.response_rate, a.stats.rating, a.stats.review_count, a.stats.cancellations]
            for a in iter_artists(session, f, pii=pii)]
    period = f"{f.start or '最早'}至{f.end or '今'}"
    return workbook(f"艺人统计 {period}", ARTIST_COLUMNS, rows)
