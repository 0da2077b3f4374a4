"""系统设置 and 集成状态 in the console (Chromium, 1440×900) against the platform started like `make run`: a refused
value shows the reason next to the field and changes nothing, a saved value shows in the rule's 修改记录 with
before and after, the integration page marks the sandbox adapters, and the mini-program's 我的 (H5, 390×844) shows
the customer-service contact operators set."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.h5 import shot, sms_login_h5, t
from tests.e2e.test_admin import OPERATOR, SEEDED_CLIENT, login, settle

pytestmark = pytest.mark.e2e


def test_operator_changes_a_rule_and_reads_its_history(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{platform_url}/admin/")
    login(page, *OPERATOR)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{platform_url}/admin/system/settings")
    expect(page.get_by_test_id("group-deadlines")).to_contain_text("艺人响应时限")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-settings.png"), full_page=True)

    phone = page.get_by_test_id("rule-service.phone")
    phone.get_by_role("textbox").fill("call me")
    phone.get_by_test_id("save").click()
    expect(phone.get_by_role("alert")).to_have_text("只能包含数字、空格、+ 和 -，5 到 20 位")
    assert httpx.get(f"{platform_url}/api/v1/meta/customer-service").json()["phone"] == ""
    page.get_by_test_id("group-money").scroll_into_view_if_needed()
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-settings-refused.png"))

    phone.get_by_role("textbox").fill("400-820-8820")
    phone.get_by_test_id("save").click()
    expect(page.get_by_text("已保存：客服电话")).to_be_visible()
    assert httpx.get(f"{platform_url}/api/v1/meta/customer-service").json()["phone"] == "400-820-8820"

    hours = page.get_by_test_id("rule-booking.response_hours")
    hours.get_by_role("spinbutton").fill("36")
    hours.get_by_test_id("save").click()
    expect(hours).to_contain_text("已调整")
    hours.get_by_test_id("history").click()
    history = page.get_by_test_id("setting-history").locator(".el-table__body-wrapper tr.el-table__row")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("48 小时")
    expect(history.first).to_contain_text("36 小时")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-settings-history.png"))
    page.keyboard.press("Escape")

    # Put the rule back so other browser tests on this platform see the defaults.
    hours.get_by_role("spinbutton").fill("48")
    hours.get_by_test_id("save").click()
    expect(hours).not_to_contain_text("已调整")


def test_integration_status_marks_the_sandboxes(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{platform_url}/admin/")
    login(page, *OPERATOR)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{platform_url}/admin/system/integrations")
    table = page.get_by_test_id("integrations")
    for label in ("短信", "微信登录", "内容安全", "实名核验", "支付渠道", "出款渠道", "艺人搜索", "对象存储",
                  "工作流引擎 Temporal", "数据库"):
        expect(table).to_contain_text(label)
    sms = table.locator("tr.el-table__row").filter(has=page.get_by_text("短信", exact=True))  # not 通知短信
    expect(sms).to_contain_text("沙箱")
    expect(sms).to_contain_text("正常")
    expect(table.locator("tr.el-table__row", has_text="工作流引擎 Temporal")).to_contain_text("正常")
    expect(page.get_by_text("项服务使用沙箱")).to_be_visible()
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-integrations.png"), full_page=True)


def test_mini_program_shows_the_customer_service_contact(platform_url: str, page: Page,
                                                         screenshot_dir: Path) -> None:
    ops = httpx.Client(base_url=platform_url, timeout=30, trust_env=False)
    token = ops.post("/api/v1/admin/auth/login", json={"username": OPERATOR[0], "password": OPERATOR[1]})
    ops.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    contact = {"service.phone": "400-820-8820", "service.wechat": "yanyue_kefu", "service.hours": "工作日 9:00-18:00"}
    for key, value in contact.items():
        assert ops.put("/api/v1/admin/settings", json={"key": key, "value": value}).status_code == 200
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        sms_login_h5(page, platform_url, SEEDED_CLIENT)
        card = t(page, "customer-service")
        expect(card).to_contain_text("400-820-8820")
        expect(card).to_contain_text("yanyue_kefu")
        expect(card).to_contain_text("服务时间：工作日 9:00-18:00")
        card.scroll_into_view_if_needed()
        shot(page, screenshot_dir / "h5-me-customer-service.png")
    finally:  # other browser tests on this platform see the contact unset, as the seed has it
        for key in contact:
            ops.put("/api/v1/admin/settings", json={"key": key, "value": ""})
