"""The booking workflow: `state` (what it remembers), `timers` (deadlines and reminders), `workflow` (the
workflow itself: run loop, payments, user actions, compensation)."""

from workflows.booking.state import search_attributes
from workflows.booking.workflow import BookingWorkflow

__all__ = ["BookingWorkflow", "search_attributes"]
