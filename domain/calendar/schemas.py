"""Request and response shapes of the calendar. Inputs forbid unknown fields and bound every string.

Only types are checked here; what the artist can get wrong (end before start, past dates, a bad time)
is checked in the service so the message names the field in Chinese.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from domain.inputs import Input, InputDate, Text

SLOT_STATUS_LABELS = {"available": "可约", "held": "已预留", "booked": "已预订", "rest": "休息",
                      "unavailable": "不可约"}
# Statuses the artist sets by hand; held/booked belong to bookings and only the booking workflow moves them.
ARTIST_STATUSES = ("available", "rest", "unavailable")
BOOKING_STATUSES = ("held", "booked")

ClockTime = Annotated[str, Text(5)]


class RangeIn(Input):
    """Set a status on every chosen day (or day part) between two dates, e.g. every Monday of March: rest."""

    start_date: InputDate = Field(description="第一天（按 timezone 的当地日期）", examples=["2027-03-01"])
    end_date: InputDate = Field(description="最后一天（含）", examples=["2027-03-31"])
    status: Literal["available", "rest", "unavailable"]
    note: Annotated[str, Text(200)] = ""
    weekdays: Annotated[list[int], Field(max_length=7)] | None = Field(
        default=None, description="0=周一 … 6=周日；不填为每天", examples=[[0]])
    start_time: ClockTime | None = Field(default=None, description="HH:MM；与 end_time 同时不填为全天",
                                         examples=["18:00"])
    end_time: ClockTime | None = Field(default=None, description="HH:MM，可为 24:00", examples=["22:00"])
    timezone: Annotated[str, Text(40, min_length=1)] = "Asia/Shanghai"


class SlotOut(BaseModel):
    id: int
    start: datetime
    end: datetime
    timezone: str
    status: str
    status_label: str
    note: str
    booking_id: int | None
    editable: bool  # the artist may change or delete it (not tied to a booking)


class CalendarOut(BaseModel):
    start_date: date
    end_date: date
    timezone: str
    slots: list[SlotOut]


class RangeOut(BaseModel):
    changed: int  # how many day parts were set
    slots: list[SlotOut]  # the slots written for them


class DeletedOut(BaseModel):
    id: int
    deleted: bool


class SlotConflictOut(BaseModel):
    """A stretch that clashes with a requested time (档期冲突提醒)."""

    id: int
    start: datetime
    end: datetime
    status: str
    status_label: str
    note: str
    booking_id: int | None

    @property
    def label(self) -> str:
        """The booking service's name for status_label."""
        return self.status_label
