"""艺人管理 and 入驻审核 in the operator console (Chromium at 1440×900, the platform as `make run` starts it): a new
artist is not found by the public until an operator approves the application in 入驻审核; the artist list shows the
period's figures with their totals and one artist's statistics; the artist and user lists download as Excel."""

from __future__ import annotations

import io
import random
import re
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from domain.time import SHANGHAI, utc_now
from tests.e2e.booking_stack import unmarked_show_start, valid_id_number
from tests.e2e.sms_login import sms_headers
from tests.e2e.test_admin import OPERATOR, login, settle

pytestmark = pytest.mark.e2e

V1 = "/api/v1"


def _sms_login(http: httpx.Client, phone: str) -> dict[str, str]:
    return sms_headers(http, phone)


def _new_artist(platform_url: str, name: str) -> tuple[int, str]:
    """A new artist registered through the API (the mini-program's calls): (artist id, phone)."""
    phone = f"139{random.randrange(10**8):08d}"  # noqa: S311 - a test phone number
    with httpx.Client(base_url=platform_url, timeout=30, trust_env=False) as http:
        h = _sms_login(http, phone)
        res = http.put(f"{V1}/me/artist-profile", headers=h, json={
            "stage_name": name, "artist_types": ["magician"], "styles": ["近景魔术"], "city": "成都",
            "contact_phone": phone})
        assert res.status_code == 200, res.text
        return int(res.json()["id"]), phone


def _book(platform_url: str, artist_id: int) -> None:
    """A new, real-name verified client sends the artist a booking request (one 预约 in this period)."""
    phone = f"137{random.randrange(10**8):08d}"  # noqa: S311 - a test phone number
    with httpx.Client(base_url=platform_url, timeout=30, trust_env=False) as http:
        h = _sms_login(http, phone)
        res = http.put(f"{V1}/me/client-profile", headers=h, json={
            "org_name": "蓉城文化传播有限公司", "industry": "enterprise", "contact_name": "赵经理",
            "contact_phone": phone})
        assert res.status_code == 200, res.text
        ver = http.post(f"{V1}/me/verification", headers=h, json={
            "subject": "person", "legal_name": "赵经理", "id_number": valid_id_number(random.randrange(1000))})  # noqa: S311
        assert ver.status_code == 200, ver.text
        for _ in range(60):  # the sandbox real-name check runs in the worker
            if http.get(f"{V1}/me", headers=h).json()["verification"]["status"] == "verified":
                break
            time.sleep(0.5)
        start = unmarked_show_start()  # past the seed's calendar marks
        res = http.post(f"{V1}/inquiries", headers=h, json={
            "artist_ids": [artist_id], "event_type": "公司年会", "start_at": start.isoformat(),
            "end_at": (start + timedelta(hours=2)).isoformat(), "city": "成都", "venue_address": "高新区天府大道1号",
            "audience_size": 300, "requirements": "近景魔术互动", "budget_amount": 1_000_000,
            "contact_name": "赵经理", "contact_phone": phone})
        assert res.status_code == 201, res.text


def _public(platform_url: str, artist_id: int) -> int:
    with httpx.Client(base_url=platform_url, timeout=30, trust_env=False) as http:
        return http.get(f"{V1}/artists/{artist_id}").status_code


def test_operator_approves_a_new_artist_and_reads_artist_statistics(platform_url: str, page: Page,
                                                                    screenshot_dir: Path) -> None:
    name = f"新星魔术{random.randrange(1000, 9999)}"  # noqa: S311 - a distinct name per run
    artist_id, _ = _new_artist(platform_url, name)
    assert _public(platform_url, artist_id) == 404  # not public before 入驻审核

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{platform_url}/admin/artists/onboarding")
    login(page, *OPERATOR)
    card = page.get_by_test_id(f"onboarding-{artist_id}")
    expect(card).to_contain_text(name)
    expect(card).to_contain_text("魔术师")
    card.get_by_role("button", name="查看资料").click()
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-artists-onboarding.png"))

    card.get_by_role("button", name="通过").click()
    page.locator(".el-message-box").get_by_role("button", name="通过").click()
    expect(page.locator(".el-message").filter(has_text="已入驻")).to_be_visible()
    expect(card).to_have_count(0)
    assert _public(platform_url, artist_id) == 200  # public once approved
    _book(platform_url, artist_id)  # and bookable: one request in the statistics below

    # 艺人管理: the seeded artists with the last 30 days' figures; the new artist found by name.
    page.goto(f"{platform_url}/admin/artists")
    table = page.get_by_test_id("artists-table")
    rows = table.locator(".el-table__body-wrapper tr.el-table__row")
    expect(rows.first).to_be_visible()
    expect(page.get_by_test_id("artists-totals")).to_contain_text("统计期合计")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-artists-list.png"))

    page.get_by_test_id("filter-keyword").fill(name)
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(name)
    expect(rows.first).to_contain_text("已公开")
    expect(rows.first.locator("td").nth(4)).to_have_text("1")  # 预约数
    expect(page.get_by_test_id("artists-totals")).to_contain_text("预约 1")
    page.get_by_test_id(f"stats-{artist_id}").click()
    drawer = page.get_by_test_id("stats-drawer")
    expect(drawer).to_contain_text("按月明细")
    expect(drawer).to_contain_text("成都")
    month = utc_now().astimezone(SHANGHAI).strftime("%Y-%m")
    expect(page.get_by_test_id("stats-months").locator("tr.el-table__row").first).to_contain_text(month)
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-artists-stats.png"))
    page.keyboard.press("Escape")

    # The export carries the list's filters: one artist.
    with page.expect_download() as download:
        page.get_by_test_id("artists-export").click()
    assert re.match(r"艺人列表.*\.xlsx$", download.value.suggested_filename)
    ws = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert ws is not None
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[1][:2] == [artist_id, name] and len(values) == 3  # header, the artist, totals
    assert values[1][values[0].index("预约数")] == 1

    # 用户管理's export, filtered to artists.
    page.goto(f"{platform_url}/admin/users")
    with page.expect_download() as download:
        page.get_by_test_id("users-export").click()
    ws = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert ws is not None
    assert ws.max_row > 1 and ws.cell(1, 2).value == "手机号"
