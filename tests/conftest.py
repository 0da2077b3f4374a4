"""Shared fixtures: a real PostgreSQL (DATABASE_URL's server if set, else embedded) built by the
migrations, a time-skipping Temporal server with the platform's worker, and the API app."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.app import create_app
from api.context import AppContext
from devstack.database import drop_database, ensure_database, migrate, start_embedded
from domain.accounts import roles
from domain.accounts.crypto import FieldCipher
from domain.accounts.sessions import TokenConfig
from domain.db import get_engine, session_factory
from domain.payments.sandbox import CALLBACK_PATH, SandboxGateway
from domain.settings import ROOT, Settings
from integrations.realname.sandbox import SandboxRealNameChecker
from integrations.sms.sandbox import SandboxSmsSender
from integrations.wechat.sandbox import SandboxMiniProgramAuth
from integrations.wechat.security_sandbox import SandboxContentSecurity
from search.pg import PgArtistSearch
from storage.local import LocalStorage
from tests.fakes.scripted_payouts import ScriptedPayoutChannel

TEST_TASK_QUEUE = "yanyue-test"


@pytest.fixture(autouse=True)
def _unfrozen_heap() -> Iterator[None]:
    """An app lifespan started by a test freezes the whole test process's objects (domain.heap, `gc.freeze`): they
    would stay out of the collector and out of `gc.get_objects()`, which skips frozen objects (a test that looks a
    worker's plugins up there no longer found them). Each test leaves the process unfrozen."""
    yield
    gc.unfreeze()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    server = os.environ.get("DATABASE_URL") or start_embedded(ROOT / ".data" / "test-pg")
    name = f"yanyue_test_{os.getpid()}"
    drop_database(server, name)
    url = ensure_database(server, name)
    migrate(url)
    yield url
    get_engine(url).dispose()
    drop_database(server, name)


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    """A clean database for each test (every table emptied), and a session on it."""
    engine = get_engine(database_url)
    for attempt in range(5):
        try:
            with engine.begin() as conn:
                # A lock held by a straggling worker thread must not hang the suite: give up, then try again.
                conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                tables = conn.execute(text(
                    "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
                    "WHERE schemaname = 'public' AND tablename <> 'alembic_version'")).scalar_one()
                # Identities keep counting: workflow ids (booking-<id>) must stay unique on the shared server.
                conn.execute(text(f"TRUNCATE {tables} CASCADE"))
            break
        except OperationalError:
            # An activity of the previous test's workflow may still be finishing its write: try again.
            if attempt == 4:
                raise
            time.sleep(0.5)
    session = session_factory(database_url)()
    roles.seed_builtin(session)  # the built-in operator roles, as migration 0016 leaves a new database
    session.commit()
    yield session
    session.rollback()
    session.close()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,  # type: ignore[call-arg]
                    temporal_task_queue=TEST_TASK_QUEUE, jwt_secret="test-jwt-secret-0123456789-abcdefghijklmnop",
                    id_encryption_key="test-id-key", id_hash_key="test-hash-key")


async def start_time_skipping_env() -> Any:
    from temporalio.testing import WorkflowEnvironment

    from workers.runtime import register_search_attributes

    binary = Path(sys.executable).parent / "temporal-test-server"
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(binary))
    await register_search_attributes(env.client, "default")
    return env


async def run_platform_worker(env: Any, settings: Settings, database_url: str, gateway: SandboxGateway,
                              payout_channel: ScriptedPayoutChannel | None = None) -> AsyncIterator[object]:
    from workers.runtime import build_worker

    w = build_worker(env.client, settings, database_url, checker=SandboxRealNameChecker(), gateway=gateway,
                     payout_channel=payout_channel)
    task = asyncio.create_task(w.run())
    yield w
    await w.shutdown()
    await task


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[Any]:
    env = await start_time_skipping_env()
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def gateway(settings: Settings) -> SandboxGateway:
    """The sandbox payment gateway the test worker refunds through (tests can make refunds fail)."""
    return SandboxGateway("test-sandbox-pay-secret", notify_url="http://testserver" + CALLBACK_PATH)


@pytest.fixture(scope="session")
def payout_channel() -> ScriptedPayoutChannel:
    """The sandbox payout channel the test worker pays artists through (tests script failures per booking)."""
    return ScriptedPayoutChannel()


@pytest.fixture(scope="session")
async def worker(temporal_env, settings: Settings, database_url: str, gateway: SandboxGateway,  # type: ignore[no-untyped-def]
                 payout_channel: ScriptedPayoutChannel):
    async for w in run_platform_worker(temporal_env, settings, database_url, gateway, payout_channel):
        yield w


@pytest.fixture
def ctx(settings: Settings, database_url: str) -> AppContext:
    return AppContext(
        settings=settings, database_url=database_url, database_backend="postgresql",
        tokens=TokenConfig(settings.secret("jwt_secret"), settings.access_token_minutes, settings.refresh_token_days),
        cipher=FieldCipher("test-id-key", "test-hash-key"), sms=SandboxSmsSender(),
        wechat=SandboxMiniProgramAuth(), storage=LocalStorage(settings.storage_dir, "test-storage-signing-secret"),
        # Tests that confirm sandbox payments give it an HTTP client bound to the app (see test_payments).
        payments=SandboxGateway("test-payment-sandbox-secret", notify_url=f"http://testserver{CALLBACK_PATH}"),
        temporal_address="127.0.0.1:1",  # tests that need Temporal use the `api_with_temporal` fixture
        search=PgArtistSearch(get_engine(database_url)),
        content_security=SandboxContentSecurity(push_token="test-push-token"),
    )


@pytest.fixture
async def api(ctx: AppContext, db: Session) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ctx.settings, ctx)
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def api_with_temporal(ctx: AppContext, api: httpx.AsyncClient, temporal_env, worker,  # type: ignore[no-untyped-def]
                            db: Session) -> AsyncIterator[httpx.AsyncClient]:
    ctx._temporal = temporal_env.client
    yield api
    # Workflows of this test must not outlive its rows (the next test empties the tables).
    ids = [f"booking-{i}" for i in db.scalars(text("SELECT id FROM bookings"))]
    ids += [f"realname-{i}" for i in db.scalars(text("SELECT id FROM real_name_verifications"))]
    for workflow_id in ids:
        handle = temporal_env.client.get_workflow_handle(workflow_id)
        try:
            await handle.terminate("test over")
        except Exception:  # noqa: S110 - already finished
            pass


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: sync Playwright keeps its own event loop, which async tests can't share."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
