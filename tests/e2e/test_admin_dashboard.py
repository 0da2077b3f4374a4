"""数据看板 in the operator console (Chromium at 1440×900, the platform as `make run` starts it): the console opens on
the dashboard; a client's inquiry to two artists, made through the API just before, shows in the figures the page
reads and draws (orders, funnel, demand by event type), and the cards show what the API answered.

The figures themselves are checked against rows in tests/api/test_dashboard.py; here: the page, its charts and
its Chinese text, looked at in the screenshot."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Response, expect

from tests.e2e.booking_stack import unmarked_show_start
from tests.e2e.test_admin import OPERATOR, login, settle
from tests.e2e.test_admin_orders import CLIENT, _login

pytestmark = pytest.mark.e2e

V1 = "/api/v1"
ARTISTS = ("13900000009", "13900000010")  # seeded, verified (every fourth is not) and approved


def _inquiry(platform_url: str, event_type: str) -> None:
    """The seeded client asks two artists at once: two bookings, one inquiry."""
    with httpx.Client(base_url=platform_url, timeout=30, trust_env=False) as http:
        client = _login(http, CLIENT)
        ids = [http.get(f"{V1}/me", headers=_login(http, phone)).json()["id"] for phone in ARTISTS]
        start = unmarked_show_start()  # past the seed's calendar marks
        res = http.post(f"{V1}/inquiries", headers=client, json={
            "artist_ids": ids, "event_type": event_type, "start_at": start.isoformat(),
            "end_at": (start + timedelta(hours=2)).isoformat(), "city": "成都", "venue_address": "高新区天府大道1号",
            "audience_size": 300, "requirements": "开场暖场", "budget_amount": 2_000_000, "contact_name": "赵经理",
            "contact_phone": CLIENT})
        assert res.status_code == 201, res.text


def _answer(responses: list[Response], path: str) -> dict[str, Any]:
    found = [r for r in responses if r.url.split("?")[0].endswith(f"/api/v1/admin/dashboard/{path}")]
    assert found, f"the page did not ask for {path}"
    assert found[-1].ok, found[-1].text()
    return dict(found[-1].json())


def test_console_opens_on_the_dashboard_with_todays_demand(platform_url: str, page: Page,
                                                           screenshot_dir: Path) -> None:
    event_type = f"看板验收{uuid.uuid4().hex[:4]}"
    _inquiry(platform_url, event_type)
    page.set_viewport_size({"width": 1440, "height": 900})
    responses: list[Response] = []
    page.on("response", lambda r: responses.append(r) if "/admin/dashboard/" in r.url else None)

    page.goto(f"{platform_url}/admin/")
    login(page, *OPERATOR)
    expect(page).to_have_url(re.compile(r"/admin/dashboard$"))
    for chart in ("chart-trend", "chart-funnel", "chart-demand-event", "chart-new-users"):
        expect(page.get_by_test_id(chart).locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("quick-30")).to_have_class(re.compile("el-button--primary"))

    overview = _answer(responses, "overview")
    totals = overview["totals"]
    assert totals["orders"] >= 2 and overview["daily"][-1]["orders"] >= 2  # today's two bookings at least
    expect(page.get_by_test_id("kpi-orders")).to_contain_text(f"{totals['orders']}")
    expect(page.get_by_test_id("kpi-completion")).to_contain_text(f"{totals['completion_rate'] * 100:.1f}%")
    expect(page.get_by_test_id("kpi-gmv")).to_contain_text("成交额")
    assert [p["label"] for p in overview["periods"]] == ["今日", "近7天", "近30天"]

    demand = {i["key"]: i for i in _answer(responses, "demand")["by_event_type"]}
    assert (demand[event_type]["bookings"], demand[event_type]["inquiries"]) == (2, 1)
    funnel = _answer(responses, "funnel")["steps"]
    assert [s["label"] for s in funnel] == ["预约", "签约", "支付", "演出", "结算"] and funnel[0]["count"] >= 2

    settle(page)
    page.wait_for_timeout(800)  # ECharts' entry animation
    page.screenshot(path=str(screenshot_dir / "admin-dashboard.png"))

    # 今日: the range is today only, every chart asks again.
    with page.expect_response(lambda r: "/admin/dashboard/overview" in r.url) as info:
        page.get_by_test_id("quick-1").click()
    today = info.value.json()
    assert today["start"] == today["end"] == overview["end"]
    expect(page.get_by_test_id("kpi-orders")).to_contain_text(f"{today['totals']['orders']}")
