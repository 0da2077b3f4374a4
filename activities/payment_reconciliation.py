"""Payments whose callback never came: every worker asks the gateways about orders still open after N minutes
(settings.payment_reconcile_after_minutes). A paid one is recorded exactly as its callback would have been
(domain.payments.service.record_callback, notification id `query:<txn>`) and signalled to the booking's workflow
with the same function as the callback route; orders of bookings that ended are closed at the gateway; refunds
still processing are asked about too.

A periodic job, not a workflow: durability lies in the payment_orders rows (an order stays open until this or a
callback settles it), so a skipped run only delays the money by one interval. Several workers may run it side by
side: the order row lock and the inbox's unique notification id make a second look a no-op."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from temporalio.client import Client
from temporalio.worker import Worker

from activities.periodic import PeriodicJobPlugin
from domain.db import session_scope
from domain.models import PaymentOrder, Refund
from domain.payments import service, signals
from domain.payments.registry import Gateways
from integrations.errors import IntegrationError

log = logging.getLogger(__name__)


class PaymentReconciler:
    def __init__(self, database_url: str, gateways: Gateways, older_than_minutes: int) -> None:
        self.database_url, self.gateways, self.older_than_minutes = database_url, gateways, older_than_minutes
        self.client: Client | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def run_once(self) -> int:
        """One round (on a thread); returns how many payments it found paid."""
        with session_scope(self.database_url) as session:
            order_ids = service.stale_open_orders(session, self.older_than_minutes)
            refund_ids = list(session.scalars(select(Refund.id).where(Refund.status == "processing").limit(100)))
        found = sum(self._order(order_id) for order_id in order_ids)
        for refund_id in refund_ids:
            try:
                with session_scope(self.database_url) as session:
                    service.refresh_refund(session, self.gateways, refund_id)
            except IntegrationError as exc:
                log.warning("refund %s query failed: %s", refund_id, exc.code)
        return found

    def _order(self, order_id: str) -> int:
        try:
            with session_scope(self.database_url) as session:
                received = service.reconcile_order(session, self.gateways, order_id)
                if received is None:
                    return 0
                order = session.get(PaymentOrder, order_id)
                assert order is not None
                # Signalled before the commit, as the callback route does: a failed signal rolls the record back
                # and the next round finds the payment again.
                if not self._signal(order.booking_id, received):
                    service.flag_for_operator(session, order.booking_id, signals.ended_workflow_reason(order_id))
                log.info("payment reconciled by query booking=%s order=%s", order.booking_id, order_id)
                return 1
        except IntegrationError as exc:
            log.warning("payment order %s query failed: %s", order_id, exc.code)
        except Exception:
            log.exception("payment order %s reconciliation failed", order_id)
        return 0

    def _signal(self, booking_id: int, received: Any) -> bool:
        if self.client is None or self.loop is None:
            raise RuntimeError("the reconciler runs inside a worker (PaymentReconciliationPlugin)")
        future = asyncio.run_coroutine_threadsafe(signals.signal_payment(self.client, booking_id, received), self.loop)
        return future.result(timeout=30)


class PaymentReconciliationPlugin(PeriodicJobPlugin):
    def __init__(self, reconciler: PaymentReconciler, interval: float) -> None:
        super().__init__("payment reconciliation", reconciler.run_once, interval)
        self.reconciler = reconciler

    async def run_worker(self, worker: Worker, next: Callable[[Worker], Awaitable[None]]) -> None:
        # The job runs on a thread; its signals go through the worker's client on the worker's event loop.
        self.reconciler.client, self.reconciler.loop = worker.client, asyncio.get_running_loop()
        await super().run_worker(worker, next)
