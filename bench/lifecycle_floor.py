"""The floor of bench/booking_lifecycle.py: a booking's shape in Temporal with nothing behind it.

`LifecycleFloor` takes the same messages a BookingWorkflow takes on the way from the inquiry to COMPLETED (an
Update per user action, with a validator; a Signal per payment; a deadline timer re-armed after every change and
the performance-end timer) but runs no activity and writes nothing: what is left is what the Temporal dev server,
the SDK and one worker process cost for that many messages and timers. It runs in its own worker process on its
own task queue:

    .venv/bin/python -m bench.lifecycle_floor --address 127.0.0.1:7233 --task-queue floor
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

# action -> (the status it is allowed in, the status it moves to); pay_* open an "order" and move nothing.
MOVES = {
    "confirm": ("REQUESTED", "CONFIRMED"),
    "send_contract": ("CONFIRMED", "CONTRACT_SENT"),
    "sign": ("CONTRACT_SENT", "CLIENT_SIGNED"),
    "countersign": ("CLIENT_SIGNED", "SIGNED"),
    "pay_deposit": ("SIGNED", "SIGNED"),
    "pay_balance": ("DEPOSIT_PAID", "DEPOSIT_PAID"),
    "confirm_performance": ("PERFORMED", "ACCEPTED"),
    "request_settlement": ("ACCEPTED", "COMPLETED"),
}
PAID = {"deposit": ("SIGNED", "DEPOSIT_PAID"), "balance": ("DEPOSIT_PAID", "FULLY_PAID")}


@workflow.defn(name="LifecycleFloor")
class LifecycleFloor:
    def __init__(self) -> None:
        self.status = "REQUESTED"
        self.version = 0
        self.payments: list[str] = []
        self.orders = 0

    @workflow.run
    async def run(self, start_at: str, end_at: str) -> str:
        start, end = datetime.fromisoformat(start_at), datetime.fromisoformat(end_at)
        while self.status != "COMPLETED":
            if self.payments:
                kind = self.payments.pop(0)
                if PAID[kind][0] == self.status:
                    self._move(PAID[kind][1])
                continue
            seen = self.version
            # As the booking does: a deadline (clipped to the show's start) before the show, then the end timer.
            at = end if self.status == "FULLY_PAID" else start if self.status in (
                "REQUESTED", "CONFIRMED", "CONTRACT_SENT", "CLIENT_SIGNED", "SIGNED", "DEPOSIT_PAID") else None
            timeout = None if at is None else max((at - workflow.now()).total_seconds(), 0)
            if timeout == 0 and self.status != "FULLY_PAID":
                timeout = None  # a passed deadline: the floor doesn't expire bookings
            try:
                await workflow.wait_condition(self._woken(seen), timeout=timeout)
            except TimeoutError:
                if self.status == "FULLY_PAID" and self.version == seen:
                    self._move("PERFORMED")
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.status

    def _woken(self, seen: int) -> Callable[[], bool]:
        return lambda: self.version != seen or bool(self.payments)

    def _move(self, to: str) -> None:
        self.status = to
        self.version += 1

    @workflow.query
    def state(self) -> str:
        return self.status

    @workflow.signal
    def payment_received(self, kind: str) -> None:
        self.payments.append(kind)

    @workflow.update
    async def act(self, action: str) -> str:
        frm, to = MOVES[action]
        if action.startswith("pay_"):
            self.orders += 1
            return f"order-{self.orders}"
        self._move(to)
        return to

    @act.validator
    def check_act(self, action: str) -> None:
        if action not in MOVES or MOVES[action][0] != self.status:
            raise ApplicationError(f"{action} not allowed in {self.status}", type="InvalidAction")


def deadline(start_in: float, duration: float, now: datetime) -> tuple[str, str]:
    start = now + timedelta(seconds=start_in)
    return start.isoformat(), (start + timedelta(seconds=duration)).isoformat()


async def _serve(address: str, task_queue: str) -> None:
    from temporalio.client import Client
    from temporalio.worker import Worker

    # The class under its importable name (not __main__), so the workflow sandbox can re-import it.
    from bench.lifecycle_floor import LifecycleFloor as Floor

    client = await Client.connect(address, namespace="default")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Worker(client, task_queue=task_queue, workflows=[Floor]):
        logging.info("floor worker polling task queue %s at %s", task_queue, address)
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s floor-worker %(levelname)s %(message)s")
    asyncio.run(_serve(args.address, args.task_queue))
