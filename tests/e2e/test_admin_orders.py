"""订单管理 in the operator console (Chromium at 1440×900, the platform as `make run` starts it): an operator finds a
client's orders with the filters, reads an order's progress, quote, timeline and notifications, follows its
Temporal UI link, extends its deadline and cancels another with a refund choice from the page.

Bookings are made through the API by the demo seed's verified client and artists."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.booking_stack import unmarked_show_start
from tests.e2e.sms_login import sms_headers
from tests.e2e.test_admin import OPERATOR, login, settle

pytestmark = pytest.mark.e2e

V1 = "/api/v1"
CLIENT = "13800000002"  # 花嫁婚礼策划工作室, verified in the seed
ARTISTS = ("13900000005", "13900000006")  # seeded, verified and approved


def _login(http: httpx.Client, phone: str) -> dict[str, str]:
    return sms_headers(http, phone)


def _act(http: httpx.Client, who: dict[str, str], booking_id: int, action: str, body: dict | None = None) -> dict:
    for _ in range(50):  # the booking's first step may still be running (预约尚未就绪)
        res = http.post(f"{V1}/bookings/{booking_id}/actions/{action}", headers=who, json=body or {})
        if res.status_code != 409 or res.json()["code"] != "booking_not_ready":
            break
    assert res.status_code == 200, res.text
    return dict(res.json())


def _bookings(platform_url: str) -> tuple[int, int]:
    """Two bookings of the client: one quoted (CONFIRMED), one with the contract sent (CONTRACT_SENT)."""
    with httpx.Client(base_url=platform_url, timeout=30, trust_env=False) as http:
        client = _login(http, CLIENT)
        artists = []
        for phone in ARTISTS:
            h = _login(http, phone)
            artists.append((h, http.get(f"{V1}/me", headers=h).json()["id"]))
        start = unmarked_show_start()  # past the seed's calendar marks
        res = http.post(f"{V1}/inquiries", headers=client, json={
            "artist_ids": [a for _, a in artists], "event_type": "婚礼", "start_at": start.isoformat(),
            "end_at": (start + timedelta(hours=2)).isoformat(), "city": "杭州", "venue_address": "西湖区湖滨路88号",
            "audience_size": 200, "requirements": "仪式前暖场三首", "budget_amount": 3_000_000,
            "contact_name": "李策划", "contact_phone": CLIENT})
        assert res.status_code == 201, res.text
        ids = [int(b["id"]) for b in res.json()["bookings"]]
        quote = {"fee_amount": 1_800_000, "deposit_percent": 30, "balance_due_days": 7, "rider": ["无线话筒两支"]}
        for (h, _), bid in zip(artists, ids, strict=True):
            _act(http, h, bid, "confirm", {"quote": quote})
        _act(http, artists[1][0], ids[1], "send_contract")
        return ids[0], ids[1]


def test_operator_finds_reads_and_intervenes_in_orders(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    quoted, contract = _bookings(platform_url)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{platform_url}/admin/orders")
    login(page, *OPERATOR)
    expect(page).to_have_url(re.compile(r"/admin/orders"))
    table = page.get_by_test_id("order-table")
    rows = table.locator(".el-table__body-wrapper tr.el-table__row")

    page.get_by_test_id("filter-client").fill("花嫁")  # el-input puts the attribute on <input>
    page.get_by_test_id("filter-city").fill("杭州")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(f"{contract}")
    expect(rows.nth(0)).to_contain_text("待签合同")
    expect(rows.nth(1)).to_contain_text("艺人已报价")
    expect(rows.nth(0).locator(".step.current")).to_have_text("签约")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-orders.png"))

    # The stage tabs narrow it to the one being signed.
    page.get_by_test_id("filter-stage").get_by_text("签约", exact=True).click()
    expect(rows).to_have_count(1)

    page.get_by_test_id(f"order-open-{contract}").click()
    expect(page).to_have_url(re.compile(rf"/admin/orders/{contract}$"))
    expect(page.get_by_test_id("order-title")).to_have_text(f"订单 #{contract}")
    expect(page.get_by_test_id("order-quote")).to_contain_text("¥18,000")
    expect(page.get_by_test_id("order-quote")).to_contain_text("¥5,400")
    expect(page.get_by_test_id("order-timeline")).to_contain_text("艺人发送合同")
    expect(page.get_by_test_id("order-notifications")).to_contain_text("收到新的演出邀约")
    link = page.get_by_test_id("temporal-link")
    assert re.fullmatch(rf"http://127\.0\.0\.1:\d+/namespaces/default/workflows/booking-{contract}",
                        link.get_attribute("href") or "")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-order-detail.png"))

    # 延长期限: 48 hours, with the reason the parties are told.
    page.get_by_test_id("act-extend").click()
    dialog = page.get_by_test_id("intervene-dialog")
    dialog.locator('[data-testid="extend-hours"] input, input[data-testid="extend-hours"]').fill("48")
    dialog.get_by_test_id("intervene-reason").fill("需求方出差，申请延期签署")
    expect(dialog).to_contain_text("签署合同截止将改为")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-order-extend.png"))
    dialog.get_by_test_id("intervene-submit").click()
    expect(page.locator(".el-message--success")).to_contain_text("延长期限：已提交")
    expect(page.get_by_test_id("order-timeline")).to_contain_text("需求方出差，申请延期签署")
    expect(page.get_by_test_id("order-notifications")).to_contain_text("平台已将当前期限延长48小时")

    # 取消订单 with the refund choice (nothing paid yet: the platform's rule refunds ¥0).
    page.goto(f"{platform_url}/admin/orders/{quoted}")
    page.get_by_test_id("act-cancel").click()
    dialog = page.get_by_test_id("intervene-dialog")
    expect(dialog.get_by_test_id("refund-choice")).to_contain_text("按平台规则（退 ¥0）")
    dialog.get_by_test_id("intervene-submit").click()
    expect(page.locator(".el-message--warning")).to_contain_text("请填写理由")
    dialog.get_by_test_id("intervene-reason").fill("场地方取消活动")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-order-cancel.png"))
    dialog.get_by_test_id("intervene-submit").click()
    expect(page.locator(".el-tag").filter(has_text="已取消").first).to_be_visible()
    expect(page.get_by_test_id("order-progress").locator(".el-step__title.is-error")).to_have_text("预约")
    expect(page.get_by_test_id("act-cancel")).to_have_count(0)
    page.get_by_test_id("order-disputes").scroll_into_view_if_needed()
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-order-cancelled.png"))
