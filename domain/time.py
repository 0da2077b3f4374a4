"""The one clock of the backend (workflows use workflow.now() instead), and the one datetime input type."""

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    return datetime.now(UTC)


# A client may send any offset (+08:00 from the mini-program); the backend keeps and answers UTC, so the time a
# POST echoes and the time a later GET reads from the database look the same.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(lambda value: value.astimezone(UTC))]
