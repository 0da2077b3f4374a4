"""The fan-out interface: an event published inside a database transaction reaches every API process once (and
only if) that transaction commits. Events are small JSON objects naming ids and the users to tell, never message
bodies: each process reads what it needs from the database (and PostgreSQL's NOTIFY payload stops at 8000 bytes)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from sqlalchemy.orm import Session

Event = dict[str, Any]
Handler = Callable[[Event], Coroutine[Any, Any, None]]
CHANNEL = "yanyue_realtime"
MAX_PAYLOAD = 7900  # PostgreSQL refuses a NOTIFY payload of 8000 bytes or more

log = logging.getLogger(__name__)


class EventTooLarge(ValueError):
    pass


class Fanout(Protocol):
    name: str

    def publish(self, session: Session, event: Event) -> None:
        """Send `event` to every subscribed process when `session`'s transaction commits (never if it rolls back)."""

    async def start(self, handler: Handler) -> None:
        """Subscribe: `handler` is awaited for every event any process publishes (this one included)."""

    async def stop(self) -> None: ...


def dispatch(handler: Handler | None, tasks: set[asyncio.Task[None]], payload: str | bytes) -> None:
    """Hand one received payload to `handler` on a task of its own, kept in `tasks` until it is done (both backends'
    listeners call this for every payload they receive)."""
    try:
        event = json.loads(payload)
    except ValueError:
        log.warning("realtime: ignoring a payload that is not JSON")
        return
    assert handler is not None
    task = asyncio.create_task(handler(event))
    tasks.add(task)
    task.add_done_callback(tasks.discard)
