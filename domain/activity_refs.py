"""An activity by name, with its one input and its result type: how a workflow schedules an activity without
importing its implementation (which needs SQLAlchemy). Shared by every workflow's messages module
(domain.bookings.messages, domain.accounts.messages); plain Python, so the workflow sandbox imports it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

InputT = TypeVar("InputT")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class ActivityRef(Generic[InputT, ResultT]):
    """An activity by name with its one input and its result type, so mypy checks what the workflow sends and
    gets back (tests/workflows/test_booking_wiring.py checks the booking implementations against these)."""

    name: str
    input: type[InputT]
    result: type[ResultT]

    @property
    def label(self) -> str:
        """Short name for operators: `booking.refund` -> `refund`."""
        return self.name.rpartition(".")[2]
