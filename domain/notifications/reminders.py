"""Day-before reminders no booking timer sends: the show is tomorrow (both sides), the deposit is due tomorrow
(the client). Written by the worker's dispatcher every minute; the step key makes each one once per booking."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.bookings.states import BookingStatus as S
from domain.models import Booking
from domain.notifications.kinds import Kind
from domain.notifications.service import notify
from domain.time import SHANGHAI

AHEAD = timedelta(hours=24)


def day_before(session: Session, now: datetime) -> int:
    """Notify for bookings whose show or deposit deadline falls within the next 24 hours; returns how many."""
    sent = 0
    shows = session.scalars(select(Booking).where(
        Booking.status.in_([S.DEPOSIT_PAID.value, S.FULLY_PAID.value]),
        Booking.start_at > now, Booking.start_at <= now + AHEAD))
    for b in shows:
        at = b.start_at.astimezone(SHANGHAI).strftime("%m月%d日 %H:%M")
        for user_id in (b.client_id, b.artist_id):
            if notify(session, user_id, Kind.SHOW_TOMORROW, "明天有演出", f"演出将于{at}开始，请提前做好准备",
                      booking_id=b.id, step=f"{b.id}:show-tomorrow") is not None:
                sent += 1
    deposits = session.scalars(select(Booking).where(
        Booking.status == S.SIGNED.value, Booking.deadline_at > now, Booking.deadline_at <= now + AHEAD))
    for b in deposits:
        assert b.deadline_at is not None
        at = b.deadline_at.astimezone(SHANGHAI).strftime("%m月%d日 %H:%M")
        if notify(session, b.client_id, Kind.PAYMENT_DUE, "定金即将到期", f"请在{at}前支付定金，逾期预约将自动取消",
                  booking_id=b.id, step=f"{b.id}:deposit-due") is not None:
            sent += 1
    return sent
