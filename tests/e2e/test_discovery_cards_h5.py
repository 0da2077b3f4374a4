"""What a new user noticed in discovery, in the H5 build: cards filtered by a city say which artists travel there,
a card adds the artist to the 预约单, the artist page opens on a carousel of case pictures with section tabs,
a free calendar day starts a booking (a taken one says why not), and an unknown address shows 页面不存在."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.h5 import t
from tests.e2e.test_discovery_h5 import ARTISTS_API, confirm_picker, open_picker, spin

pytestmark = pytest.mark.e2e


def test_city_list_cart_artist_page_and_not_found(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    api = f"{platform_url}/api/v1"
    cities = httpx.get(f"{api}/meta/options").json()["cities"]
    shanghai = httpx.get(f"{api}/artists", params={"city": "上海", "page_size": 50}).json()
    travellers = {a["stage_name"] for a in shanghai["items"] if a["city_match"] == "travel"}
    assert travellers, "the seed has artists travelling to 上海"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{platform_url}/h5/")
    cards = t(page, "artist-card")
    expect(cards.first).to_be_visible()
    columns = open_picker(page, t(page, "city-picker"))
    spin(page, columns.first, cities.index("上海") + 1)
    with page.expect_response(lambda r: bool(ARTISTS_API.search(r.url)) and "city=" in r.url) as listed:
        confirm_picker(page)
    assert listed.value.json()["total"] == shanghai["total"] == shanghai["facets"]["cities"]["上海"]
    expect(cards).to_have_count(shanghai["total"])
    # Travelling artists are labelled 可赴上海; those living there are not.
    labelled = cards.filter(has=t(page, "travel-label"))
    expect(labelled).to_have_count(len(travellers))
    expect(labelled.first.locator('[data-test="travel-label"]')).to_have_text("可赴上海")
    # Names are never cut beside the badges: each fits its box (the badges wrap instead).
    cut = t(page, "artist-name").evaluate_all("els => els.filter(e => e.scrollWidth > e.clientWidth + 1)"
                                              ".map(e => e.textContent)")
    assert cut == []
    page.screenshot(path=str(screenshot_dir / "discovery-20-city-cards.png"))

    # 加入预约单 on a card flips to 已加入 and back, without opening the artist.
    toggle = cards.first.locator('[data-test="card-cart-toggle"]')
    expect(toggle).to_have_text("加入预约单")
    toggle.click()
    expect(toggle).to_have_text("已加入")
    expect(t(page, "detail-name")).to_have_count(0)  # the toggle doesn't open the artist
    toggle.click()
    expect(toggle).to_have_text("加入预约单")

    # Artist page: carousel over case pictures, tabs that scroll to their section.
    with_cover = next(a for a in shanghai["items"] if a["cover_url"])
    page.goto(f"{platform_url}/h5/#/pages/artist/detail?id={with_cover['id']}")
    expect(t(page, "detail-name")).to_have_text(with_cover["stage_name"])
    expect(t(page, "detail-carousel")).to_be_visible()
    expect(t(page, "section-tabs")).to_contain_text("介绍案例档期评价")
    t(page, "section-tab-calendar").click()
    calendar = t(page, "month-calendar")
    expect(calendar).to_be_in_viewport()
    expect(t(page, "section-tab-calendar")).to_have_class(re.compile("section-tabs__item--active"))
    busy = calendar.locator('[data-status="busy"]')
    if busy.count():
        busy.first.click()
        expect(page.get_by_text("该日已有安排，请选择其他可约日期")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "discovery-21-artist-calendar-tab.png"))
    # A free day starts a booking of that day (logged out: the login page first).
    free = calendar.locator('[data-status="free"]').first
    day = free.get_attribute("data-date")
    free.click()
    expect(page).to_have_url(re.compile(r"/pages/login/"))
    assert day and re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)

    # An unknown page, opened directly or typed into the same tab.
    page.goto(f"{platform_url}/h5/#/pages/nope")
    expect(t(page, "not-found")).to_contain_text("页面不存在")
    page.screenshot(path=str(screenshot_dir / "discovery-22-not-found.png"))
    t(page, "not-found-home").click()
    expect(cards.first).to_be_visible()
    page.evaluate("location.hash = '#/subpkg/nothing/here'")
    expect(t(page, "not-found")).to_be_visible()
