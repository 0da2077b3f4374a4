"""The artist calendar: booking holds (called by the booking workflow's activities) and the artist's own marks.

No double booking is enforced by the `no_double_booking` exclusion constraint (held/booked of one artist never
overlap); the code here only turns its violation into a clear error. Every write to one artist's calendar also
takes a per-artist transaction lock, so an artist's batch edit and a booking hold never interleave (a batch
edit checks for holds first, then writes) and two batch edits of one artist don't leave overlapping marks.
Services only flush; the request (or activity) boundary commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from dateutil.rrule import DAILY, rrule
from sqlalchemy import BigInteger, ColumnElement, cast, delete, func, select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.artists.changes import artist_changed
from domain.calendar.schemas import (
    ARTIST_STATUSES,
    BOOKING_STATUSES,
    SLOT_STATUS_LABELS,
    CalendarOut,
    RangeIn,
    RangeOut,
    SlotConflictOut,
    SlotOut,
)
from domain.db import xact_lock
from domain.enums import BLOCKING_STATUSES
from domain.errors import AppError, NotFound
from domain.inputs import DATE_MAX, DATE_MIN
from domain.models import CalendarSlot
from domain.time import SHANGHAI, utc_now

DEFAULT_TIMEZONE = "Asia/Shanghai"
MAX_VIEW_DAYS = 400
MAX_RANGE_DAYS = 366
MAX_PERIODS = 400
EXCLUSION_VIOLATION = "23P01"  # SQLSTATE of an exclusion constraint (no_double_booking)
EARLIEST_DAY, LATEST_DAY = DATE_MIN, DATE_MAX  # the days any input may name: far from datetime's limits
_MIN = datetime.min.replace(tzinfo=UTC)
_MAX = datetime.max.replace(tzinfo=UTC)


# --- errors


class CalendarConflict(AppError):
    status, code, message = 409, "calendar_conflict", "该时段艺人档期已被占用，请选择其他时间"


class BookingSlotMissing(AppError):
    status, code, message = 409, "booking_slot_missing", "该预约没有预留档期，无法确认档期，请联系平台客服"


class CalendarInvalid(AppError):
    status, code, message = 422, "calendar_invalid", "档期设置有误"


class PastCalendar(AppError):
    status, code, message = 422, "calendar_past", "不能修改过去的档期"


class SlotLinkedToBooking(AppError):
    status, code, message = 409, "slot_linked_to_booking", "已关联预约的档期不能直接删除"


# --- helpers


def _lock_artist_calendar(session: Session, artist_id: int) -> None:
    """Serialise writes to one artist's calendar until the transaction ends (released by commit/rollback).
    Every write takes this lock, so it is also where the artist's search entry is marked for a refresh
    (index-only backends copy unavailable days; domain.artists.changes writes it with the commit)."""
    xact_lock(session, f"calendar_slots:{artist_id}")
    artist_changed(session, artist_id)


def _require_aware(*values: datetime) -> None:
    if any(v.tzinfo is None or v.utcoffset() is None for v in values):
        raise ValueError("calendar times must be timezone-aware")


def _bounds(slot: CalendarSlot) -> tuple[datetime, datetime]:
    """A slot's [start, end); an unbounded side (not written by this module, but legal) as min/max."""
    return slot.period.lower or _MIN, slot.period.upper or _MAX


def _range(start: datetime, end: datetime) -> Range[datetime]:
    return Range(None if start == _MIN else start, None if end == _MAX else end, bounds="[)")


def slot_out(slot: CalendarSlot) -> SlotOut:
    start, end = _bounds(slot)
    return SlotOut(id=slot.id, start=start, end=end, timezone=slot.timezone, status=slot.status,
                   status_label=SLOT_STATUS_LABELS.get(slot.status, slot.status), note=slot.note,
                   booking_id=slot.booking_id, editable=slot.status in ARTIST_STATUSES)


def _conflict_out(slot: CalendarSlot) -> SlotConflictOut:
    start, end = _bounds(slot)
    return SlotConflictOut(id=slot.id, start=start, end=end, status=slot.status,
                           status_label=SLOT_STATUS_LABELS.get(slot.status, slot.status), note=slot.note,
                           booking_id=slot.booking_id)


def _pgcode(exc: IntegrityError) -> str | None:
    return getattr(exc.orig, "pgcode", None)


# --- booking holds (the booking workflow's activities call these; each is idempotent per booking)


def _slot_of_booking(session: Session, booking_id: int, *, for_update: bool = False) -> CalendarSlot | None:
    query = select(CalendarSlot).where(CalendarSlot.booking_id == booking_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def hold_for_booking(session: Session, booking_id: int, artist_id: int, start: datetime,
                     end: datetime) -> CalendarSlot:
    """Hold [start, end) of the artist's calendar for a booking. A second call for the same booking returns
    the existing slot unchanged. Raises CalendarConflict when another hold or booking of the artist overlaps;
    the caller's transaction stays usable (the insert runs in a savepoint)."""
    _require_aware(start, end)
    if end <= start:
        raise ValueError("hold end must be after its start")
    _lock_artist_calendar(session, artist_id)
    existing = _slot_of_booking(session, booking_id)
    if existing is not None:
        return existing
    slot = CalendarSlot(artist_id=artist_id, period=Range(start, end, bounds="[)"), timezone=DEFAULT_TIMEZONE,
                        status="held", note="", booking_id=booking_id)
    try:
        with session.begin_nested():
            session.add(slot)
    except IntegrityError as exc:
        # The constraint decides. A duplicate of this very hold (a retried activity racing itself) is
        # not a conflict: it finds the slot the other attempt committed.
        existing = _slot_of_booking(session, booking_id)
        if existing is not None:
            return existing
        if _pgcode(exc) == EXCLUSION_VIOLATION:
            # Only when and what: the other booking is not the caller's business.
            taken = [{"start": c.start.isoformat(), "end": c.end.isoformat(), "status": c.status,
                      "status_label": c.status_label}
                     for c in conflicts(session, artist_id, start, end) if c.status in BOOKING_STATUSES]
            raise CalendarConflict(detail=taken) from exc
        raise
    return slot


def book_for_booking(session: Session, booking_id: int) -> None:
    """The booking's hold becomes a booking (deposit paid). Idempotent."""
    slot = _slot_of_booking(session, booking_id, for_update=True)
    if slot is None:
        raise BookingSlotMissing(detail={"booking_id": booking_id})
    if slot.status == "held":
        slot.status = "booked"
        slot.updated_at = utc_now()
        session.flush()


def release_for_booking(session: Session, booking_id: int) -> None:
    """Free the booking's held/booked time (cancelled, rejected, expired). Idempotent."""
    freed = session.scalars(delete(CalendarSlot).where(CalendarSlot.booking_id == booking_id,
                                                       CalendarSlot.status.in_(BOOKING_STATUSES))
                            .returning(CalendarSlot.artist_id)).all()
    for artist_id in set(freed):
        artist_changed(session, artist_id)
    session.flush()


def of_artist(artist_id: int) -> ColumnElement[bool]:
    """`calendar_slots.artist_id = <artist_id>` in a form the (artist_id, period) GiST index can serve: psycopg2
    sends a Python int as an int4 literal and btree_gist's int8 operator class has no int8 = int4, so the plain
    comparison left artist_id to a filter over every slot overlapping the period (a sequential scan: 10 ms at 20k
    slots, 0.07 ms with the cast)."""
    return CalendarSlot.artist_id == cast(artist_id, BigInteger)


def conflicts(session: Session, artist_id: int, start: datetime, end: datetime,
              exclude_booking_id: int | None = None) -> list[SlotConflictOut]:
    """What stands in the way of [start, end) on the artist's calendar: holds, bookings, rest and
    unavailable marks (available marks are not in the way). Shown to the artist on a request."""
    _require_aware(start, end)
    query = select(CalendarSlot).where(
        of_artist(artist_id),
        CalendarSlot.period.overlaps(Range(start, end, bounds="[)")),
        CalendarSlot.status.in_(BLOCKING_STATUSES))
    if exclude_booking_id is not None:
        query = query.where(CalendarSlot.booking_id.is_distinct_from(exclude_booking_id))
    return [_conflict_out(s) for s in session.scalars(query.order_by(func.lower(CalendarSlot.period),
                                                                     CalendarSlot.id))]


# --- the artist's own calendar


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(name: str) -> ZoneInfo:
    if name not in _zone_names():
        raise CalendarInvalid("时区无效，请使用如 Asia/Shanghai 的时区名称")
    return ZoneInfo(name)


def _today(tz: ZoneInfo) -> date:
    return utc_now().astimezone(tz).date()


def _check_days(*days: date) -> None:
    if any(d < EARLIEST_DAY or d > LATEST_DAY for d in days):
        raise CalendarInvalid(f"日期需在{EARLIEST_DAY.year}年到{LATEST_DAY.year}年之间")


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tz)


def my_calendar(session: Session, artist_id: int, start: date | None, end: date | None) -> CalendarOut:
    """Every slot of the artist overlapping the days start..end (Shanghai dates, inclusive), oldest first."""
    today = _today(SHANGHAI)
    start = start or today - timedelta(days=30)
    end = end or today + timedelta(days=90)
    _check_days(start, end)
    if end < start:
        raise CalendarInvalid("结束日期不能早于开始日期")
    if (end - start).days > MAX_VIEW_DAYS:
        raise CalendarInvalid(f"一次最多查看{MAX_VIEW_DAYS}天的档期")
    window = Range(_local_midnight(start, SHANGHAI), _local_midnight(end + timedelta(days=1), SHANGHAI),
                   bounds="[)")
    slots = session.scalars(select(CalendarSlot)
                            .where(of_artist(artist_id), CalendarSlot.period.overlaps(window))
                            .order_by(func.lower(CalendarSlot.period), CalendarSlot.id)).all()
    return CalendarOut(start_date=start, end_date=end, timezone=DEFAULT_TIMEZONE, slots=[slot_out(s) for s in slots])


def _clock(value: str | None, label: str, *, allow_24: bool) -> time | None:
    if value is None or value == "":
        return None
    if allow_24 and value == "24:00":
        return time.max
    hh, sep, mm = value.partition(":")
    if not (sep and len(hh) == 2 and len(mm) == 2 and hh.isascii() and hh.isdigit() and mm.isascii()
            and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
        raise CalendarInvalid(f"{label}格式不正确，请使用 HH:MM（如 18:30）")
    return time(int(hh), int(mm))


@dataclass(frozen=True)
class _Period:
    start: datetime
    end: datetime


def _periods(body: RangeIn, tz: ZoneInfo) -> list[_Period]:
    """The day parts a batch edit covers, validated; sorted and disjoint."""
    start_t = _clock(body.start_time, "开始时间", allow_24=False)
    end_t = _clock(body.end_time, "结束时间", allow_24=True)
    if (start_t is None) != (end_t is None):
        raise CalendarInvalid("开始时间和结束时间需同时填写；都不填表示全天")
    if start_t is not None and end_t is not None and end_t <= start_t:
        raise CalendarInvalid("结束时间必须晚于开始时间")
    _check_days(body.start_date, body.end_date)
    if body.end_date < body.start_date:
        raise CalendarInvalid("结束日期不能早于开始日期")
    if (body.end_date - body.start_date).days + 1 > MAX_RANGE_DAYS:
        raise CalendarInvalid(f"一次最多设置{MAX_RANGE_DAYS}天的档期")
    if body.start_date < _today(tz):
        raise PastCalendar()
    weekdays = sorted(set(body.weekdays)) if body.weekdays is not None else None
    if weekdays is not None and (not weekdays or any(w < 0 or w > 6 for w in weekdays)):
        raise CalendarInvalid("星期取值应为 0（周一）到 6（周日）")
    days = rrule(DAILY, dtstart=_local_midnight(body.start_date, tz), until=_local_midnight(body.end_date, tz),
                 byweekday=weekdays)
    periods = []
    for occurrence in days:
        day = occurrence.date()
        if start_t is None or end_t is None:
            lo, hi = _local_midnight(day, tz), _local_midnight(day + timedelta(days=1), tz)
        else:
            lo = datetime.combine(day, start_t, tz)
            hi = _local_midnight(day + timedelta(days=1), tz) if end_t == time.max else datetime.combine(day, end_t, tz)
        periods.append(_Period(lo.astimezone(UTC), hi.astimezone(UTC)))
        if len(periods) > MAX_PERIODS:
            raise CalendarInvalid(f"一次最多设置{MAX_PERIODS}个时段，请缩小范围")
    if not periods:
        raise CalendarInvalid("所选日期范围内没有符合星期条件的日子")
    return periods


def _overlapping(slot: CalendarSlot, periods: Sequence[_Period]) -> list[_Period]:
    lo, hi = _bounds(slot)
    return [p for p in periods if p.start < hi and lo < p.end]


def _minus(lo: datetime, hi: datetime, periods: Iterable[_Period]) -> list[tuple[datetime, datetime]]:
    """[lo, hi) without the (sorted, disjoint) periods: zero, one or more pieces."""
    pieces, cursor = [], lo
    for p in periods:
        if p.start > cursor:
            pieces.append((cursor, min(p.start, hi)))
        cursor = max(cursor, p.end)
        if cursor >= hi:
            break
    if cursor < hi:
        pieces.append((cursor, hi))
    return [(a, b) for a, b in pieces if a < b]


def set_range(session: Session, artist_id: int, body: RangeIn) -> RangeOut:
    """Set a status on the chosen day parts, replacing the artist's own marks there (the parts of them it
    covers). Refused, with nothing changed, when a chosen day part overlaps a hold or a booking."""
    tz = _zone(body.timezone)
    periods = _periods(body, tz)
    _lock_artist_calendar(session, artist_id)
    envelope = Range(periods[0].start, periods[-1].end, bounds="[)")
    nearby = session.scalars(select(CalendarSlot)
                             .where(of_artist(artist_id), CalendarSlot.period.overlaps(envelope))
                             .order_by(func.lower(CalendarSlot.period), CalendarSlot.id)).all()
    clashes = [s for s in nearby if s.status in BOOKING_STATUSES and _overlapping(s, periods)]
    if clashes:
        raise CalendarConflict("所选时段与已预留或已预订的档期冲突，本次未做任何修改",
                               detail=[_conflict_out(s).model_dump(mode="json") for s in clashes])
    now = utc_now()
    for slot in nearby:
        covered = _overlapping(slot, periods)
        if slot.status not in ARTIST_STATUSES or not covered:
            continue
        pieces = _minus(*_bounds(slot), covered)
        if not pieces:
            session.delete(slot)
            continue
        # Keep the id on the first remaining piece; a mark cut in the middle gains a second row.
        slot.period, slot.updated_at = _range(*pieces[0]), now
        for lo, hi in pieces[1:]:
            session.add(CalendarSlot(artist_id=artist_id, period=_range(lo, hi), timezone=slot.timezone,
                                     status=slot.status, note=slot.note, updated_at=now))
    session.flush()  # deletes and trims before the new marks (keeps the order of statements obvious)
    created = [CalendarSlot(artist_id=artist_id, period=Range(p.start, p.end, bounds="[)"), timezone=body.timezone,
                            status=body.status, note=body.note, updated_at=now) for p in periods]
    session.add_all(created)
    session.flush()
    return RangeOut(changed=len(created), slots=[slot_out(s) for s in created])


def delete_slot(session: Session, artist_id: int, slot_id: int) -> None:
    """Remove one of the artist's own marks. Holds and bookings move only with their booking."""
    _lock_artist_calendar(session, artist_id)
    slot = session.get(CalendarSlot, slot_id)
    if slot is None or slot.artist_id != artist_id:
        raise NotFound("档期不存在或已删除")
    if slot.status in BOOKING_STATUSES or slot.booking_id is not None:
        raise SlotLinkedToBooking()
    if slot.period.upper is not None and slot.period.upper <= utc_now():
        raise PastCalendar()
    session.delete(slot)
    session.flush()
