"""Which address the per-IP limits count: the peer, unless the peer is a trusted proxy (settings.trusted_proxies).

The `api` fixture's client connects from 10.1.2.3. A client that can pick its own X-Forwarded-For used to send
ten SMS codes, change the header, and send ten more.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.app import create_app
from api.context import AppContext
from domain.accounts.sms import IP_LIMITS
from domain.models import SmsCode
from tests.helpers import V1

PEER = "10.1.2.3"
PER_MINUTE = IP_LIMITS[0][1]


async def _send(api: httpx.AsyncClient, n: int, forwarded_for: str) -> httpx.Response:
    return await api.post(f"{V1}/auth/sms/send", json={"phone": f"1370000{n:04d}"},
                          headers={"X-Forwarded-For": forwarded_for})


async def _fill_the_minute_limit(api: httpx.AsyncClient, forwarded_for: str) -> None:
    for n in range(PER_MINUTE):
        res = await _send(api, n, forwarded_for)
        assert res.status_code == 200, res.text


@pytest.fixture
async def proxied_api(ctx: AppContext, db: Session) -> AsyncIterator[httpx.AsyncClient]:
    """The API as deployed behind nginx: the test client's address is the trusted proxy's."""
    settings = ctx.settings.model_copy(update={"trusted_proxies": f"{PEER},10.9.9.0/24"})
    transport = httpx.ASGITransport(app=create_app(settings, ctx), client=(PEER, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_embedded_default_ignores_a_clients_forwarded_for(api: httpx.AsyncClient, db: Session):
    await _fill_the_minute_limit(api, "198.51.100.1")
    for spoofed in ("198.51.100.2", "198.51.100.3, 203.0.113.9"):
        res = await _send(api, 99, spoofed)
        assert res.status_code == 429 and res.json()["code"] == "sms_limit_reached", res.text
    assert set(db.scalars(select(SmsCode.ip))) == {PEER}


async def test_behind_the_trusted_proxy_the_forwarded_client_counts(proxied_api: httpx.AsyncClient, db: Session):
    await _fill_the_minute_limit(proxied_api, "203.0.113.7")
    limited = await _send(proxied_api, 98, "203.0.113.7")
    assert limited.status_code == 429 and limited.json()["code"] == "sms_limit_reached"
    # Another client behind the same proxy has its own budget.
    other = await _send(proxied_api, 99, "198.51.100.9")
    assert other.status_code == 200, other.text
    assert set(db.scalars(select(SmsCode.ip))) == {"203.0.113.7", "198.51.100.9"}


async def test_an_address_the_client_prepends_does_not_count(proxied_api: httpx.AsyncClient, db: Session):
    """Only the hop the trusted proxy added is believed: the rightmost address that is not a trusted proxy."""
    await _fill_the_minute_limit(proxied_api, "203.0.113.7")
    res = await _send(proxied_api, 99, "192.0.2.44, 203.0.113.7, 10.9.9.5")
    assert res.status_code == 429 and res.json()["code"] == "sms_limit_reached", res.text


async def test_a_multi_hop_header_from_an_untrusted_peer_is_ignored(ctx: AppContext, db: Session):
    settings = ctx.settings.model_copy(update={"trusted_proxies": "10.9.9.9"})  # not the peer below
    transport = httpx.ASGITransport(app=create_app(settings, ctx), client=(PEER, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        res = await _send(api, 1, "198.51.100.1, 10.9.9.9")
        assert res.status_code == 200, res.text
    assert set(db.scalars(select(SmsCode.ip))) == {PEER}
