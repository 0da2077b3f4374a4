"""Operator console (admin/) in Chromium against the platform started like `make run`.

Fixtures from tests/e2e/conftest.py: `platform_url` (demo seed: operator admin / yanyue-admin,
clients 13800000001..3, 30+ artists), `page` (fails the test on any non-localhost request) and
`screenshot_dir`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, Response, expect

pytestmark = pytest.mark.e2e

OPERATOR = ("admin", "yanyue-admin")
SEEDED_CLIENT = "13800000001"
# The account whose status the test changes; it is put back to 正常 at the end so other e2e tests
# sharing the platform see the seed as it was.
TARGET_CLIENT = "13800000003"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def login(page: Page, username: str, password: str) -> None:
    page.get_by_placeholder("用户名").fill(username)
    page.get_by_placeholder("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def rows(page: Page) -> Locator:
    return page.get_by_test_id("users-table").locator(".el-table__body-wrapper tr.el-table__row")


def total(page: Page) -> int:
    text = page.locator(".el-pagination__total").inner_text()
    match = re.search(r"\d+", text)
    assert match, text
    return int(match.group())


def choose(page: Page, select: Locator, label: str) -> None:
    """Pick an option of an Element Plus select (its dropdown is teleported to <body>)."""
    select.click()
    option = page.locator(".el-select-dropdown__item").filter(visible=True)
    option.filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).click()


def settle(page: Page) -> None:
    """Wait for CSS transitions (drawer slide, tag fade) to end before a screenshot."""
    # A function, not a bare expression: Playwright evals bare expressions, which the console's CSP refuses.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")


def query_users(page: Page, action: Callable[[], object], **params: str | None) -> dict:
    """Run `action` and return the JSON of the user-list response it triggers.

    `params` pin the query string (None: absent), so an earlier list request still in flight
    (initial load, reload) is not mistaken for this one.
    """

    def matches(response: Response) -> bool:
        url = urlparse(response.url)
        if response.request.method != "GET" or not url.path.endswith("/api/v1/admin/users"):
            return False
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        return all(query.get(k) == v for k, v in params.items())

    with page.expect_response(matches) as info:
        action()
    response = info.value
    assert response.ok, response.text()
    return response.json()


def search_phone(page: Page, phone: str) -> dict:
    page.get_by_test_id("filter-phone").fill(phone)  # el-input puts the attribute on <input>
    data = query_users(page, lambda: page.get_by_role("button", name="查询").click(), phone=phone)
    expect(rows(page)).to_have_count(len(data["items"]))
    return data


def change_status(page: Page, row: Locator, label: str, reason: str) -> None:
    row.get_by_role("button", name="变更状态").click()
    dialog = page.locator(".el-dialog").filter(has_text="变更账号状态")
    expect(dialog).to_be_visible()
    choose(page, dialog.get_by_test_id("status-select"), label)
    dialog.get_by_test_id("status-reason").fill(reason)  # on the <textarea>
    dialog.get_by_role("button", name="确定").click()
    expect(dialog).to_be_hidden()


def test_operator_manages_users(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    page.goto(f"{platform_url}/admin/")

    # Not logged in: the guard sends us to the login page.
    expect(page).to_have_url(re.compile(r"/admin/login"))
    expect(page.get_by_text("演约运营后台")).to_be_visible()

    # Wrong password: the server's Chinese message, and we stay on the login page.
    login(page, OPERATOR[0], "wrong-password")
    error = page.locator(".el-message--error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(CHINESE)
    expect(error).to_contain_text("密码")
    expect(page).to_have_url(re.compile(r"/admin/login"))
    page.screenshot(path=str(screenshot_dir / "admin-login-error.png"))

    # Log in: the console opens on the dashboard, and the header shows who is logged in.
    page.get_by_placeholder("密码").fill("")
    login(page, *OPERATOR)
    expect(page).to_have_url(re.compile(r"/admin/dashboard"))
    expect(page.get_by_test_id("kpi-gmv")).to_contain_text("成交额")
    expect(page.get_by_test_id("operator-name")).to_contain_text(OPERATOR[0])
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()

    # The users page lists users.
    first_page = query_users(page, lambda: page.locator(".el-menu-item").filter(has_text="用户管理").click())
    expect(page).to_have_url(re.compile(r"/admin/users"))
    assert first_page["items"], "the demo seed should have users"
    expect(rows(page)).to_have_count(len(first_page["items"]))
    all_users = first_page["total"]
    expect(page.locator(".el-pagination__total")).to_contain_text(str(all_users))

    # Registration time is shown in Beijing time whatever the browser's zone.
    newest = first_page["items"][0]
    created = datetime.fromisoformat(newest["created_at"].replace("Z", "+00:00"))
    expected = created.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    expect(rows(page).first.locator(".col-created")).to_have_text(expected)
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-users.png"), full_page=True)

    # Filter role = 艺人: only artists, fewer than everyone, at least the 30 seeded.
    artists = query_users(page, lambda: choose(page, page.get_by_test_id("filter-role"), "艺人"), role="artist")
    assert all("artist" in u["roles"] for u in artists["items"])
    assert 30 <= artists["total"] < all_users
    expect(rows(page)).to_have_count(len(artists["items"]))
    for i in range(rows(page).count()):
        expect(rows(page).nth(i).locator(".col-roles")).to_contain_text("艺人")
    expect(page.locator(".el-pagination__total")).to_contain_text(str(artists["total"]))

    # Filter role = 需求方: the seeded clients are there and nobody without the client role.
    clients = query_users(page, lambda: choose(page, page.get_by_test_id("filter-role"), "需求方"), role="client")
    assert clients["total"] >= 3
    for i in range(rows(page).count()):
        expect(rows(page).nth(i).locator(".col-roles")).to_contain_text("需求方")

    # Search by a seeded client's phone.
    query_users(page, lambda: page.get_by_role("button", name="重置").click(), role=None, phone=None)
    found = search_phone(page, SEEDED_CLIENT)
    assert [u["phone"] for u in found["items"]] == [SEEDED_CLIENT]
    row = rows(page).first
    expect(row.locator(".col-phone")).to_have_text(SEEDED_CLIENT)
    expect(row.locator(".col-roles")).to_contain_text("需求方")

    # Change a client's status to 警告 with a reason.
    target = search_phone(page, TARGET_CLIENT)
    assert len(target["items"]) == 1
    row = rows(page).first
    status_cell = row.locator(".col-status")
    if target["items"][0]["status"] == "warned":  # left over from an earlier run on the same data
        change_status(page, row, "正常", "e2e 预置：恢复正常")
        expect(status_cell).to_have_text("正常")

    # The reason is required.
    row.get_by_role("button", name="变更状态").click()
    dialog = page.locator(".el-dialog").filter(has_text="变更账号状态")
    choose(page, dialog.get_by_test_id("status-select"), "警告")
    dialog.get_by_role("button", name="确定").click()
    expect(dialog.get_by_text("请填写变更原因")).to_be_visible()
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    expect(status_cell).not_to_have_text("警告")

    reason = f"e2e 测试：发布违规信息 {uuid.uuid4().hex[:6]}"
    change_status(page, row, "警告", reason)
    expect(status_cell).to_have_text("警告")
    expect(page.locator(".el-message--success")).to_contain_text("警告")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-users-warned.png"), full_page=True)

    # The history lists the change, newest first, with the reason and the operator.
    row.get_by_role("button", name="状态历史").click()
    drawer = page.locator(".el-drawer").filter(has_text="状态变更历史")
    expect(drawer).to_be_visible()
    latest = drawer.locator(".el-table__body-wrapper tr.el-table__row").first
    expect(latest).to_contain_text(reason)
    expect(latest).to_contain_text("警告")
    expect(latest).to_contain_text("正常")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-status-history.png"))
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()

    # The status survives a reload (it was saved, not just drawn).
    query_users(page, page.reload, phone=None)
    search_phone(page, TARGET_CLIENT)
    expect(rows(page).first.locator(".col-status")).to_have_text("警告")

    # Put the seed back for other tests.
    change_status(page, rows(page).first, "正常", "e2e 测试结束，恢复正常")
    expect(rows(page).first.locator(".col-status")).to_have_text("正常")

    # Log out: back to the login page, and the console is closed again.
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/admin/login"))
    page.goto(f"{platform_url}/admin/users")
    expect(page).to_have_url(re.compile(r"/admin/login"))
