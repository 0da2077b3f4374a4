"""The activities of NotificationDeliveryWorkflow by name (activities.notifications registers them), so the
workflow schedules them without importing SQLAlchemy. The names are in recorded histories: never rename."""

from __future__ import annotations

from domain.activity_refs import ActivityRef

# Both take the delivery row's id and return its status afterwards (sent | failed | skipped | ...).
DELIVER_NOTIFICATION = ActivityRef("notifications.deliver", int, str)
GIVE_UP_DELIVERY = ActivityRef("notifications.give_up", int, str)

TRANSIENT_TYPE = "TransientDelivery"


def workflow_id(notification_id: int, channel: str) -> str:
    """One workflow per notification and channel: Temporal refuses a second one with the same id."""
    return f"notify-{notification_id}-{channel}"
