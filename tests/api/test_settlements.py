"""Settlement approval through the console's API: the list of settlements waiting for an operator, approving,
rejecting with a reason, retrying only a failed payout; and the settlement on the booking's page (figures for
the artist, only whether it is settled for the client)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from domain.payments.sandbox import SandboxGateway
from domain.settings import Settings
from tests.conftest import run_platform_worker, start_time_skipping_env
from tests.factories import user_id, verified_pair
from tests.fakes.scripted_payouts import ScriptedPayoutChannel
from tests.helpers import V1, bearer, operator_token
from tests.workflows.booking_helpers import act, booking_id, pay, start, to_signed


@pytest.fixture(scope="module")
async def temporal_env() -> AsyncIterator[Any]:
    """A time-skipping server of this module's own: the days skipped here must not move the clock of the other
    API tests' workflows."""
    env = await start_time_skipping_env()
    yield env
    await env.shutdown()


@pytest.fixture(scope="module")
async def worker(temporal_env: Any, settings: Settings, database_url: str, gateway: SandboxGateway,
                 payout_channel: ScriptedPayoutChannel) -> AsyncIterator[object]:
    async for w in run_platform_worker(temporal_env, settings, database_url, gateway, payout_channel):
        yield w


async def _paid(api: httpx.AsyncClient, db: Session, temporal_env, n: int):  # type: ignore[no-untyped-def]
    """A booking paid in full (the platform's settlement rules), its show 10 days ahead."""
    client, artist, artist_id = await verified_pair(api, db, f"1380000{n:04d}", f"1390000{n:04d}")
    client_id = await user_id(api, client)
    [h] = await start(temporal_env, db, client_id, [artist_id], settlement=None, days=10)
    await to_signed(h, client_id, artist_id)
    await pay(h, db, client_id, "deposit")
    await pay(h, db, client_id, "balance")
    return client, artist, client_id, artist_id, h


async def _request_settlement(h, client_id: int, artist_id: int) -> None:  # type: ignore[no-untyped-def]
    await act(h, "confirm_performance", "client", client_id)
    await act(h, "request_settlement", "artist", artist_id)


async def test_operators_approve_or_reject_settlements(api_with_temporal: httpx.AsyncClient, db: Session,
                                                       temporal_env) -> None:  # type: ignore[no-untyped-def]
    api = api_with_temporal
    ops = await operator_token(api, db)
    client, artist, client_id, artist_id, h = await _paid(api, db, temporal_env, 1)
    _, _, other_client, other_artist, other = await _paid(api, db, temporal_env, 2)
    await temporal_env.sleep(timedelta(days=10, hours=4))  # both shows are over
    await _request_settlement(h, client_id, artist_id)
    await _request_settlement(other, other_client, other_artist)
    bid = booking_id(h)

    res = await api.get(f"{V1}/admin/settlements", headers=bearer(ops), params={"status": "pending_approval"})
    assert res.status_code == 200, res.text
    page = res.json()
    assert page["total"] == 2 and {s["booking_id"] for s in page["items"]} == {bid, booking_id(other)}
    item = next(s for s in page["items"] if s["booking_id"] == bid)
    assert (item["status"], item["status_label"], item["gross_amount"], item["commission_amount"],
            item["payout_amount"], item["commission_rate_bp"]) == (
        "pending_approval", "待审核", 1_000_000, 100_000, 900_000, 1000)
    assert item["allowed_decisions"] == ["approve", "reject"] and item["booking_status"] == "SETTLING"
    assert item["artist_id"] == artist_id and item["payout_no"] == f"PO{bid}" and item["auto_approve_at"]
    only = await api.get(f"{V1}/admin/settlements", headers=bearer(ops), params={"artist_id": artist_id})
    assert [s["booking_id"] for s in only.json()["items"]] == [bid]

    # The booking's page: the artist sees the figures, the client only that it is being settled.
    mine = (await api.get(f"{V1}/bookings/{bid}", headers=bearer(artist))).json()["settlement"]
    assert (mine["status_label"], mine["payout_amount"], mine["commission_amount"]) == ("待审核", 900_000, 100_000)
    theirs = (await api.get(f"{V1}/bookings/{bid}", headers=bearer(client))).json()["settlement"]
    assert theirs["status_label"] == "结算处理中" and theirs["payout_amount"] is None

    empty = await api.post(f"{V1}/admin/settlements/{bid}/reject", headers=bearer(ops), json={})
    assert empty.status_code == 422
    retry = await api.post(f"{V1}/admin/settlements/{bid}/retry", headers=bearer(ops), json={})
    assert retry.status_code == 409 and retry.json()["code"] == "settlement_not_allowed"
    rejected = await api.post(f"{V1}/admin/settlements/{bid}/reject", headers=bearer(ops),
                              json={"reason": "演出视频待核实"})
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["failure_reason"], rejected.json()["allowed_decisions"]) == (
        "rejected", "演出视频待核实", ["approve"])
    assert "演出视频待核实" in (rejected.json()["needs_operator"] or "")

    approved = await api.post(f"{V1}/admin/settlements/{bid}/approve", headers=bearer(ops), json={"reason": "已核实"})
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["approved_at"] is not None) == ("approved", True)
    again = await api.post(f"{V1}/admin/settlements/{bid}/approve", headers=bearer(ops), json={})
    assert again.status_code == 409
    await temporal_env.sleep(timedelta(hours=72))  # the dispute window after the show
    assert await h.result() == "COMPLETED"
    done = (await api.get(f"{V1}/admin/settlements/{bid}", headers=bearer(ops))).json()
    assert (done["status"], done["channel"], done["allowed_decisions"]) == ("paid", "sandbox", [])
    assert done["channel_label"].startswith("沙箱")
    theirs = (await api.get(f"{V1}/bookings/{bid}", headers=bearer(client))).json()["settlement"]
    assert theirs["status_label"] == "已结算"

    missing = await api.get(f"{V1}/admin/settlements/999999", headers=bearer(ops))
    assert missing.status_code == 404 and missing.json()["code"] == "settlement_not_found"
    # The other one nobody decided on was approved automatically after the configured days.
    assert await other.result() == "COMPLETED"
    auto = (await api.get(f"{V1}/admin/settlements/{booking_id(other)}", headers=bearer(ops))).json()
    assert (auto["status"], auto["approved_by"]) == ("paid", None) and auto["approved_at"] is not None


async def test_operators_set_the_commission_and_settlement_rules(api: httpx.AsyncClient, db: Session) -> None:
    ops = await operator_token(api, db)
    for key, value in (("booking.commission_rate_bp", 800), ("booking.settlement_dispute_window_hours", 48),
                       ("booking.settlement_auto_approve_days", 5)):
        res = await api.put(f"{V1}/admin/settings", headers=bearer(ops), json={"key": key, "value": value})
        assert res.status_code == 200 and res.json()["value"] == value, res.text
    for bad in ({"key": "booking.commission_rate_bp", "value": 6000},
                {"key": "booking.settlement_auto_approve_days", "value": True},
                {"key": "booking.require_verification", "value": 1}):
        assert (await api.put(f"{V1}/admin/settings", headers=bearer(ops), json=bad)).status_code == 422
    rules = {r["key"]: r["value"] for r in (await api.get(f"{V1}/admin/settings", headers=bearer(ops))).json()}
    assert rules["booking.commission_rate_bp"] == 800 and rules["booking.settlement_auto_approve_days"] == 5
