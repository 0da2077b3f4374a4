"""Mini-program H5 build (miniapp/, served under /h5/) in Chromium against the platform started
like `make run`.

Fixtures from tests/e2e/conftest.py: `platform_url` (demo seed with 30+ artists, sandbox SMS),
`page` (fails the test on any request that leaves localhost) and `screenshot_dir`.

uni-app H5 renders its own elements: `<input data-test=x>` becomes `<uni-input data-test=x>` with
the real <input> inside, buttons are <uni-button>, tabs are `.uni-tabbar__item`.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.e2e

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ARTISTS_API = re.compile(r"/api/v1/artists(\?|$)")


def t(page: Page, name: str) -> Locator:
    return page.locator(f'[data-test="{name}"]')


def field(page: Page, name: str) -> Locator:
    """The real <input> inside a uni-app <uni-input data-test=name>."""
    return page.locator(f'[data-test="{name}"] input')


def tab(page: Page, text: str) -> Locator:
    return page.locator(".uni-tabbar__item").filter(has_text=text)


def test_browse_then_register_as_client(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})

    # Browsing needs no login: the public artist list is the home page.
    with page.expect_response(lambda r: bool(ARTISTS_API.search(r.url))) as listing:
        page.goto(f"{platform_url}/h5/")
    assert listing.value.ok, listing.value.text()
    cards = t(page, "artist-card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 1
    first_name = t(page, "artist-name").first.inner_text().strip()
    assert CHINESE.search(first_name), first_name
    expect(t(page, "artist-price").first).to_contain_text(re.compile(r"¥|面议"))
    expect(t(page, "type-chip").filter(has_text="歌手")).to_be_visible()  # chips come from /meta/options
    page.screenshot(path=str(screenshot_dir / "h5-01-home.png"))

    # Keyword search narrows the list and still finds that artist.
    field(page, "search-input").fill(first_name)
    with page.expect_response(lambda r: bool(ARTISTS_API.search(r.url)) and "q=" in r.url) as searched:
        t(page, "search-button").click()
    assert searched.value.ok
    expect(t(page, "artist-name").filter(has_text=first_name).first).to_be_visible()

    # 我的 while logged out offers the login; nothing was asked before.
    tab(page, "我的").click()
    expect(t(page, "me-guest")).to_be_visible()
    page.locator('uni-button[data-test="go-login"]').click()
    expect(field(page, "phone-input")).to_be_visible()

    # Chinese validation before anything is sent.
    t(page, "send-code").click()
    expect(t(page, "phone-error")).to_have_text("请输入11位手机号")

    phone = "137" + "".join(random.choices("0123456789", k=8))
    field(page, "phone-input").fill(phone)
    t(page, "send-code").click()
    sandbox = t(page, "sandbox-code")
    expect(sandbox).to_have_text(re.compile(r"^\d{6}$"))
    expect(t(page, "sandbox-hint")).to_contain_text("沙箱验证码")
    expect(t(page, "send-code")).to_contain_text("秒后重发")
    code = sandbox.inner_text().strip()
    field(page, "code-input").fill(code)
    page.screenshot(path=str(screenshot_dir / "h5-02-login.png"))

    # A new phone has no role yet: choose 需求方 and fill the client form.
    page.locator('uni-button[data-test="login-submit"]').click()
    expect(t(page, "role-client")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "h5-03-role.png"))
    t(page, "role-client").click()

    org_name = f"星光婚庆{phone[-4:]}"
    expect(field(page, "org-name")).to_be_visible()
    # Submitting empty shows the rules in Chinese.
    page.locator('uni-button[data-test="submit-client"]').click()
    expect(page.get_by_text("请选择所属行业")).to_be_visible()

    field(page, "org-name").fill(org_name)
    t(page, "industry-picker").click()
    picker = page.locator(".uni-picker-container")
    expect(picker).to_be_visible()
    picker.locator(".uni-picker-action-confirm").click()  # first option: 企业
    expect(t(page, "industry-picker")).to_contain_text("企业")
    field(page, "contact-name").fill("王经理")
    field(page, "contact-phone").fill(phone)
    page.screenshot(path=str(screenshot_dir / "h5-04-client-form.png"))

    with page.expect_response(lambda r: r.url.endswith("/api/v1/me/role")) as role_set:
        page.locator('uni-button[data-test="submit-client"]').click()
    assert role_set.value.ok, role_set.value.text()
    assert role_set.value.json()["acting_role"] == "client"

    # Landed on 我的 with the new profile.
    expect(t(page, "profile-org-name")).to_have_text(org_name)
    expect(t(page, "me-name")).to_have_text(org_name)
    expect(t(page, "acting-role")).to_have_text("需求方")
    expect(t(page, "me-phone")).to_have_text(f"{phone[:3]}****{phone[-4:]}")
    expect(t(page, "verification-status")).to_have_text("未认证")
    page.screenshot(path=str(screenshot_dir / "h5-05-me.png"), full_page=True)
