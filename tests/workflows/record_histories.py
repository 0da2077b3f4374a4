"""Record BookingWorkflow histories for the replay test (tests/workflows/test_replay.py).

Run by hand, NOT by `make test`, only when the recorded histories need refreshing (a new path worth covering, or
a deliberate, versioned change to the workflow whose old histories are no longer expected to replay):

    .venv/bin/python -m tests.workflows.record_histories [scenario ...]

Name scenarios to record only those (new paths), keeping the older files: they are what bookings started by
earlier releases recorded, and they must keep replaying.
It builds what the test fixtures build (tests/conftest.py): a throwaway database on the embedded PostgreSQL in
.data/test-pg (DATABASE_URL's server if set), migrated and dropped at the end; a time-skipping Temporal server;
the platform worker with the sandbox payment gateway. It then drives one booking per scenario with the same
steps as tests/workflows/test_booking_workflow.py and writes each workflow's history to
tests/workflows/histories/<scenario>.json. Commit the JSON files: they pin what running bookings in production
have already recorded, so a workflow change that would break them fails the replay test.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from temporalio.client import WorkflowHandle

from devstack.database import drop_database, ensure_database, migrate, start_embedded
from domain.bookings.messages import Quote
from domain.db import get_engine, session_factory
from domain.payments.sandbox import CALLBACK_PATH, SandboxGateway
from domain.settings import ROOT, Settings
from tests.conftest import TEST_TASK_QUEUE, run_platform_worker, start_time_skipping_env
from tests.workflows.booking_helpers import act, parties, pay, start, to_signed
from workflows.booking import BookingWorkflow

HISTORIES = Path(__file__).parent / "histories"

Scenario = Callable[[Any, Session], Awaitable[WorkflowHandle]]


async def _booking(env: Any, db: Session, **kw: Any) -> tuple[int, int, WorkflowHandle]:
    client, [artist] = parties(db)
    [handle] = await start(env, db, client, [artist], **kw)
    return client, artist, handle


async def _expect(handle: WorkflowHandle, status: str) -> None:
    result = await handle.result()
    assert result == status, f"{handle.id}: {result} != {status}"


async def happy_path(env: Any, db: Session) -> WorkflowHandle:
    """Inquiry → quote → contract → deposit → balance → show (timer) → confirmed → settled."""
    client, artist, h = await _booking(env, db)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    await pay(h, db, client, "balance")
    await env.sleep(timedelta(days=41))  # the show ends: the `performed` timer fires
    assert await h.query(BookingWorkflow.status) == "PERFORMED"
    await act(h, "confirm_performance", "client", client)
    await act(h, "request_settlement", "artist", artist)
    await _expect(h, "COMPLETED")
    return h


async def happy_path_local_steps(env: Any, db: Session) -> WorkflowHandle:
    """The happy path since the database steps run as local activities (markers instead of activity tasks)."""
    return await happy_path(env, db)


async def happy_path_merged_steps(env: Any, db: Session) -> WorkflowHandle:
    """The happy path since the slot's hold and booking and the settlement's payout row are written with their steps
    (PATCH_MERGED_STEPS: one local activity each instead of two or three)."""
    return await happy_path(env, db)


async def client_cancel_after_deposit(env: Any, db: Session) -> WorkflowHandle:
    """The client cancels after paying the deposit: compensation refunds it and releases the calendar."""
    client, artist, h = await _booking(env, db)
    await to_signed(h, client, artist, Quote(fee_amount=1_000_000, deposit_percent=30, balance_due_days=1))
    await pay(h, db, client, "deposit")
    await act(h, "cancel", "client", client, reason="活动取消")
    await _expect(h, "CANCELLED")
    return h


async def dispute_partial_refund(env: Any, db: Session) -> WorkflowHandle:
    """A dispute after the show, resolved by an operator with a partial refund, then settled."""
    client, artist, h = await _booking(env, db)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    await pay(h, db, client, "balance")
    await env.sleep(timedelta(days=41))
    await act(h, "confirm_performance", "client", client)
    await act(h, "dispute", "client", client, reason="演出时长不足", evidence=["private/evidence/1.jpg"])
    await act(h, "resolve_dispute", "operator", 1, resolution="partial_refund", reason="核实后处理",
              refund_amount=400_000)
    await _expect(h, "COMPLETED")
    return h


async def expired_no_answer(env: Any, db: Session) -> WorkflowHandle:
    """The artist never answers: a reminder timer, then the response deadline expires the booking."""
    _, _, h = await _booking(env, db)
    await env.sleep(timedelta(hours=25))
    await env.sleep(timedelta(hours=24))
    await _expect(h, "EXPIRED")
    return h


async def balance_overdue_extended(env: Any, db: Session) -> WorkflowHandle:
    """Balance reminders, the overdue timer flags operators, an operator extends, the client pays.

    The booking then waits for its show; it is terminated so the history ends in a closed workflow."""
    client, artist, h = await _booking(env, db, days=20)
    await to_signed(h, client, artist)  # balance due 3 days before the show
    await pay(h, db, client, "deposit")
    await env.sleep(timedelta(days=10))  # the 7-days-before reminder
    await env.sleep(timedelta(days=7, hours=1))  # the 1-day reminder, then overdue
    await act(h, "extend_deadline", "operator", 1, extend_hours=48, reason="客户申请延期")
    await pay(h, db, client, "balance")
    assert await h.query(BookingWorkflow.status) == "FULLY_PAID"
    await h.terminate("history recorded")
    return h


async def dispute_before_show_cancelled(env: Any, db: Session) -> WorkflowHandle:
    """A dispute weeks before the show, ruled with a partial refund: money first, then cancelled and released."""
    client, artist, h = await _booking(env, db)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    await act(h, "dispute", "client", client, reason="艺人要求加价")
    await act(h, "resolve_dispute", "operator", 1, resolution="partial_refund", reason="核实后取消",
              refund_amount=200_000)
    await _expect(h, "CANCELLED")
    return h


async def request_expires_before_show(env: Any, db: Session) -> WorkflowHandle:
    """A show 12 hours away: the 48-hour answer window ends at the show's start."""
    _, _, h = await _booking(env, db, days=0.5)
    await env.sleep(timedelta(hours=13))
    await _expect(h, "EXPIRED")
    return h


async def temporal_ui_operator_actions(env: Any, db: Session) -> WorkflowHandle:
    """Operators intervene from the Temporal UI (update `act` with the UI's JSON, no `via`): the operator check and
    the audit activities run (patch temporal-ui-operator-check); a deadline extended, then a cancel refunding it all."""
    from tests.helpers import make_operator

    client, artist, h = await _booking(env, db)
    await to_signed(h, client, artist)
    await pay(h, db, client, "deposit")
    ops = make_operator(db, f"ui-history-{h.id}", role="support")
    who = {"role": "operator", "id": ops.id}
    await h.execute_update("act", {"action": "extend_deadline", "actor": who, "reason": "客户申请延期",
                                   "extend_hours": 48}, result_type=dict)
    await h.execute_update("act", {"action": "cancel", "actor": who, "reason": "场地取消", "refund_amount": 300_000},
                           result_type=dict)
    await _expect(h, "CANCELLED")
    return h


SCENARIOS: list[Scenario] = [happy_path, client_cancel_after_deposit, dispute_partial_refund, expired_no_answer,
                             balance_overdue_extended, dispute_before_show_cancelled, request_expires_before_show,
                             temporal_ui_operator_actions, happy_path_local_steps,
                             happy_path_merged_steps]


async def record(database_url: str, only: set[str] | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="yanyue-histories-") as data_dir:
        settings = Settings(_env_file=None, data_dir=Path(data_dir), database_url=database_url,
                            temporal_task_queue=TEST_TASK_QUEUE,
                            jwt_secret="test-jwt-secret-0123456789-abcdefghijklmnop",
                            id_encryption_key="test-id-key", id_hash_key="test-hash-key")
        await _record(settings, database_url, only)


async def _record(settings: Settings, database_url: str, only: set[str] | None) -> None:
    gateway = SandboxGateway("test-sandbox-pay-secret", notify_url="http://testserver" + CALLBACK_PATH)
    env = await start_time_skipping_env()
    db = session_factory(database_url)()
    try:
        workers = run_platform_worker(env, settings, database_url, gateway)
        await anext(workers)
        try:
            HISTORIES.mkdir(exist_ok=True)
            for scenario in SCENARIOS:
                if only and scenario.__name__ not in only:
                    continue
                handle = await scenario(env, db)
                history = await handle.fetch_history()
                path = HISTORIES / f"{scenario.__name__}.json"
                path.write_text(history.to_json() + "\n", encoding="utf-8")
                print(f"{path.relative_to(ROOT)}: {len(history.events)} events")
        finally:
            await anext(workers, None)  # shuts the worker down
    finally:
        db.close()
        await env.shutdown()


def main() -> None:
    server = os.environ.get("DATABASE_URL") or start_embedded(ROOT / ".data" / "test-pg")
    name = f"yanyue_histories_{os.getpid()}"
    drop_database(server, name)
    url = ensure_database(server, name)
    try:
        migrate(url)
        asyncio.run(record(url, set(sys.argv[1:]) or None))
    finally:
        get_engine(url).dispose()
        drop_database(server, name)


if __name__ == "__main__":
    main()
