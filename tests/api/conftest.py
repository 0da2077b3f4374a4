"""Fixtures of the API tests that drive bookings with payments."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from api.context import AppContext
from domain.payments.sandbox import SandboxGateway


@pytest.fixture
async def paying(api_with_temporal: httpx.AsyncClient, ctx: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    """The sandbox gateway delivers its callbacks to the app under test, as it would over loopback."""
    app = api_with_temporal._transport.app  # type: ignore[attr-defined]
    assert isinstance(ctx.payments, SandboxGateway)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        ctx.payments.http, ctx.payments.retry_delay = http, 0
        yield api_with_temporal
