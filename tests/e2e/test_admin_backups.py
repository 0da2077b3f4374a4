"""数据备份 in the console (Chromium, 1440×900) against the platform started like `make run` (embedded
PostgreSQL 18 and the Temporal dev server): 立即备份 runs the backup workflow, the new dump shows up with its size
and SHA-256, and 下载 hands out a signed link that returns the dump."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_admin import OPERATOR, login, settle

pytestmark = pytest.mark.e2e


def test_operator_backs_up_now_and_downloads(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{platform_url}/admin/")
    login(page, *OPERATOR)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{platform_url}/admin/system/backups")
    expect(page.get_by_test_id("backup-policy")).to_contain_text("北京时间 3:00")

    page.get_by_test_id("backup-now").click()
    rows = page.get_by_test_id("backup-table").locator(".el-table__body-wrapper tr.el-table__row")
    expect(rows.first).to_contain_text("成功", timeout=60_000)
    expect(rows.first).to_contain_text("手动")
    expect(rows.first).to_contain_text(re.compile(r"yanyue-\d{8}-\d{6}-\d+\.dump"))
    # The full key (what the restore command takes) is the file name's title.
    expect(rows.first.locator(".mono").first).to_have_attribute(
        "title", re.compile(r"^private/backups/\d{4}/\d{2}/yanyue-\d{8}-\d{6}-\d+\.dump$"))
    expect(rows.first).to_contain_text(re.compile(r"\d+(\.\d)? (KB|MB)"))
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-backups.png"))

    with page.expect_download() as download:
        rows.first.get_by_role("button", name="下载").click()
    saved = download.value.path()
    assert saved is not None and Path(saved).read_bytes()[:5] == b"PGDMP"
