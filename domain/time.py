"""The one clock of the backend (workflows use workflow.now() instead), and the one datetime input type."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    return datetime.now(UTC)


def shanghai_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in China, where performances take place."""
    start = datetime.combine(day, time(0), SHANGHAI)
    if day == date.max:  # a filter's "until 9999-12-31": there is no next day to start
        return start, datetime.combine(day, time.max, SHANGHAI)
    return start, datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


# A client may send any offset (+08:00 from the mini-program); the backend keeps and answers UTC, so the time a
# POST echoes and the time a later GET reads from the database look the same.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(lambda value: value.astimezone(UTC))]
