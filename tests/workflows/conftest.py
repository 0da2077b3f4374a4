"""Workflow tests skip days and weeks of time: they get a time-skipping server of their own, so workflows
left behind by API tests (terminated mid-activity) can't hold the clock back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio.client import WorkflowHandle

from domain.db import session_factory
from domain.payments.sandbox import SandboxGateway
from domain.settings import Settings
from tests.conftest import run_platform_worker, start_time_skipping_env
from tests.fakes.scripted_payouts import ScriptedPayoutChannel
from tests.workflows.ledger_invariants import booking_problems, unbalanced_entries


@pytest.fixture(scope="module")
async def temporal_env() -> AsyncIterator[Any]:
    env = await start_time_skipping_env()
    yield env
    await env.shutdown()


@pytest.fixture(scope="module")
async def worker(temporal_env: Any, settings: Settings, database_url: str, gateway: SandboxGateway,
                 payout_channel: ScriptedPayoutChannel) -> AsyncIterator[object]:
    async for w in run_platform_worker(temporal_env, settings, database_url, gateway, payout_channel):
        yield w


@pytest.fixture
async def handles(temporal_env, database_url: str) -> AsyncIterator[list[WorkflowHandle]]:  # type: ignore[no-untyped-def]
    """Workflows a test started; ended afterwards so they don't outlive the test's database rows.

    Before that, the ledger's invariants are checked over what the test left (tests/workflows/ledger_invariants.py):
    each journal entry balances, and each booking whose workflow ended with its money settled has an empty escrow
    and payments − refunds = payouts + commission. So every path the suite walks is checked, not only the tests
    that look at money."""
    started: list[WorkflowHandle] = []
    yield started
    ended = []
    for h in started:
        desc = await h.describe()
        if desc.status is not None and desc.status.name == "RUNNING":
            await h.terminate("test over")
        elif desc.status is not None and desc.status.name == "COMPLETED":
            ended.append(int(h.id.removeprefix("booking-")))
    with session_factory(database_url)() as session:
        unbalanced = unbalanced_entries(session)
        problems: dict[str, object] = {"unbalanced entries": unbalanced} if unbalanced else {}
        for booking_id in ended:
            if found := booking_problems(session, booking_id):
                problems[f"booking {booking_id}"] = found
    assert not problems, problems
