"""Workflow tests skip days and weeks of time: they get a time-skipping server of their own, so workflows
left behind by API tests (terminated mid-activity) can't hold the clock back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio.client import WorkflowHandle

from domain.payments.sandbox import SandboxGateway
from domain.settings import Settings
from tests.conftest import run_platform_worker, start_time_skipping_env


@pytest.fixture(scope="module")
async def temporal_env() -> AsyncIterator[Any]:
    env = await start_time_skipping_env()
    yield env
    await env.shutdown()


@pytest.fixture(scope="module")
async def worker(temporal_env: Any, settings: Settings, database_url: str,
                 gateway: SandboxGateway) -> AsyncIterator[object]:
    async for w in run_platform_worker(temporal_env, settings, database_url, gateway):
        yield w


@pytest.fixture
async def handles(temporal_env) -> AsyncIterator[list[WorkflowHandle]]:  # type: ignore[no-untyped-def]
    """Workflows a test started; ended afterwards so they don't outlive the test's database rows."""
    started: list[WorkflowHandle] = []
    yield started
    for h in started:
        desc = await h.describe()
        if desc.status is not None and desc.status.name == "RUNNING":
            await h.terminate("test over")
