"""Notification delivery in the worker: the activities NotificationDeliveryWorkflow runs, and the dispatcher
that starts one workflow per pending delivery row (a worker plugin, like the search outbox drain).

Durability lies in the `notification_deliveries` table: a row is pending until a workflow sent, skipped or
failed it; the dispatcher marks a row dispatched only after Temporal accepted (or already had) its workflow,
whose id `notify-<notification>-<channel>` and reuse policy refuse a second run, so a row is sent once.

A row on a sandbox channel (WeChat or SMS not configured: nothing leaves the machine) is sent by the dispatcher
itself, with the same row lock, so it is still sent once: it can't meet an outage, so a workflow's retries would
only cost a workflow start, two workflow tasks and an activity per message (about 15 per booking). Should its
send raise all the same, the row gets its workflow like any other."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from activities.periodic import PeriodicJobPlugin
from domain.db import session_scope
from domain.notifications import delivery, reminders
from domain.notifications.delivery import Channels, TransientDeliveryError
from domain.notifications.messages import DELIVER_NOTIFICATION, GIVE_UP_DELIVERY, TRANSIENT_TYPE, workflow_id
from domain.time import utc_now
from workflows.notifications import NotificationDeliveryWorkflow

log = logging.getLogger(__name__)

DISPATCH_INTERVAL_SECONDS = 2.0
REMINDER_INTERVAL_SECONDS = 60.0  # show tomorrow / deposit due tomorrow: a minute late is fine


class NotificationActivities:
    def __init__(self, database_url: str, channels: Channels) -> None:
        self.database_url, self.channels = database_url, channels

    @activity.defn(name=DELIVER_NOTIFICATION.name)
    def deliver(self, delivery_id: int) -> str:
        try:
            with session_scope(self.database_url) as session:
                return delivery.send(session, delivery_id, self.channels)
        except TransientDeliveryError as exc:
            with session_scope(self.database_url) as session:
                delivery.record_attempt(session, delivery_id, str(exc))
            raise ApplicationError(str(exc), type=TRANSIENT_TYPE) from exc

    @activity.defn(name=GIVE_UP_DELIVERY.name)
    def give_up(self, delivery_id: int) -> str:
        with session_scope(self.database_url) as session:
            delivery.give_up(session, delivery_id)
            return "failed"

    def all(self) -> list[Callable[..., Any]]:
        return [self.deliver, self.give_up]


class NotificationDispatchPlugin(PeriodicJobPlugin):
    """While the worker runs: every few seconds start a delivery workflow per new pending row, and every minute
    write the day-before reminders (show tomorrow, deposit due tomorrow) that no workflow timer sends and record
    rows whose workflow was lost as failed."""

    def __init__(self, client: Client, database_url: str, task_queue: str, channels: Channels | None = None,
                 interval: float = DISPATCH_INTERVAL_SECONDS) -> None:
        super().__init__("notification dispatch", self.tick, interval)
        self.client, self.database_url, self.task_queue = client, database_url, task_queue
        self.channels = channels  # None: every row gets its workflow
        self._reminded_at = 0.0

    async def tick(self) -> int:
        now = asyncio.get_running_loop().time()
        if now - self._reminded_at >= REMINDER_INTERVAL_SECONDS:
            await asyncio.to_thread(self._remind)
            self._reminded_at = now
        rows = await asyncio.to_thread(self._undispatched)
        started = await asyncio.to_thread(self._send_sandboxed, rows)
        for delivery_id, notification_id, channel in rows:
            if delivery_id in started:
                continue
            try:
                await self.client.start_workflow(
                    NotificationDeliveryWorkflow.run, delivery_id, id=workflow_id(notification_id, channel),
                    task_queue=self.task_queue, id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
            except WorkflowAlreadyStartedError:
                pass  # another worker (or an earlier tick that could not mark the row) started it
            started.append(delivery_id)
        await asyncio.to_thread(self._mark, started)
        return len(started)

    def _remind(self) -> None:
        with session_scope(self.database_url) as session:
            reminders.day_before(session, utc_now())
            delivery.fail_stale(session, utc_now())

    def _send_sandboxed(self, rows: list[tuple[int, int, str]]) -> list[int]:
        """Send the rows on sandbox channels here (each in its own transaction); returns those that went."""
        channels, sent = self.channels, []
        for delivery_id, _, channel in rows:
            if channels is None or not channels.is_sandbox(channel):
                continue
            try:
                with session_scope(self.database_url) as session:
                    delivery.send(session, delivery_id, channels)
                sent.append(delivery_id)
            except Exception:  # left to its workflow, whose retries are bounded and end in give_up
                log.exception("sandbox delivery %s not sent by the dispatcher", delivery_id)
        return sent

    def _undispatched(self) -> list[tuple[int, int, str]]:
        with session_scope(self.database_url) as session:
            return delivery.undispatched(session)

    def _mark(self, ids: list[int]) -> None:
        with session_scope(self.database_url) as session:
            delivery.mark_dispatched(session, ids)

