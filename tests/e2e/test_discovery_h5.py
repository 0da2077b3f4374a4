"""Discovery in the mini-program H5 build: search with a keyword, a type filter, a sort and the filter
sheet → artist detail (prices, month calendar, cases) → favorite as a demo client (sandbox SMS login on
the way) → 我的意向艺人. A second test narrows by city (the header's city picker), a price range in yuan
and a 演出日期有档期 date (the sheet's date picker), all through uni-app's own H5 pickers.

Fixtures from tests/e2e/conftest.py: `platform_url` (`python -m devstack` with the demo seed),
`page` (fails on any request that leaves localhost) and `screenshot_dir`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Locator, Page, Request, Response, expect

from tests.e2e.h5 import button, confirm_picker, field, open_picker, pick_date, send_sms_code, spin, t

pytestmark = pytest.mark.e2e

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ARTISTS_API = re.compile(r"/api/v1/artists(\?|$)")
DETAIL_API = re.compile(r"/api/v1/artists/(\d+)$")
FAVORITE_API = re.compile(r"/api/v1/favorites/artists/\d+$")
FAVORITES_LIST_API = re.compile(r"/api/v1/favorites/artists(\?|$)")
UPLOAD_LOCAL_API = re.compile(r"/api/v1/uploads$")
DEMO_CLIENT_PHONE = "13800000001"  # domain/seed.py CLIENTS[0]: 星河科技有限公司, acting as client


def bad_storage_images(responses: list[Response]) -> list[tuple[str, int, str | None]]:
    """The /api/v1/files/ responses that are not a 200 image."""
    return [(r.url, r.status, r.headers.get("content-type")) for r in responses
            if r.status != 200 or not (r.headers.get("content-type") or "").startswith("image/")]


def wait_image_from_storage(page: Page, selector: str) -> None:
    """uni's <image> shows a loaded picture as the background of its inner <div>; wait for a storage URL."""
    page.wait_for_function(
        "sel => [...document.querySelectorAll(sel)].some(d => d.style.backgroundImage.includes('/api/v1/files/'))",
        arg=f"{selector} > div")


def listing(r: Response, *parts: str) -> bool:
    return bool(ARTISTS_API.search(r.url)) and all(p in r.url for p in parts)


def yuan(price_text: str) -> int:
    """'¥6,000–15,000' → 6000 (the lower end)."""
    m = re.search(r"¥([\d,]+)", price_text)
    assert m, price_text
    return int(m.group(1).replace(",", ""))


def test_search_detail_favorite(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    with page.expect_response(lambda r: listing(r)) as first:
        page.goto(f"{platform_url}/h5/")
    assert first.value.ok, first.value.text()
    expect(t(page, "artist-card").first).to_be_visible()
    # Facet counts from the unfiltered listing sit on the type chips.
    expect(t(page, "type-chip").filter(has_text="歌手").locator('[data-test="type-count"]')).to_have_text(
        re.compile(r"^\d+$"))

    # 1. Chinese keyword.
    field(page, "search-input").fill("流行")
    with page.expect_response(lambda r: listing(r, "q=%E6%B5%81%E8%A1%8C")) as searched:
        t(page, "search-button").click()
    assert searched.value.ok, searched.value.text()
    all_matches = searched.value.json()["total"]
    assert all_matches >= 2

    # 2. Type filter from the chip row.
    with page.expect_response(lambda r: listing(r, "artist_type=singer")) as typed:
        t(page, "type-chip").filter(has_text="歌手").click()
    body = typed.value.json()
    assert typed.value.ok and 1 <= body["total"] <= all_matches
    assert all("singer" in a["artist_types"] for a in body["items"])
    assert body["facets"]["artist_types"] == {"singer": body["total"]}

    # 3. Sort: cheapest first.
    t(page, "sort-button").click()
    expect(t(page, "sort-option")).to_have_count(6)
    expect(t(page, "sort-menu")).to_contain_text("价格从高到低")
    page.screenshot(path=str(screenshot_dir / "discovery-01-sort-menu.png"))
    with page.expect_response(lambda r: listing(r, "sort=price_asc", "artist_type=singer", "q=")) as sorted_:
        t(page, "sort-option").filter(has_text="价格从低到高").click()
    assert sorted_.value.ok
    expect(t(page, "sort-button")).to_contain_text("价格从低到高")
    cards = t(page, "artist-card")
    expect(cards).to_have_count(sorted_.value.json()["total"])
    # Artists without a price (面议: hidden or no price list yet — other browser tests add such artists) come last.
    texts = t(page, "artist-price").all_inner_texts()
    priced = [p for p in texts if "¥" in p]
    assert priced and texts == priced + [p for p in texts if "¥" not in p], texts
    prices = [yuan(p) for p in priced]
    assert prices == sorted(prices), prices

    # 4. Filter sheet: facet counts on cities, 只看已实名 + a price range, applied together.
    t(page, "filter-button").click()
    sheet = t(page, "filter-sheet")
    expect(sheet).to_be_visible()
    expect(sheet).to_contain_text("价格区间")
    expect(t(page, "filter-city").filter(has=page.locator(".chip__count")).first).to_be_visible()
    field(page, "price-min").fill("20000")
    field(page, "price-max").fill("1000")
    button(page, "filter-apply").click()
    expect(t(page, "price-error")).to_have_text("最低价不能高于最高价")  # checked before any request
    field(page, "price-max").fill("")
    field(page, "price-min").fill("")
    t(page, "filter-verified").locator(".uni-switch-input").click()
    page.screenshot(path=str(screenshot_dir / "discovery-02-filter-sheet.png"))
    with page.expect_response(lambda r: listing(r, "verified_only=true", "sort=price_asc")) as filtered:
        button(page, "filter-apply").click()
    assert filtered.value.ok
    expect(sheet).to_be_hidden()
    expect(t(page, "filter-button")).to_contain_text("1")
    items = filtered.value.json()["items"]
    assert items and all(a["verified"] for a in items)
    expect(cards).to_have_count(len(items))
    expect(t(page, "verified-badge")).to_have_count(len(items))
    name = t(page, "artist-name").first.inner_text().strip()
    assert CHINESE.search(name), name
    page.screenshot(path=str(screenshot_dir / "discovery-03-results.png"))

    # 5. Detail: Chinese content, prices, month calendar; case images come from storage.
    media: list[Response] = []
    page.on("response", lambda r: media.append(r) if "/api/v1/files/" in r.url else None)
    with page.expect_response(lambda r: bool(DETAIL_API.search(r.url))) as detail_res:
        cards.first.click()
    detail = detail_res.value.json()
    artist_id = detail["id"]
    expect(t(page, "detail-name")).to_have_text(name)
    expect(t(page, "detail-verified")).to_have_text("已实名")
    expect(t(page, "detail-city")).to_have_text(detail["city"])
    expect(t(page, "detail-price")).to_contain_text("¥")
    expect(t(page, "price-row")).to_have_count(len(detail["prices"]))
    expect(t(page, "price-row").first).to_contain_text(detail["prices"][0]["title"])
    expect(t(page, "detail-about")).to_contain_text(detail["bio"])
    expect(t(page, "detail-rating")).to_contain_text(re.compile(r"暂无评价|条评价"))

    calendar = t(page, "month-calendar")
    expect(calendar).to_be_visible()
    title = t(page, "calendar-title").inner_text()
    assert re.fullmatch(r"\d{4}年\d{1,2}月", title), title
    expect(calendar.locator('[data-status="free"]').first).to_be_visible()
    expect(t(page, "calendar-free-count")).to_contain_text("本月可约")
    busy_days = {s["start"][:10] for s in detail["calendar"] if s["status"] != "available"}
    if busy_days:  # the seed gives every artist some unavailable evenings in the next 60 days
        expect(calendar.locator('[data-status="busy"]').first).to_be_attached()
    t(page, "calendar-next").click()
    expect(t(page, "calendar-title")).not_to_have_text(title)
    t(page, "calendar-prev").click()
    expect(t(page, "calendar-title")).to_have_text(title)

    image_cases = [c for c in detail.get("cases", []) if any(m["kind"] == "image" for m in c["media"])]
    if image_cases:
        images = t(page, "case-image")
        expect(images.first).to_be_visible()
        images.first.scroll_into_view_if_needed()
        wait_image_from_storage(page, '[data-test="case-image"]')
        assert media, "no case image was requested from storage"
        assert not bad_storage_images(media)
    else:
        expect(t(page, "detail-cases")).to_contain_text("暂无公开的演出案例")
    page.screenshot(path=str(screenshot_dir / "discovery-04-detail.png"), full_page=True)

    # 6. Favorite while logged out → login by sandbox SMS → back on the detail, saved.
    button(page, "favorite").click()
    expect(field(page, "phone-input")).to_be_visible()
    send_sms_code(page, DEMO_CLIENT_PHONE)
    field(page, "code-input").fill(t(page, "sandbox-code").inner_text().strip())
    with page.expect_response(lambda r: bool(FAVORITE_API.search(r.url)) and r.request.method == "POST") as fav:
        button(page, "login-submit").click()
    assert fav.value.ok, fav.value.text()
    assert fav.value.json() == {"favorited": True}
    expect(t(page, "detail-name")).to_have_text(name)
    expect(button(page, "favorite")).to_contain_text("已收藏")
    page.screenshot(path=str(screenshot_dir / "discovery-05-favorited.png"))

    # The saved state comes from the server: a fresh load of the page shows it too, from the detail's own
    # `favorited` (sent with the token), without reading the favorites list.
    list_reads: list[str] = []

    def on_request(r: Request) -> None:
        if FAVORITES_LIST_API.search(r.url):
            list_reads.append(r.url)

    page.on("request", on_request)
    page.goto(f"{platform_url}/h5/#/pages/artist/detail?id={artist_id}")
    # The hash navigation may read the detail too: let that read finish first, or the reload below can be
    # matched by it and then navigate away from its body.
    expect(t(page, "detail-name")).to_have_text(name)
    page.wait_for_load_state("networkidle")
    with page.expect_response(lambda r: bool(DETAIL_API.search(r.url))) as reloaded:
        page.reload()
    assert reloaded.value.ok, reloaded.value.text()
    assert reloaded.value.request.headers.get("authorization", "").startswith("Bearer ")
    assert reloaded.value.json()["favorited"] is True
    expect(t(page, "detail-name")).to_have_text(name)
    expect(button(page, "favorite")).to_contain_text("已收藏")
    page.remove_listener("request", on_request)
    assert not list_reads, list_reads

    # 7. 我的 → 我的意向艺人 lists the artist.
    page.goto(f"{platform_url}/h5/#/pages/me/index")
    expect(t(page, "me-name")).to_have_text("星河科技有限公司")
    page.screenshot(path=str(screenshot_dir / "discovery-06-me.png"))
    t(page, "go-favorites").click()
    item = t(page, "favorite-item")
    expect(item).to_have_count(1)
    expect(item.locator('[data-test="artist-name"]')).to_have_text(name)
    expect(page.get_by_text("共 1 位意向艺人")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "discovery-07-favorites.png"))

    # Tapping it opens the detail again.
    item.locator('[data-test="artist-card"]').click()
    expect(t(page, "detail-name")).to_have_text(name)
    expect(button(page, "favorite")).to_contain_text("已收藏")


def test_artist_edits_profile_and_uploads_case(platform_url: str, page: Page, screenshot_dir: Path,
                                               tmp_path: Path) -> None:
    """Artist side: 编辑资料 → new avatar → 提交审核 (审核中), 我的案例 → new case with an image uploaded
    through the intent."""
    from PIL import Image

    photo = tmp_path / "stage.jpg"
    Image.new("RGB", (320, 240), (90, 60, 160)).save(photo)
    portrait = tmp_path / "avatar.png"
    Image.new("RGB", (200, 200), (230, 120, 40)).save(portrait)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{platform_url}/h5/#/pages/login/index?redirect=%2Fpages%2Fme%2Findex")
    send_sms_code(page, "13900000010")  # seeded artist 舞韵团 (domain/seed.py ARTISTS[9])
    field(page, "code-input").fill(t(page, "sandbox-code").inner_text().strip())
    button(page, "login-submit").click()
    expect(t(page, "artist-menu")).to_be_visible()

    t(page, "go-artist-profile").click()
    expect(t(page, "profile-status")).to_be_visible()
    expect(field(page, "pf-stage-name")).to_have_value("舞韵团")
    # Regions the platform no longer offers are shown struck through and must be removed first.
    invalid = page.locator('[data-test="pf-region"].chip--invalid.chip-active')
    while invalid.count():
        invalid.first.click()

    # Avatar: uni.chooseImage clicks an <input type=file> it adds to the body. The file chooser must be
    # intercepted (headless Chromium cancels an unhandled one at once, and uni then fails the call); the
    # files are set on that input. The picture goes up through the intent flow and the preview is the
    # thumbnail storage kept.
    files: list[Response] = []
    page.on("response", lambda r: files.append(r) if "/api/v1/files/" in r.url else None)
    with page.expect_response(lambda r: bool(UPLOAD_LOCAL_API.search(r.url)) and r.request.method == "POST") as up:
        with page.expect_file_chooser() as chooser:
            t(page, "pf-avatar-change").click()
        assert chooser.value.element.get_attribute("accept") == "image/*"
        chooser.value.element.set_input_files(str(portrait))
    assert up.value.ok, up.value.text()
    avatar_id = up.value.json()["upload_id"]
    assert up.value.json()["purpose"] == "case_image"
    avatar_img = '[data-test="pf-avatar"] [data-test="avatar-image"]'
    wait_image_from_storage(page, avatar_img)
    assert files, "the avatar preview was not loaded from storage"
    assert not bad_storage_images(files)
    expect(t(page, "pf-avatar-change")).to_have_text("更换头像")
    page.screenshot(path=str(screenshot_dir / "discovery-08a-artist-avatar.png"))

    with page.expect_request(lambda r: r.url.endswith("/me/artist/profile") and r.method == "PUT") as saved:
        with page.expect_response(lambda r: r.url.endswith("/me/artist/profile/submit")) as submitted:
            button(page, "pf-submit").click()
    assert saved.value.post_data_json["avatar_upload_id"] == avatar_id
    assert submitted.value.ok, submitted.value.text()
    expect(t(page, "profile-status")).to_contain_text("审核中")
    page.screenshot(path=str(screenshot_dir / "discovery-08-artist-profile.png"))

    # Back on the page later: the draft's own avatar (data.avatar_url) is shown.
    files.clear()
    with page.expect_response(lambda r: r.url.endswith("/me/artist/profile") and r.request.method == "GET") as draft:
        page.reload()
    assert draft.value.json()["data"]["avatar_upload_id"] == avatar_id
    assert draft.value.json()["data"]["avatar_url"]
    wait_image_from_storage(page, avatar_img)
    assert files and not bad_storage_images(files)

    # Privacy applies at once, without review: hidden prices read 面议 on the public page; then back on.
    artist_id = draft.value.json()["artist_id"]
    for hide in (True, False):
        with page.expect_response(lambda r: r.url.endswith("/me/artist/profile/privacy")) as privacy:
            t(page, "privacy-hide-prices").click()
        assert privacy.value.ok and privacy.value.json()["hide_prices"] is hide, privacy.value.text()
        public = httpx.get(f"{platform_url}/api/v1/artists/{artist_id}", trust_env=False).json()
        assert public["price_hidden"] is hide and (public["prices"] == []) is hide
        if hide:
            page.screenshot(path=str(screenshot_dir / "discovery-08b-privacy.png"))

    page.go_back()
    t(page, "go-artist-cases").click()
    expect(t(page, "case-new")).to_be_visible()
    t(page, "case-new").click()
    field(page, "case-title").fill("企业年会主持")
    t(page, "case-event-type").click()
    page.locator(".uni-picker-action-confirm:visible").click()
    with page.expect_response(lambda r: r.url.endswith("/api/v1/uploads") and r.request.method == "POST") as up:
        with page.expect_file_chooser() as chooser:
            t(page, "case-add-image").click()
        chooser.value.set_files(str(photo))
    assert up.value.ok, up.value.text()
    expect(t(page, "case-media")).to_have_count(1)
    with page.expect_response(lambda r: r.url.endswith("/me/artist/cases") and r.request.method == "POST") as made:
        button(page, "case-submit").click()
    assert made.value.status == 201, made.value.text()
    assert made.value.json()["media"][0]["upload_id"] == up.value.json()["upload_id"]
    mine = t(page, "my-case").filter(has_text="企业年会主持")
    expect(mine.locator('[data-test="my-case-status"]')).to_have_text("审核中")
    page.screenshot(path=str(screenshot_dir / "discovery-09-artist-cases.png"))


# --- city / price / date filters -------------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
PREFERRED_CITY = "上海"  # the seed has several artists there and more who travel there (domain/seed.py NEARBY)


def price_bounds(price_text: str) -> tuple[int, float]:
    """A card's price in yuan: '¥6,000–15,000' → (6000, 15000), '¥6,000' → both ends, '¥6,000起' → open top."""
    nums = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", price_text)]
    assert nums and "¥" in price_text, price_text
    if price_text.endswith("起"):
        return nums[0], float("inf")
    if price_text.endswith("以内"):
        return 0, nums[0]
    return nums[0], nums[-1]


def card_shows_city(card: Locator, city: str) -> bool:
    """The card's subtitle is '城市 · 风格 / 风格' (after the rating, if any)."""
    meta = card.locator(".artist-card__meta").inner_text().strip()
    return bool(re.search(rf"(^|[\s）]){city}( ·|$)", meta))


def query_of(r: Response) -> dict[str, list[str]]:
    return parse_qs(urlparse(r.url).query)


def busy_artist(api: str, today: date) -> tuple[dict, date]:
    """A priced seeded artist (preferably in PREFERRED_CITY) and the first day after today on which its
    public month calendar says unavailable."""
    items: list[dict] = []
    for page_no in (1, 2, 3):
        body = httpx.get(f"{api}/api/v1/artists", params={"page_size": 50, "page": page_no}).json()
        items += body["items"]
        if len(items) >= body["total"]:
            break
    priced = [a for a in items if not a["price_hidden"] and a["price_min_amount"] and a["price_max_amount"]]
    priced.sort(key=lambda a: a["city"] != PREFERRED_CITY)
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    for artist in priced:
        busy = []
        for month in (today, next_month):
            cal = httpx.get(f"{api}/api/v1/artists/{artist['id']}/calendar",
                            params={"month": month.strftime("%Y-%m")}).json()
            busy += [date.fromisoformat(d["date"]) for d in cal["days"] if d["status"] == "unavailable"]
        busy = [d for d in busy if d > today]
        if busy:
            return artist, min(busy)
    raise AssertionError("no seeded artist has an unavailable day in the next two months")


def test_filter_by_city_price_and_date(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    # From the platform's own API, before the UI: an artist, its city, its price and a day it is taken.
    today = datetime.now(SHANGHAI).date()
    target, busy_day = busy_artist(platform_url, today)
    city, target_name = target["city"], target["stage_name"]
    lo_yuan, hi_yuan = target["price_min_amount"] // 100, target["price_max_amount"] // 100
    cities = httpx.get(f"{platform_url}/api/v1/meta/options").json()["cities"]
    assert city in cities, (city, cities)

    page.set_viewport_size({"width": 390, "height": 844})
    with page.expect_response(lambda r: listing(r)) as first:
        page.goto(f"{platform_url}/h5/")
    assert first.value.ok, first.value.text()
    unfiltered = first.value.json()["total"]
    cards = t(page, "artist-card")
    expect(cards.first).to_be_visible()
    expect(t(page, "city-picker")).to_contain_text("全部城市")

    # 1. City from the header's picker: range is 全部城市 followed by the platform's cities.
    columns = open_picker(page, t(page, "city-picker"))
    expect(columns).to_have_count(1)
    expect(columns.first).to_contain_text(city)
    spin(page, columns.first, cities.index(city) + 1)
    page.screenshot(path=str(screenshot_dir / "discovery-10-city-picker.png"))
    with page.expect_response(lambda r: listing(r, "city=")) as by_city:
        confirm_picker(page)
    assert by_city.value.ok, by_city.value.text()
    assert query_of(by_city.value)["city"] == [city]
    expect(t(page, "city-picker")).to_contain_text(city)
    city_total = by_city.value.json()["total"]
    assert 1 <= city_total < unfiltered

    # 2. Price range in yuan in the sheet (the city picked above is already ticked there).
    t(page, "filter-button").click()
    sheet = t(page, "filter-sheet")
    expect(sheet).to_be_visible()
    expect(t(page, "filter-city").and_(page.locator(".chip-active"))).to_have_text(re.compile(rf"^{city}"))
    field(page, "price-min").fill(str(lo_yuan))
    field(page, "price-max").fill(str(hi_yuan))
    with page.expect_response(lambda r: listing(r, "price_min=")) as by_price:
        button(page, "filter-apply").click()
    assert by_price.value.ok, by_price.value.text()
    q = query_of(by_price.value)
    assert q["city"] == [city]
    assert q["price_min"] == [str(lo_yuan * 100)] and q["price_max"] == [str(hi_yuan * 100)], q
    assert "available_on" not in q
    expect(sheet).to_be_hidden()
    expect(t(page, "filter-button")).to_contain_text("1")
    priced = by_price.value.json()
    assert 1 <= priced["total"] <= city_total
    assert len(priced["items"]) == priced["total"], "expected a single page"
    expect(cards).to_have_count(priced["total"])
    names = [n.strip() for n in t(page, "artist-name").all_inner_texts()]
    assert target_name in names, (target_name, names)  # present without the date filter
    page.screenshot(path=str(screenshot_dir / "discovery-11-city-price.png"))

    # Every card: its price range meets the one typed, and it is in the city or travels there. The card
    # shows the home city; a travelling artist's 可演出地区 is on its detail page.
    travellers: set[str] = set()
    for i in range(cards.count()):
        card = cards.nth(i)
        low, high = price_bounds(card.locator('[data-test="artist-price"]').inner_text().strip())
        assert low <= hi_yuan and high >= lo_yuan, (low, high, lo_yuan, hi_yuan)
        if card_shows_city(card, city):
            continue
        name = card.locator('[data-test="artist-name"]').inner_text().strip()
        with page.expect_response(lambda r: bool(DETAIL_API.search(r.url))):
            card.click()
        expect(t(page, "detail-name")).to_have_text(name)
        expect(t(page, "detail-city")).not_to_have_text(city)
        expect(page.get_by_text(re.compile(r"^可演出地区："))).to_contain_text(city)
        if not travellers:
            page.screenshot(path=str(screenshot_dir / "discovery-12-traveller-detail.png"))
        travellers.add(name)
        page.go_back()
        expect(cards).to_have_count(priced["total"])
    assert target_name not in travellers

    # 3. 演出日期有档期: a day the artist is taken, picked in uni's date picker.
    t(page, "filter-button").click()
    expect(sheet).to_be_visible()
    expect(field(page, "price-min")).to_have_value(str(lo_yuan))
    expect(t(page, "filter-date")).to_have_text("选择日期")
    pick_date(page, t(page, "filter-date"), busy_day, today, screenshot_dir / "discovery-13-date-picker.png")
    expect(t(page, "filter-date")).to_have_text(busy_day.isoformat())
    with page.expect_response(lambda r: listing(r, "available_on=")) as by_date:
        button(page, "filter-apply").click()
    assert by_date.value.ok, by_date.value.text()
    q = query_of(by_date.value)
    assert q["available_on"] == [busy_day.isoformat()], q
    assert q["city"] == [city]
    assert q["price_min"] == [str(lo_yuan * 100)] and q["price_max"] == [str(hi_yuan * 100)], q
    expect(sheet).to_be_hidden()
    expect(t(page, "filter-button")).to_contain_text("2")
    dated = by_date.value.json()
    assert dated["total"] < priced["total"]
    if dated["total"]:
        expect(cards).to_have_count(dated["total"])
    else:
        expect(t(page, "empty")).to_contain_text("没有找到符合条件的艺人")
    names_dated = [n.strip() for n in t(page, "artist-name").all_inner_texts()]
    assert target_name not in names_dated, names_dated
    assert set(names_dated) <= set(names), (names_dated, names)
    for i in range(cards.count()):
        card = cards.nth(i)
        low, high = price_bounds(card.locator('[data-test="artist-price"]').inner_text().strip())
        assert low <= hi_yuan and high >= lo_yuan
        name = card.locator('[data-test="artist-name"]').inner_text().strip()
        assert card_shows_city(card, city) or name in travellers, name
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_dir / "discovery-14-city-price-date.png"))
