"""首页推荐 end to end: an operator picks a recommended artist, adds a banner (image upload) and posts an
announcement in the console (1440×900), and the mini-program's H5 home (390×844) shows them above the search
list; tapping the recommended artist opens their page. Screenshots of the console pages and the H5 home are kept
in test-artifacts/screenshots (home-recommend-*.png). What the test adds is removed at the end, so other browser
tests sharing the platform see the home page as seeded.

Fixtures from tests/e2e/conftest.py: `platform_url` (demo seed: operator admin / yanyue-admin, 30+ artists),
`page` / `artist_page` (fail on any request that leaves localhost) and `screenshot_dir`.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import FilePayload, Page, ViewportSize, expect

from tests.e2e.h5 import overflowing, t

pytestmark = pytest.mark.e2e

V1 = "/api/v1"
OPERATOR = ("admin", "yanyue-admin")
ARTIST = "何雨桐"  # a seeded public artist (domain/seed.py)
CONSOLE_VIEWPORT = ViewportSize(width=1440, height=900)
PHONE_VIEWPORT = ViewportSize(width=390, height=844)


def banner_png() -> bytes:
    img = Image.new("RGB", (750, 300), (52, 81, 178))
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 60, 710, 240), outline=(255, 255, 255), width=6)
    draw.ellipse((600, 90, 700, 190), fill=(255, 196, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def ops_api(platform_url: str) -> Iterator[httpx.Client]:
    """The operator's API session, for finding ids and for cleaning up what the test added."""
    with httpx.Client(base_url=platform_url, timeout=30, trust_env=False) as client:
        login = client.post(f"{V1}/admin/auth/login", json={"username": OPERATOR[0], "password": OPERATOR[1]})
        assert login.status_code == 200, login.text
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        yield client


def settle(page: Page) -> None:
    """Wait for transitions and images before a screenshot (functions: the console's CSP refuses bare eval)."""
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    page.wait_for_function("() => [...document.images].every(i => i.complete)")


def console_login(page: Page, platform_url: str) -> None:
    page.set_viewport_size(CONSOLE_VIEWPORT)
    page.goto(f"{platform_url}/admin/")
    page.get_by_placeholder("用户名").fill(OPERATOR[0])
    page.get_by_placeholder("密码").fill(OPERATOR[1])
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".page-title")).to_be_visible()


def open_menu(page: Page, title: str, path: str) -> None:
    """运营内容 → title, from the side menu (opening the section when it is folded)."""
    item = page.locator(".el-menu-item").filter(has_text=re.compile(rf"^\s*{title}\s*$"))
    if not item.is_visible():
        page.locator(".el-sub-menu__title").filter(has_text="运营内容").click()
    item.click()
    expect(page).to_have_url(re.compile(rf"/admin/{path}$"))
    expect(page.locator(".page-title")).to_have_text(title)


def test_recommended_artist_banner_and_announcement_reach_the_h5_home(
        platform_url: str, ops_api: httpx.Client, page: Page, artist_page: Page, screenshot_dir: Path) -> None:
    run = uuid.uuid4().hex[:6]
    found = ops_api.get(f"{V1}/artists", params={"q": ARTIST}).json()["items"]
    artist_id = next(a["id"] for a in found if a["stage_name"] == ARTIST)
    before = ops_api.get(f"{V1}/admin/homepage/recommendations").json()
    banner_title, notice_title = f"年会季特惠{run}", f"春节服务安排{run}"
    try:
        # --- the console: 首页推荐
        console_login(page, platform_url)
        open_menu(page, "首页推荐", "operations/home")
        select = page.get_by_test_id("recommend-select")
        select.click()
        with page.expect_response(lambda r: "/admin/homepage/artist-options" in r.url and "q=" in r.url) as opts:
            page.keyboard.type(ARTIST)
        assert opts.value.ok and artist_id in [o["id"] for o in opts.value.json()]
        page.locator(".el-select-dropdown__item").filter(visible=True).filter(has_text=ARTIST).first.click()
        with page.expect_response(lambda r: r.url.endswith("/admin/homepage/recommendations")
                                  and r.request.method == "PUT") as saved:
            page.get_by_test_id("recommend-add").click()
        assert saved.value.ok, saved.value.text()
        rec_rows = page.get_by_test_id("recommend-table").locator(".el-table__body-wrapper tr.el-table__row")
        expect(rec_rows.filter(has_text=ARTIST)).to_contain_text("展示中")

        # A banner: the image goes up through the upload route at once, then the banner is saved.
        page.get_by_test_id("banner-add").click()
        dialog = page.get_by_test_id("banner-dialog")
        expect(dialog).to_be_visible()
        page.get_by_test_id("banner-save").click()
        expect(page.get_by_test_id("banner-error")).to_have_text("请上传横幅图片")  # checked before any request
        with page.expect_response(lambda r: r.url.endswith("/admin/homepage/banner-images")) as uploaded:
            page.get_by_test_id("banner-upload").locator("input[type=file]").set_input_files(
                files=FilePayload(name="banner.png", mimeType="image/png", buffer=banner_png()))
        assert uploaded.value.status == 201, uploaded.value.text()
        expect(dialog.locator("img.image-preview")).to_be_visible()
        page.get_by_test_id("banner-title").fill(banner_title)  # el-input puts the attribute on its <input>
        dialog.locator(".el-radio-button").filter(has_text="艺人主页").click()
        dialog.locator(".el-select").click()
        page.keyboard.type(ARTIST)
        page.locator(".el-select-dropdown__item").filter(visible=True).filter(has_text=ARTIST).first.click()
        settle(page)
        page.screenshot(path=str(screenshot_dir / "home-recommend-01-banner-dialog.png"))
        with page.expect_response(lambda r: r.url.endswith("/admin/homepage/banners")
                                  and r.request.method == "POST") as created:
            page.get_by_test_id("banner-save").click()
        assert created.value.status == 201, created.value.text()
        banner = created.value.json()
        assert banner["link_label"] == f"艺人：{ARTIST}" and banner["status_label"] == "展示中"
        banner_rows = page.get_by_test_id("banner-table").locator(".el-table__body-wrapper tr.el-table__row")
        expect(banner_rows.filter(has_text=banner_title)).to_contain_text("展示中")
        thumb = banner_rows.filter(has_text=banner_title).locator("img.banner-thumb")
        expect(thumb).to_be_visible()
        page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=thumb.element_handle())
        settle(page)
        page.screenshot(path=str(screenshot_dir / "home-recommend-02-console-home.png"), full_page=True)

        # --- the console: 公告
        open_menu(page, "公告", "operations/announcements")
        page.get_by_test_id("announcement-add").click()
        page.get_by_test_id("announcement-title").fill(notice_title)
        page.get_by_test_id("announcement-body").fill("除夕至初三客服值班时间为 10:00–18:00。")
        page.get_by_test_id("announcement-dialog").locator(".el-switch").click()  # 置顶
        with page.expect_response(lambda r: r.url.endswith("/admin/announcements")
                                  and r.request.method == "POST") as posted:
            page.get_by_test_id("announcement-save").click()
        assert posted.value.status == 201, posted.value.text()
        assert posted.value.json()["pinned"] is True
        notice_row = page.get_by_test_id("announcement-table").locator("tr.el-table__row").filter(has_text=notice_title)
        expect(notice_row).to_contain_text("置顶")
        expect(notice_row).to_contain_text("展示中")
        settle(page)
        page.screenshot(path=str(screenshot_dir / "home-recommend-03-console-announcements.png"), full_page=True)

        # --- the mini-program's H5 home, on a phone
        h5 = artist_page  # a separate browser context: a visitor, no login
        h5.set_viewport_size(PHONE_VIEWPORT)
        with h5.expect_response(lambda r: r.url.endswith(f"{V1}/home")) as home_res:
            h5.goto(f"{platform_url}/h5/")
        home = home_res.value.json()
        assert artist_id in [a["id"] for a in home["recommended"]]
        showcase = t(h5, "home-showcase")
        expect(showcase).to_be_visible()
        pick = t(h5, "recommended-artist").and_(h5.locator(f'[data-artist-id="{artist_id}"]'))
        expect(pick).to_be_visible()
        expect(pick).to_contain_text(ARTIST)
        expect(t(h5, "announcement").first).to_contain_text(notice_title)  # pinned: first
        expect(t(h5, "announcement").first).to_contain_text("置顶")
        h5.wait_for_function(
            "sel => [...document.querySelectorAll(sel)].some(d => d.style.backgroundImage.includes('/api/v1/files/'))",
            arg=f'[data-test="banner-{banner["id"]}"] > div')
        # The showcase sits above the search list.
        first_card = t(h5, "artist-card").first
        expect(first_card).to_be_visible()
        showcase_box, card_box = showcase.bounding_box(), first_card.bounding_box()
        assert showcase_box and card_box and showcase_box["y"] + showcase_box["height"] <= card_box["y"]
        assert overflowing(h5) == []
        h5.wait_for_timeout(300)
        h5.screenshot(path=str(screenshot_dir / "home-recommend-04-h5-home.png"))

        # An announcement opens in a dialog; the recommended artist opens their page.
        t(h5, "announcement").first.click()
        modal = h5.locator(".uni-modal")
        expect(modal).to_be_visible()
        expect(modal).to_contain_text("客服值班时间")
        h5.wait_for_timeout(300)
        h5.screenshot(path=str(screenshot_dir / "home-recommend-05-h5-announcement.png"))
        modal.locator(".uni-modal__btn_primary").click()
        expect(modal).to_be_hidden()
        pick.click()
        expect(h5).to_have_url(re.compile(rf"pages/artist/detail\?id={artist_id}$"))
        expect(t(h5, "detail-name")).to_have_text(ARTIST)

        # A search hides the showcase: results come first.
        h5.goto(f"{platform_url}/h5/")
        expect(showcase).to_be_visible()
        t(h5, "search-input").locator("input").fill(ARTIST)
        h5.wait_for_timeout(250)
        t(h5, "search-button").click()
        expect(t(h5, "result-count")).to_be_visible()
        expect(showcase).to_be_hidden()
    finally:
        ops_api.put(f"{V1}/admin/homepage/recommendations", json={"artist_ids": [r["artist_id"] for r in before]})
        for b in ops_api.get(f"{V1}/admin/homepage/banners").json():
            if b["title"] == banner_title:
                ops_api.delete(f"{V1}/admin/homepage/banners/{b['id']}")
        for a in ops_api.get(f"{V1}/admin/announcements", params={"page_size": 100}).json()["items"]:
            if a["title"] == notice_title:
                ops_api.delete(f"{V1}/admin/announcements/{a['id']}")
    after = ops_api.get(f"{V1}/home").json()
    assert banner_title not in [b["title"] for b in after["banners"]]
    assert notice_title not in [a["title"] for a in after["announcements"]]
