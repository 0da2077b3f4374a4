"""Roles in the console (Chromium, 1440×900) against the platform started like `make run`: the super admin
creates a 客服 (support) account on 运营账号; logged in as it, the menu has no 资金 section, a deep link to
资金流水 lands on a page the role allows, and the API refuses the money list with 403; the super admin then
finds the account's creation in 操作日志 and the built-in roles in 角色权限."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_admin import OPERATOR, choose, login, settle

pytestmark = pytest.mark.e2e


def menu(page: Page):  # noqa: ANN201 - a Locator
    return page.locator("aside .el-menu.menu")


def test_support_role_cannot_see_money(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{platform_url}/admin/")
    login(page, *OPERATOR)
    page.wait_for_url(lambda url: "/login" not in url)
    expect(menu(page)).to_contain_text("资金")  # the super admin sees everything
    expect(page.get_by_test_id("operator-role")).to_have_text("超级管理员")

    # 运营账号: a new 客服 account.
    username = f"kefu{uuid.uuid4().hex[:6]}"
    page.goto(f"{platform_url}/admin/system/operators")
    page.get_by_test_id("operator-create").click()
    form = page.get_by_test_id("operator-form")
    form.get_by_label("登录名").fill(username)
    form.get_by_label("姓名").fill("客服小张")
    choose(page, form.locator(".el-select"), "客服")
    form.get_by_label("初始密码").fill("kefu-password-1")
    page.locator(".el-dialog").get_by_role("button", name="保存").click()
    row = page.get_by_test_id("operators-table").locator("tr.el-table__row").filter(has_text=username)
    expect(row).to_contain_text("客服")
    expect(row).to_contain_text("启用")

    # 操作日志 has the creation, the password masked.
    page.goto(f"{platform_url}/admin/system/audit")
    logged = page.get_by_test_id("audit-table").locator("tr.el-table__row").filter(has_text="创建运营账号").first
    expect(logged).to_contain_text("POST /admin/operators")
    logged.locator(".el-table__expand-icon").click()
    detail = page.locator(".el-table__expanded-cell").first
    expect(detail).to_contain_text(username)
    expect(detail).to_contain_text('"password":"***"')
    expect(detail).not_to_contain_text("kefu-password-1")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-audit-log.png"))

    page.goto(f"{platform_url}/admin/system/roles")
    roles = page.get_by_test_id("roles-table").locator("tr.el-table__row")
    expect(roles.filter(has_text="客服").first).to_contain_text("裁决纠纷")
    expect(roles.filter(has_text="超级管理员")).to_contain_text("全部权限")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-roles.png"))
    # The editor: the role's codes ticked by group, nothing of 资金.
    roles.filter(has_text="客服").first.get_by_role("button", name="编辑").click()
    editor = page.get_by_test_id("role-form")
    expect(editor.get_by_role("checkbox", name="裁决纠纷")).to_be_checked()
    expect(editor.get_by_role("checkbox", name="查看资金流水")).not_to_be_checked()
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-role-editor.png"))
    page.locator(".el-dialog").get_by_role("button", name="取消").click()

    # The 客服 logs in: orders yes, money no.
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r"/admin/login"))
    login(page, username, "kefu-password-1")
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_test_id("operator-role")).to_have_text("客服")
    expect(menu(page)).to_contain_text("订单管理")
    expect(menu(page)).not_to_contain_text("资金")
    expect(menu(page)).not_to_contain_text("资金流水")
    expect(menu(page)).not_to_contain_text("系统")

    page.goto(f"{platform_url}/admin/finance/flows")
    page.wait_for_url(lambda url: "/finance" not in url and "/login" not in url)
    expect(page).to_have_url(re.compile(r"/admin/orders$"))  # the first page the role allows
    expect(page.locator(".page-title")).to_have_text("订单管理")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-support-menu.png"))

    token = page.request.post(f"{platform_url}/api/v1/admin/auth/login",
                              data={"username": username, "password": "kefu-password-1"}).json()["access_token"]
    flows = page.request.get(f"{platform_url}/api/v1/admin/money/payments",
                             headers={"Authorization": f"Bearer {token}"})
    assert flows.status == 403 and flows.json()["code"] == "permission_denied", flows.text()
    orders = page.request.get(f"{platform_url}/api/v1/admin/bookings", headers={"Authorization": f"Bearer {token}"})
    assert orders.status == 200, orders.text()
