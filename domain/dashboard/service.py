"""数据看板: the figures operators read on the console's home page, straight from SQL over the booking, payment
and ledger tables (no cache: each is one grouped scan of a date range; add one only if a query proves slow).

Every figure is counted per China (Asia/Shanghai) calendar day of the moment that defines it:

- 收款 `paid_amount`: client money received — what the ledger's payment entries put into escrow (one entry per paid
  payment order, posted in the same transaction as the gateway callback), by the entry's time.
- 退款 `refunded_amount`: money paid back to clients — the ledger's refund entries (one per gateway refund part that
  succeeded), by the entry's time.
- 成交额 GMV `gmv_amount` = 收款 − 退款: what clients paid in and kept paid (cash basis; a quote that was never paid
  is not GMV). Per artist the same, over the entries of that artist's bookings.
- 佣金收入 `commission_amount`: the platform's commission income — what settlements credited to the ledger's
  commission account (net of any debit to it), by the entry's time.
- 订单数 `orders`: bookings created (one per artist a client asked), by the booking's creation time.
- 完成率 `completion_rate` = `completed_bookings` / `final_bookings`: of the bookings that reached a final state
  (COMPLETED, CANCELLED, REJECTED, EXPIRED, WITHDRAWN) in the range — dated by the event that moved them there, or
  by the booking's last change when it has no such event — the share that is COMPLETED.
- 纠纷率 `dispute_rate` = `disputed_shows` / `paid_shows`: of the paid bookings (paid_amount > 0) whose show started
  in the range, the share that has had a dispute opened (at any time).
- A rate with nothing to count (no final booking, no paid show) is 0.

The funnel, demand, top artists and new users each state their own cohort below."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, cast, exists, func, select, true
from sqlalchemy.orm import Session

from domain.bookings.states import FINAL, BookingStatus
from domain.dashboard.schemas import (
    DashboardDayFigures,
    DashboardDemandItem,
    DashboardDemandOut,
    DashboardFigures,
    DashboardFunnelOut,
    DashboardFunnelStep,
    DashboardNewUsersDay,
    DashboardNewUsersOut,
    DashboardOverviewOut,
    DashboardPeriodFigures,
    DashboardRoleCount,
    DashboardTopArtist,
    DashboardTopArtistsOut,
)
from domain.enums import ARTIST_TYPE_LABELS
from domain.errors import AppError
from domain.ledger import accounts
from domain.models import (
    ArtistManager,
    ArtistProfile,
    Booking,
    BookingEvent,
    ClientProfile,
    Dispute,
    Inquiry,
    JournalEntry,
    JournalLine,
    User,
)
from domain.time import SHANGHAI, shanghai_day_bounds, utc_now

MAX_DAYS = 366
PERIODS = (("today", "今日", 1), ("7d", "近7天", 7), ("30d", "近30天", 30))
FINAL_STATUSES = sorted(FINAL)
# How far a booking got on the happy path; the funnel counts bookings at or past each milestone.
PROGRESS = [BookingStatus.REQUESTED, BookingStatus.CONFIRMED, BookingStatus.CONTRACT_SENT,
            BookingStatus.CLIENT_SIGNED, BookingStatus.SIGNED, BookingStatus.DEPOSIT_PAID, BookingStatus.FULLY_PAID,
            BookingStatus.PERFORMED, BookingStatus.ACCEPTED, BookingStatus.SETTLING, BookingStatus.COMPLETED]
FUNNEL = [("booking", "预约", BookingStatus.REQUESTED),    # asked
          ("contract", "签约", BookingStatus.SIGNED),      # both sides signed the contract
          ("payment", "支付", BookingStatus.DEPOSIT_PAID),  # deposit paid
          ("show", "演出", BookingStatus.PERFORMED),        # the show took place
          ("settlement", "结算", BookingStatus.COMPLETED)]  # settled with the artist
ROLE_LABELS = {"client": "需求方", "artist": "艺人", "agent": "经纪团队", "none": "未选身份"}


def today() -> date:
    return utc_now().astimezone(SHANGHAI).date()


def _day(column: Any) -> ColumnElement[date]:
    """The China calendar day of a timestamptz column."""
    return cast(func.timezone("Asia/Shanghai", column), Date)


def _within(column: Any, start: date, end: date) -> ColumnElement[bool]:
    return and_(column >= shanghai_day_bounds(start)[0], column < shanghai_day_bounds(end)[1])


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _pairs(rows: Iterable[Any]) -> dict[int, int]:
    return {int(key): int(value or 0) for key, value in rows}


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


# --- headline figures


_COUNTS = ("paid_amount", "refunded_amount", "commission_amount", "orders", "final_bookings", "completed_bookings",
           "paid_shows", "disputed_shows")


def _daily_counts(session: Session, start: date, end: date) -> dict[date, dict[str, int]]:
    """Every counted quantity per China day in [start, end] (days with nothing are absent)."""
    out: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_COUNTS, 0))

    def put(rows: Iterable[Any], *names: str) -> None:
        for day, *values in rows:
            for name, value in zip(names, values, strict=True):
                out[day][name] += int(value or 0)

    # Money: escrow lines of payment entries are credits (−), of refund entries debits (+); commission income is
    # a credit balance on its account.
    entry_day = _day(JournalEntry.created_at)
    escrow, commission = JournalLine.account == accounts.ESCROW, JournalLine.account == accounts.COMMISSION
    put(session.execute(
        select(entry_day,
               -func.sum(JournalLine.amount).filter(escrow, JournalEntry.kind == "payment"),
               func.sum(JournalLine.amount).filter(escrow, JournalEntry.kind == "refund"),
               -func.sum(JournalLine.amount).filter(commission))
        .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .where(_within(JournalEntry.created_at, start, end), JournalLine.account.in_([accounts.ESCROW,
                                                                                       accounts.COMMISSION]))
        .group_by(entry_day)), "paid_amount", "refunded_amount", "commission_amount")

    created_day = _day(Booking.created_at)
    put(session.execute(select(created_day, func.count()).where(_within(Booking.created_at, start, end))
                        .group_by(created_day)), "orders")

    decided = _decided_at()
    decided_day = _day(decided.c.decided_at)
    put(session.execute(select(decided_day, func.count(),
                               func.count().filter(decided.c.status == BookingStatus.COMPLETED))
                        .where(_within(decided.c.decided_at, start, end)).group_by(decided_day)),
        "final_bookings", "completed_bookings")

    show_day = _day(Booking.start_at)
    ever_disputed = exists().where(Dispute.booking_id == Booking.id)
    put(session.execute(select(show_day, func.count(), func.count().filter(ever_disputed))
                        .where(Booking.paid_amount > 0, _within(Booking.start_at, start, end))
                        .group_by(show_day)), "paid_shows", "disputed_shows")
    return out


def _decided_at() -> Any:
    """Bookings in a final state with the time they got there: the event that moved them there, else (a row
    written without events) the booking's last change."""
    moved = (select(func.min(BookingEvent.created_at))
             .where(BookingEvent.booking_id == Booking.id, BookingEvent.to_status == Booking.status)
             .correlate(Booking).scalar_subquery())
    return (select(Booking.id, Booking.artist_id, Booking.status,
                   func.coalesce(moved, Booking.updated_at).label("decided_at"))
            .where(Booking.status.in_(FINAL_STATUSES)).subquery())


def _figures(counts: Iterable[dict[str, int]]) -> dict[str, Any]:
    total = dict.fromkeys(_COUNTS, 0)
    for c in counts:
        for name in _COUNTS:
            total[name] += c[name]
    return {**total, "gmv_amount": total["paid_amount"] - total["refunded_amount"],
            "completion_rate": _rate(total["completed_bookings"], total["final_bookings"]),
            "dispute_rate": _rate(total["disputed_shows"], total["paid_shows"])}


def overview(session: Session, start: date, end: date) -> DashboardOverviewOut:
    """The figures of [start, end], of today / the last 7 / the last 30 days ending on `end`, and every day of
    [start, end] for the trend charts."""
    first = min(start, end - timedelta(days=29))
    daily = _daily_counts(session, first, end)
    zero = dict.fromkeys(_COUNTS, 0)

    def over(a: date, b: date) -> dict[str, Any]:
        return _figures(daily.get(d, zero) for d in _days(a, b))

    periods = []
    for key, label, n in PERIODS:
        a = end - timedelta(days=n - 1)
        periods.append(DashboardPeriodFigures(key=key, label=label, start=a, end=end, **over(a, end)))
    return DashboardOverviewOut(start=start, end=end, totals=DashboardFigures(**over(start, end)), periods=periods,
                       daily=[DashboardDayFigures(day=d, **over(d, d)) for d in _days(start, end)])


# --- funnel


def _progress(status: Any) -> ColumnElement[int]:
    """A status's place on the happy path (1 = REQUESTED … 11 = COMPLETED); 0 for side states (DISPUTED, closed)."""
    return case({s.value: i + 1 for i, s in enumerate(PROGRESS)}, value=status, else_=0)


def funnel(session: Session, start: date, end: date) -> DashboardFunnelOut:
    """预约→签约→支付→演出→结算 over the bookings created in [start, end]: each step counts the bookings that got at
    least that far — asked; contract signed by both; deposit paid; show performed; settled (COMPLETED) — judged by
    the furthest status the booking has been in (its event log, or its current status), so a booking cancelled
    after its deposit still counts as paid."""
    furthest_event = (select(func.max(_progress(BookingEvent.to_status)))
                      .where(BookingEvent.booking_id == Booking.id).correlate(Booking).scalar_subquery())
    reached = func.greatest(_progress(Booking.status), func.coalesce(furthest_event, 0))
    cohort = select(reached.label("reached")).where(_within(Booking.created_at, start, end)).subquery()
    counts = session.execute(select(
        func.count(), *[func.count().filter(cohort.c.reached >= PROGRESS.index(status) + 1)
                        for _, _, status in FUNNEL[1:]])).one()
    first = int(counts[0])
    return DashboardFunnelOut(start=start, end=end, steps=[
        DashboardFunnelStep(key=key, label=label, count=int(n), rate=_rate(int(n), first))
        for (key, label, _), n in zip(FUNNEL, counts, strict=True)])


# --- demand


def demand(session: Session, start: date, end: date) -> DashboardDemandOut:
    """What clients asked for: the booking requests created in [start, end] (one per artist asked) and the
    inquiries behind them, by the asked artist's types (an artist of two types counts under both), by the
    inquiry's city and by its event type; most requested first."""
    where = _within(Booking.created_at, start, end)

    def grouped(key: Any, *joins: tuple[Any, Any]) -> list[tuple[str, int, int]]:
        query = select(key, func.count(), func.count(func.distinct(Booking.inquiry_id))).select_from(Booking)
        for target, on in joins:
            query = query.join(target, on)
        return [(str(k), int(b), int(i)) for k, b, i in session.execute(
            query.where(where).group_by(key).order_by(func.count().desc(), key))]

    artist_type = func.unnest(ArtistProfile.artist_types).table_valued("value").render_derived(name="artist_type")
    by_type = grouped(artist_type.c.value, (ArtistProfile, ArtistProfile.user_id == Booking.artist_id),
                      (artist_type, true()))
    by_city = grouped(Inquiry.city, (Inquiry, Inquiry.id == Booking.inquiry_id))
    by_event = grouped(Inquiry.event_type, (Inquiry, Inquiry.id == Booking.inquiry_id))
    return DashboardDemandOut(
        start=start, end=end,
        by_artist_type=[DashboardDemandItem(key=k, label=ARTIST_TYPE_LABELS.get(k, k), bookings=b, inquiries=i)
                        for k, b, i in by_type],
        by_city=[DashboardDemandItem(key=k, label=k, bookings=b, inquiries=i) for k, b, i in by_city],
        by_event_type=[DashboardDemandItem(key=k, label=k, bookings=b, inquiries=i) for k, b, i in by_event])


# --- top artists


def top_artists(session: Session, start: date, end: date, limit: int) -> DashboardTopArtistsOut:
    """The artists with the most GMV in [start, end] (client money received − refunded on their bookings, from the
    ledger, by the entry's time), then the most booking requests created in the range; with the bookings each
    completed in the range (dated as for the completion rate)."""
    escrow = JournalLine.account == accounts.ESCROW
    gmv: dict[int, int] = _pairs(session.execute(
        select(JournalEntry.artist_id,
               -func.sum(JournalLine.amount).filter(escrow, JournalEntry.kind.in_(["payment", "refund"])))
        .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .where(_within(JournalEntry.created_at, start, end), JournalEntry.artist_id.is_not(None))
        .group_by(JournalEntry.artist_id)).all())
    asked: dict[int, int] = _pairs(session.execute(
        select(Booking.artist_id, func.count()).where(_within(Booking.created_at, start, end))
        .group_by(Booking.artist_id)).all())
    decided = _decided_at()
    completed: dict[int, int] = _pairs(session.execute(
        select(decided.c.artist_id, func.count())
        .where(decided.c.status == BookingStatus.COMPLETED, _within(decided.c.decided_at, start, end))
        .group_by(decided.c.artist_id)).all())
    ids = sorted(set(gmv) | set(asked) | set(completed),
                 key=lambda a: (-gmv.get(a, 0), -asked.get(a, 0), -completed.get(a, 0), a))[:limit]
    names = {int(i): str(n) for i, n in session.execute(
        select(ArtistProfile.user_id, ArtistProfile.stage_name).where(ArtistProfile.user_id.in_(ids)))}
    return DashboardTopArtistsOut(start=start, end=end, items=[
        DashboardTopArtist(artist_id=a, stage_name=names.get(a) or f"艺人#{a}", gmv_amount=gmv.get(a, 0),
                           bookings=asked.get(a, 0), completed=completed.get(a, 0)) for a in ids])


# --- new users


def new_users(session: Session, start: date, end: date) -> DashboardNewUsersOut:
    """Accounts registered in [start, end] (by the account's creation time), by the roles they hold now: 需求方
    (a client profile), 艺人 (an artist profile), 经纪团队 (a member of an artist's team), 未选身份 (none yet). A
    user with two roles counts under both; `total` counts each account once."""
    is_client = exists().where(ClientProfile.user_id == User.id)
    is_artist = exists().where(ArtistProfile.user_id == User.id)
    is_agent = exists().where(ArtistManager.user_id == User.id)
    day = _day(User.created_at)
    rows = session.execute(
        select(day, func.count().filter(is_client), func.count().filter(is_artist), func.count().filter(is_agent),
               func.count().filter(~is_client, ~is_artist, ~is_agent), func.count())
        .where(_within(User.created_at, start, end)).group_by(day)).all()
    per_day = {r[0]: r for r in rows}
    daily = [DashboardNewUsersDay(day=d, client=int(r[1]), artist=int(r[2]), agent=int(r[3]), none=int(r[4]))
             if (r := per_day.get(d)) is not None else DashboardNewUsersDay(day=d, client=0, artist=0, agent=0, none=0)
             for d in _days(start, end)]
    by_role = [DashboardRoleCount(role=role, label=label, count=sum(getattr(x, role) for x in daily))
               for role, label in ROLE_LABELS.items()]
    return DashboardNewUsersOut(start=start, end=end, total=sum(int(r[5]) for r in rows), by_role=by_role, daily=daily)


class DateRangeInvalid(AppError):
    status, code, message = 422, "date_range_invalid", "起始日期不能晚于截止日期"


class DateRangeTooLong(AppError):
    status, code, message = 422, "date_range_too_long", f"日期范围不能超过{MAX_DAYS}天"


def date_range(start: date | None, end: date | None) -> tuple[date, date]:
    """The range a request names: by default the 30 days ending today (or ending on `end`); refused when it runs
    backwards or spans more than MAX_DAYS days."""
    end = end or today()
    start = start or end - timedelta(days=29)
    if start > end:
        raise DateRangeInvalid(detail={"start": start.isoformat(), "end": end.isoformat()})
    if (end - start).days + 1 > MAX_DAYS:
        raise DateRangeTooLong(detail={"start": start.isoformat(), "end": end.isoformat(), "max_days": MAX_DAYS})
    return start, end
