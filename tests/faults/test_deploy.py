"""A worker deployed with a changed BookingWorkflow while bookings are open, with the platform's real activities on
PostgreSQL, twice: on the time-skipping test server (shows 40 days out, skipped to) and on a real dev server (shows
90 s out, waited for; today's worker keeps its workflows cached and the next takes them over from its sticky queue).

Bookings start on a worker running today's BookingWorkflow and are left in several states (REQUESTED, CONFIRMED,
CONTRACT_SENT, SIGNED, DEPOSIT_PAID, FULLY_PAID); that worker is shut down and a worker running a changed
version takes over: a test-only subclass registered under the same workflow name whose change sits behind
`workflow.patched(...)` and is observable (after the show it also thanks the artist). The old bookings replay on
the new worker and keep their old behaviour, bookings started after the deploy take the new branch, every one
completes, no history has a failed workflow task (a non-determinism error would show there), and each step,
payment and notification happened once with the ledger balanced."""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributeKey
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.bookings.messages import Quote
from domain.models import BookingEvent, Notification, PaymentNotification, PaymentOrder
from domain.payments.sandbox import SandboxGateway
from domain.settings import Settings
from integrations.realname.sandbox import SandboxRealNameChecker
from tests.conftest import start_time_skipping_env
from tests.fakes.scripted_payouts import ScriptedPayoutChannel
from tests.faults.next_booking_workflow import PATCH, THANKS, CarelessBookingWorkflow, NextBookingWorkflow
from tests.workflows.booking_helpers import QUOTE, act, booking_id, parties, pay, start, to_signed
from tests.workflows.ledger_invariants import booking_problems, unbalanced_entries
from workers import runtime
from workflows.booking import BookingWorkflow


@pytest.fixture(scope="module", params=["time-skipping", "dev-server"])
async def temporal_env(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """The time-skipping test server (the shows 40 days out, skipped to), or a real dev server (the shows a minute
    out, waited for), where today's worker keeps its workflows cached and the next one takes them over from its
    sticky queue as in a real deploy."""
    if request.param == "time-skipping":
        env = await start_time_skipping_env()
    else:
        keys = {"Keyword": SearchAttributeKey.for_keyword, "Int": SearchAttributeKey.for_int,
                "Datetime": SearchAttributeKey.for_datetime}
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
            search_attributes=[keys[kind](name) for name, kind in runtime.SEARCH_ATTRIBUTES.items()])
    env.real_time = request.param == "dev-server"
    yield env
    await env.shutdown()


async def _worker(env: Any, settings: Settings, database_url: str, gateway: SandboxGateway,
                  payout_channel: ScriptedPayoutChannel, name: str, booking_workflow: type, *, cache: bool) -> Worker:
    """The platform's worker (workers.runtime.build_worker) with `booking_workflow` registered as BookingWorkflow and
    its own identity, so histories say which worker ran what. Without `cache` it keeps no workflow in memory between
    tasks: the time-skipping server never hands a stopped worker's sticky tasks to the shared queue (a real server
    does after the sticky timeout), so the stopped worker must not have any."""
    client = await Client.connect(env.client.service_client.config.target_host, namespace="default", identity=name)
    workflows, worker_class = runtime.WORKFLOWS, runtime.Worker
    runtime.WORKFLOWS = [booking_workflow if w is BookingWorkflow else w for w in workflows]
    if not cache:
        runtime.Worker = functools.partial(Worker, max_cached_workflows=0)  # type: ignore[assignment,misc]
    try:
        return runtime.build_worker(client, settings, database_url, checker=SandboxRealNameChecker(), gateway=gateway,
                                    payout_channel=payout_channel)
    finally:
        runtime.WORKFLOWS, runtime.Worker = workflows, worker_class  # type: ignore[misc]


async def _status(h: WorkflowHandle) -> str:
    return str(await h.query(BookingWorkflow.status))


async def _to_fully_paid(h: WorkflowHandle, status: str, db: Session, client_id: int, artist_id: int,
                         quote: Quote) -> None:
    """The booking's remaining steps from `status` up to FULLY_PAID. (The first message to a booking of the stopped
    worker is an update, not a query: a query would wait on the stopped worker's sticky queue.)"""
    steps = {
        "REQUESTED": lambda: act(h, "confirm", "artist", artist_id, quote=quote),
        "CONFIRMED": lambda: act(h, "send_contract", "artist", artist_id),
        "CONTRACT_SENT": lambda: act(h, "sign", "client", client_id, signature_key="private/signatures/c.png"),
        "CLIENT_SIGNED": lambda: act(h, "countersign", "artist", artist_id,
                                     signature_key="private/signatures/a.png"),
        "SIGNED": lambda: pay(h, db, client_id, "deposit"),
        "DEPOSIT_PAID": lambda: pay(h, db, client_id, "balance"),
    }
    chain = list(steps) + ["FULLY_PAID"]
    for state in chain[chain.index(status):-1]:
        await steps[state]()
    assert await _status(h) == "FULLY_PAID"


def _history_facts(events: list[Any]) -> tuple[set[str], list[str], bool]:
    """(identities of the workers that completed its workflow tasks, failed workflow tasks, has the patch marker)."""
    identities, failures, patched = set(), [], False
    for e in events:
        if e.HasField("workflow_task_completed_event_attributes"):
            identities.add(e.workflow_task_completed_event_attributes.identity)
        elif e.HasField("workflow_task_failed_event_attributes"):
            attrs = e.workflow_task_failed_event_attributes
            failures.append(f"{attrs.cause}: {attrs.failure.message}")
        elif e.HasField("marker_recorded_event_attributes"):
            patched = patched or PATCH.encode() in e.marker_recorded_event_attributes.SerializeToString()
    return identities, failures, patched


async def test_patched_workflow_deployed_while_bookings_are_open(
        temporal_env: Any, db: Session, settings: Settings, database_url: str, gateway: SandboxGateway,
        payout_channel: ScriptedPayoutChannel) -> None:
    env = temporal_env
    client_id, artists = parties(db, 8)
    old_artists, new_artists = artists[:6], artists[6:]
    # Time-skipping: shows 40 days out. Dev server: shows 90 s out, lasting 10 s, balance due at the show.
    when = {"days": 90 / 86400, "hours": 10 / 3600} if env.real_time else {}
    quote = Quote(fee_amount=QUOTE.fee_amount, deposit_percent=30, balance_due_days=0) if env.real_time else QUOTE

    today = await _worker(env, settings, database_url, gateway, payout_channel, "worker-today", BookingWorkflow,
                          cache=env.real_time)
    running = asyncio.create_task(today.run())
    try:
        old = [(await start(env, db, client_id, [a], **when))[0] for a in old_artists]
        # Left in six states: REQUESTED, CONFIRMED, CONTRACT_SENT, SIGNED, DEPOSIT_PAID, FULLY_PAID.
        _, confirmed, sent, signed, deposit, full = old
        a = dict(zip((booking_id(h) for h in old), old_artists, strict=True))
        await act(confirmed, "confirm", "artist", a[booking_id(confirmed)], quote=quote)
        await act(sent, "confirm", "artist", a[booking_id(sent)], quote=quote)
        await act(sent, "send_contract", "artist", a[booking_id(sent)])
        for h in (signed, deposit, full):
            await to_signed(h, client_id, a[booking_id(h)], quote)
        for h in (deposit, full):
            await pay(h, db, client_id, "deposit")
        await pay(full, db, client_id, "balance")
        before = [await _status(h) for h in old]
        assert before == ["REQUESTED", "CONFIRMED", "CONTRACT_SENT", "SIGNED", "DEPOSIT_PAID", "FULLY_PAID"]
    finally:
        await today.shutdown()  # the deploy: today's worker stops with these bookings open
        await running

    nxt = await _worker(env, settings, database_url, gateway, payout_channel, "worker-next", NextBookingWorkflow,
                        cache=True)
    running = asyncio.create_task(nxt.run())
    handles = list(old)
    try:
        new = [(await start(env, db, client_id, [a], **when))[0] for a in new_artists]
        handles += new
        owner = {booking_id(h): a for h, a in zip(handles, old_artists + new_artists, strict=True)}
        # Side by side: on the dev server each old booking's first task waits out its sticky timeout once.
        await asyncio.gather(*(_to_fully_paid(h, status, db, client_id, owner[booking_id(h)], quote)
                               for h, status in zip(handles, before + ["REQUESTED"] * len(new), strict=True)))
        if env.real_time:
            for h in handles:  # the shows end on the server's clock
                deadline = asyncio.get_running_loop().time() + 150
                while await _status(h) != "PERFORMED":
                    assert asyncio.get_running_loop().time() < deadline, f"{h.id} not PERFORMED"
                    await asyncio.sleep(0.5)
        else:
            await env.sleep(timedelta(days=41))  # every show ends
        for h in handles:
            assert await _status(h) == "PERFORMED", h.id
            await act(h, "confirm_performance", "client", client_id)
            await act(h, "request_settlement", "artist", owner[booking_id(h)])
        results = [await h.result() for h in handles]
        assert results == ["COMPLETED"] * len(handles)
        facts = {h.id: _history_facts([e async for e in h.fetch_history_events()]) for h in handles}
    finally:
        await nxt.shutdown()
        await running

    for h in handles:
        identities, failures, patched = facts[h.id]
        assert failures == [], (h.id, failures)  # no non-determinism (nor any other workflow task failure)
        if h in old:  # started on today's worker, finished on the next one
            assert identities == {"worker-today", "worker-next"}, (h.id, identities)
            assert not patched, h.id
        else:
            assert identities == {"worker-next"}, (h.id, identities)
            assert patched, h.id

    db.expire_all()
    thanked = set(db.scalars(select(Notification.booking_id).where(Notification.title == THANKS)))
    assert thanked == {booking_id(h) for h in new}  # the new branch, and only for bookings started on it
    for h in handles:
        b = booking_id(h)
        assert db.scalar(select(func.count()).select_from(BookingEvent).where(BookingEvent.booking_id == b)) == \
            db.scalar(select(func.count(func.distinct(BookingEvent.step))).where(BookingEvent.booking_id == b))
        actions = list(db.scalars(select(BookingEvent.action).where(BookingEvent.booking_id == b)))
        once = ["confirm", "send_contract", "sign", "countersign", "deposit_paid", "balance_paid", "performed",
                "confirm_performance", "request_settlement", "settled"]
        assert {x: actions.count(x) for x in once} == dict.fromkeys(once, 1), (h.id, actions)
        paid = db.execute(select(PaymentOrder.kind, func.count(), func.count(PaymentNotification.id))
                          .outerjoin(PaymentNotification, PaymentNotification.order_id == PaymentOrder.id)
                          .where(PaymentOrder.booking_id == b, PaymentOrder.status == "paid")
                          .group_by(PaymentOrder.kind).order_by(PaymentOrder.kind)).all()
        assert [tuple(r) for r in paid] == [("balance", 1, 1), ("deposit", 1, 1)], (h.id, paid)
        dup = db.execute(select(Notification.user_id, Notification.step, func.count())
                         .where(Notification.booking_id == b)
                         .group_by(Notification.user_id, Notification.step).having(func.count() > 1)).all()
        assert dup == [], (h.id, dup)
        assert booking_problems(db, b) == [], h.id
    assert unbalanced_entries(db) == []


async def test_an_unpatched_change_fails_the_open_bookings(
        temporal_env: Any, db: Session, settings: Settings, database_url: str, gateway: SandboxGateway,
        payout_channel: ScriptedPayoutChannel) -> None:
    """The check above can fail: the same deploy with the change made carelessly (no patch) leaves an open booking's
    history with a failed workflow task (non-determinism) as soon as the new worker replays it."""
    env = temporal_env
    client_id, [artist] = parties(db, 1)
    today = await _worker(env, settings, database_url, gateway, payout_channel, "worker-today", BookingWorkflow,
                          cache=env.real_time)
    running = asyncio.create_task(today.run())
    try:
        [h] = await start(env, db, client_id, [artist])
        await act(h, "confirm", "artist", artist, quote=QUOTE)
    finally:
        await today.shutdown()
        await running
    careless = await _worker(env, settings, database_url, gateway, payout_channel, "worker-careless",
                             CarelessBookingWorkflow, cache=True)
    running = asyncio.create_task(careless.run())
    try:
        await h.signal("no_such_signal")  # any new event: the workflow needs a task, which replays its history
        deadline = asyncio.get_running_loop().time() + 60
        while not (failures := _history_facts([e async for e in h.fetch_history_events()])[1]):
            assert asyncio.get_running_loop().time() < deadline, "the careless worker never replayed the booking"
            await asyncio.sleep(0.5)
        print(f"{h.id} on the careless worker: {failures[0][:160]}")
        assert any("NON_DETERMINISTIC" in f or "ondeterminism" in f for f in failures), failures
    finally:
        await h.terminate("test over")
        await careless.shutdown()
        await running
