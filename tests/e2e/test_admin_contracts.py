"""合同模板 in the operator console (Chromium, the platform as `make run` starts it): the versions listed with the
current one marked, a version's text, and a new version published from the current text (an unknown field is
refused with the API's Chinese message first)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_admin import OPERATOR, login, settle

pytestmark = pytest.mark.e2e


def test_operator_publishes_a_contract_template_version(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    page.goto(f"{platform_url}/admin/contracts/templates")
    login(page, *OPERATOR)
    expect(page).to_have_url(re.compile(r"/admin/contracts/templates"))
    table = page.get_by_test_id("templates-table")
    rows = table.locator(".el-table__body-wrapper tr.el-table__row")
    expect(rows.first).to_contain_text("当前")
    versions = rows.count()
    first = rows.first.inner_text()
    assert re.search(r"v\d+", first), first

    rows.first.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("template-body")).to_contain_text("甲方")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-contract-template-view.png"))
    page.keyboard.press("Escape")

    page.get_by_test_id("template-new").click()
    editor = page.get_by_test_id("template-editor")
    expect(editor).to_be_visible()
    title = editor.get_by_test_id("template-title")
    title.fill("演出服务合同（浏览器测试版）")
    text = editor.get_by_test_id("template-text")
    original = text.input_value()
    text.fill(original + "\n补充：${not_a_field}")
    editor.get_by_test_id("template-save").click()
    error = page.locator(".el-message--error")
    expect(error).to_contain_text("未知字段")
    text.fill(original + "\n补充：本版本由浏览器测试发布。")
    editor.get_by_role("button", name="合同编号").click()  # a placeholder button appends ${contract_no}
    expect(text).to_have_value(re.compile(r"\$\{contract_no\}$"))
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-contract-template-new.png"))
    editor.get_by_test_id("template-save").click()
    expect(page.locator(".el-message--success")).to_contain_text("已发布第")
    expect(rows).to_have_count(versions + 1)
    expect(rows.first).to_contain_text("演出服务合同（浏览器测试版）")
    expect(rows.first).to_contain_text("当前")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-contract-templates.png"), full_page=True)
