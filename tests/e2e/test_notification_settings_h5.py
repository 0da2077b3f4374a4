"""Notifications that reach people, in the browser: a booking request reaches the artist as an urgent
notification; the operators' order detail shows how each channel fared (短信 through the 沙箱, 微信 not bound);
the artist opens 我的 → 通知设置 in the H5 build (390×844) and turns the SMS for 明天有演出 off."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from domain.time import utc_now
from tests.e2e.h5 import CHINESE, PHONE_VIEWPORT, sms_login_h5, t
from tests.e2e.sms_login import sms_headers
from tests.e2e.test_admin import OPERATOR, login, settle

pytestmark = pytest.mark.e2e

V1 = "/api/v1"
CLIENT = "13800000001"  # domain/seed.py CLIENTS[0], verified
ARTIST = "13900000029"  # domain/seed.py ARTISTS[28], verified; no other browser test uses this artist


def _request(api: str) -> int:
    with httpx.Client(base_url=api, timeout=30, trust_env=False) as http:
        client, artist = sms_headers(http, CLIENT), sms_headers(http, ARTIST)
        artist_id = http.get(f"{V1}/me", headers=artist).json()["id"]
        start = utc_now() + timedelta(days=50)
        res = http.post(f"{V1}/inquiries", headers=client, json={
            "artist_ids": [artist_id], "event_type": "年会", "start_at": start.isoformat(),
            "end_at": (start + timedelta(hours=2)).isoformat(), "city": "北京", "venue_address": "朝阳区建国路1号",
            "audience_size": 300, "requirements": "开场两首", "budget_amount": 2_000_000,
            "contact_name": "王经理", "contact_phone": CLIENT})
        assert res.status_code == 201, res.text
        return int(res.json()["bookings"][0]["id"])


def test_order_detail_shows_deliveries_and_the_artist_sets_notifications(
        platform_url: str, page: Page, artist_page: Page, screenshot_dir: Path) -> None:
    api = platform_url
    booking = _request(api)

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{api}/admin/orders/{booking}")
    login(page, *OPERATOR)
    notes = page.get_by_test_id("order-notifications")
    expect(notes).to_contain_text("收到新的演出邀约")
    # The worker's dispatcher sends the urgent SMS through the 沙箱 within seconds; reload until it has.
    tags = page.get_by_test_id("order-notification-delivery")
    for _ in range(20):
        if "短信沙箱" in (notes.inner_text() or ""):
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(tags.filter(has_text="短信沙箱")).to_have_count(1)
    expect(tags.filter(has_text="微信未发")).to_have_count(1)
    notes.scroll_into_view_if_needed()
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-order-notification-deliveries.png"))

    h5 = artist_page  # its own browser context: the console's login stays out of the app
    h5.set_viewport_size(PHONE_VIEWPORT)
    sms_login_h5(h5, api, ARTIST)
    t(h5, "me-entry-notification-settings").click()
    expect(t(h5, "notification-settings")).to_be_visible()
    row = t(h5, "notify-kind-show_tomorrow")
    expect(row).to_contain_text("明天有演出")
    expect(row).to_contain_text("紧急")
    expect(t(h5, "notify-settlement-sms")).to_have_count(0)  # not urgent: no SMS offered
    expect(t(h5, "wechat-unbound")).to_be_visible()
    with h5.expect_response(lambda r: r.url.endswith("/me/notification-settings")
                            and r.request.method == "PUT") as saved:
        t(h5, "notify-show_tomorrow-sms").click()
    assert saved.value.status == 200, saved.value.text()
    kinds = {k["kind"]: k for k in saved.value.json()["kinds"]}
    assert {c["channel"]: c["enabled"] for c in kinds["show_tomorrow"]["channels"]}["sms"] is False
    assert CHINESE.search(row.inner_text())
    h5.wait_for_timeout(500)  # the toast
    h5.screenshot(path=str(screenshot_dir / "h5-notification-settings.png"))

    h5.reload()  # what was saved shows again: SMS off, WeChat still on
    expect(t(h5, "notify-show_tomorrow-sms").locator(".uni-switch-input")).to_be_visible()
    expect(t(h5, "notify-show_tomorrow-sms").locator(".uni-switch-input-checked")).to_have_count(0)
    expect(t(h5, "notify-show_tomorrow-wechat").locator(".uni-switch-input-checked")).to_have_count(1)
