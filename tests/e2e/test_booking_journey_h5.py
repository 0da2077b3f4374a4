"""One booking through the mini-program's H5 build, client and artist each in their own browser context at a
phone's 390×844, through the pages only: the sandbox cashier's 确认支付 and waiting for the workflow's real
performance-end timer are the only things outside the app.

花嫁婚礼策划工作室 (client) puts three artists in the 预约单 from their pages and sends one inquiry for a show
today, a few minutes ahead (the form's calendar and minute time pickers) → 周一鸣 declines with a reason →
夏夜乐队 quotes, and then sees a second, overlapping 立即预约 request flagged 档期冲突 → the client cancels
that second booking (the refund is shown before confirming) → compares the answers (回声计划 never answered)
and proceeds with 夏夜乐队 → contract sent, signed with mouse strokes on the signature canvas, countersigned →
deposit and balance through the sandbox cashier. While the show runs: 夏夜乐队 closes a day in the calendar's
batch setting and the client's search for that day no longer lists them; a second show (tomorrow) is booked,
signed and its deposit paid, the cancel page shows what a cancellation would refund, and the client opens a
dispute with a photo instead. Then PERFORMED (the real timer) → 确认已演出 → 申请结算 → 已完成 → the review →
the artist's reply; the client's 消息 badge counts down as messages are read.

Every new page is screenshotted at 390×844 under test-artifacts/screenshots/journey-NN-<page>.png; each shot
checks the page has Chinese text and nothing sticks out to the right.

Fixtures from tests/e2e/conftest.py: `platform_url` (`python -m devstack` with the demo seed; Temporal dev
server with the real clock), `page` (the client) and `artist_page` (a second context; both fail the test on any
request leaving localhost or a CSP violation), `screenshot_dir`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, Response, expect

from domain.seed import OPERATOR, stage_picture
from domain.time import SHANGHAI
from tests.e2e.booking_stack import untouched_day
from tests.e2e.h5 import (
    CHINESE,
    PHONE_VIEWPORT,
    confirm_modal,
    field,
    fill,
    logout_h5,
    overflowing,
    pick_date,
    pick_wd_time,
    sms_login_h5,
    t,
)

pytestmark = pytest.mark.e2e

# domain/seed.py: a verified client and three verified artists that no other browser test logs in as. The admin
# e2e tests book two of them through the API (unmarked_show_start()), so this test keeps to days they cannot take.
CLIENT_PHONE = "13800000002"  # 花嫁婚礼策划工作室
REJECTER = ("13900000005", "周一鸣")
PERFORMER = ("13900000006", "夏夜乐队")
SILENT = ("13900000007", "回声计划")
FEE_YUAN = 12000
LEAD = timedelta(minutes=5)  # the show starts this long after the inquiry: the steps up to the balance fit in
SHOW = timedelta(minutes=1)
REJECT_REASON = "当天已有外地演出，无法赶回，抱歉"
CANCEL_REASON = "与另一场预约时间重叠，取消此单"
DISPUTE_REASON = "艺人迟到一小时，演出时长缩短了一半，附现场照片。"
REVIEW_TEXT = "乐队准时到场，现场气氛非常好，宾客都很喜欢。"
REPLY_TEXT = "感谢认可，期待下次合作！"
ACTION_API = re.compile(r"/api/v1/bookings/(\d+)/actions/(\w+)$")
INQUIRY_API = re.compile(r"/api/v1/inquiries$")


class Shots:
    """journey-NN-<name>.png in the order taken; each checked for Chinese text and horizontal overflow."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.n = 0
        for old in directory.glob("journey-*.png"):  # this run's only
            old.unlink()

    def __call__(self, page: Page, name: str) -> None:
        expect(page.locator("uni-toast")).to_be_hidden(timeout=5000)
        page.wait_for_timeout(300)  # page slide-in, popups
        self.n += 1
        page.screenshot(path=str(self.directory / f"journey-{self.n:02d}-{name}.png"))
        text = page.locator("body").inner_text()
        assert CHINESE.search(text), f"{name}: no Chinese text on the page"
        assert overflowing(page) == [], f"{name}: sticks out on the right: {overflowing(page)}"


def ui(page: Page, api: str, route: str) -> None:
    """Open a page of the app by its route, as a shared link does: a fresh start of the app (a bare hash
    change can land on a page of the same route already in uni's page stack, showing the old booking)."""
    page.goto("about:blank")
    page.goto(f"{api}/h5/#{route}")


def open_order(page: Page, api: str, booking_id: int) -> None:
    ui(page, api, f"/subpkg/booking/order?id={booking_id}")
    expect(t(page, "order-status")).to_be_visible()


def operator_api(api: str) -> httpx.Client:
    """The console's API as the demo seed's operator."""
    http = httpx.Client(base_url=api, timeout=30, trust_env=False)
    res = http.post("/api/v1/admin/auth/login", json={"username": OPERATOR[0], "password": OPERATOR[1]})
    assert res.status_code == 200, res.text
    http.headers["Authorization"] = f"Bearer {res.json()['access_token']}"
    return http


def wait_status(page: Page, label: str, timeout: float) -> None:
    """Reload the order page until its status reads `label` (the workflow moves on its own: callbacks, timers)."""
    deadline = time.monotonic() + timeout
    status = t(page, "order-status")
    while True:
        try:
            expect(status).to_have_text(label, timeout=4000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        page.reload()
        expect(status).to_be_visible(timeout=15000)


def action(page: Page, name: str) -> Locator:
    """The order page's button for one of the booking's allowed_actions."""
    return t(page, f"action-{name}")


def posting(page: Page, name: str, do: Callable[[], None]) -> dict[str, Any]:
    """Run `do`, which ends in POST /bookings/{id}/actions/{name}; the API's answer."""
    with page.expect_response(lambda r: bool(ACTION_API.search(r.url)) and r.url.endswith(f"/{name}"),
                              timeout=20000) as res:
        do()
    assert res.value.ok, res.value.text()
    body: dict[str, Any] = res.value.json()
    return body


def inline_action(page: Page, name: str, title: str) -> None:
    """An action the order page runs in place after a confirmation (发送合同, 确认已演出, 申请结算)."""
    def do() -> None:
        action(page, name).click()
        confirm_modal(page, title)
    posting(page, name, do)


def draw_signature(page: Page) -> None:
    """Three strokes with the mouse inside the wd-signature canvas."""
    canvas = t(page, "signature-pad").locator("canvas").first
    canvas.scroll_into_view_if_needed()
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 60, box
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    for stroke in ([(0.1, 0.6), (0.25, 0.3), (0.4, 0.7), (0.55, 0.35)],
                   [(0.6, 0.5), (0.75, 0.25), (0.9, 0.6)],
                   [(0.2, 0.8), (0.5, 0.75), (0.85, 0.82)]):
        page.mouse.move(x0 + stroke[0][0] * w, y0 + stroke[0][1] * h)
        page.mouse.down()
        for fx, fy in stroke[1:]:
            page.mouse.move(x0 + fx * w, y0 + fy * h, steps=8)
        page.mouse.up()


def sign_contract(page: Page, name: str, title: str, shots: Shots | None, shot_name: str = "") -> None:
    """Order page → 签署合同/会签合同 → 发送验证码 (the sandbox shows the code) → code typed in → draw → 确认签署 →
    confirm: back on the order page. The contract text is there before signing; the pad only after the code."""
    action(page, name).click()
    expect(t(page, "contract-terms")).to_be_visible()
    expect(t(page, "contract-body")).to_contain_text("第一条 演出内容")
    expect(t(page, "sign-needs-code")).to_be_visible()
    expect(t(page, "signature-submit")).to_have_count(0)
    t(page, "sign-code-send").click()
    expect(t(page, "sign-sandbox-code")).to_have_text(re.compile(r"^\d{6}$"))
    fill(page, field(page, "sign-code-input"), t(page, "sign-sandbox-code").inner_text().strip())
    draw_signature(page)
    if shots is not None:
        shots(page, shot_name)

    def do() -> None:
        t(page, "signature-submit").click()
        confirm_modal(page, title)
    posting(page, name, do)
    expect(t(page, "order-status")).to_be_visible()


def pay(page: Page, booking_id: int, name: str, shots: Shots | None, shot_name: str = "") -> None:
    """Order page → pay page → the sandbox cashier (确认支付) → 返回订单: the pay page waits for the callback,
    then goes back to the order."""
    action(page, name).click()
    expect(t(page, "pay-amount")).to_contain_text("¥")
    if shots is not None:
        shots(page, shot_name)
    with page.expect_navigation(url=re.compile(r"/api/v1/payments/sandbox/")):
        t(page, "pay-submit").click()
    page.get_by_role("button", name="确认支付").click()
    expect(page.locator(".state.paid")).to_have_text("已支付")
    page.locator('[data-test="sandbox-return"]').click()
    expect(page).to_have_url(re.compile(rf"/h5/.*subpkg/booking/(pay|order)\?id={booking_id}"))
    expect(t(page, "order-status")).to_be_visible(timeout=30000)


def fill_booking_form(page: Page, day: date, start: tuple[int, int], end: tuple[int, int]) -> None:
    cell = page.locator(f'[data-test="calendar-day"][data-date="{day.isoformat()}"]')
    title = t(page, "calendar-title")
    expect(page.locator('[data-test="calendar-day"][data-status="free"]').first).to_be_visible()
    for _ in range(3):  # today's month, or the next ones
        if cell.count():
            break
        shown = title.inner_text()
        t(page, "calendar-next").click()
        expect(title).not_to_have_text(shown)
    cell.click()
    expect(t(page, "booking-date-value")).to_have_text(day.isoformat())
    pick_wd_time(page, t(page, "booking-start"), *start)
    pick_wd_time(page, t(page, "booking-end"), *end)
    t(page, "booking-event-wedding").click()
    fill(page, t(page, "booking-venue").locator("input"), "杭州西湖国宾馆草坪")
    fill(page, t(page, "booking-audience").locator("input"), "200")
    fill(page, t(page, "booking-budget").locator("input"), "15000")


def send_booking(page: Page) -> dict[str, Any]:
    with page.expect_response(lambda r: bool(INQUIRY_API.search(r.url)) and r.request.method == "POST") as sent:
        t(page, "booking-submit").click()
    assert sent.value.ok, sent.value.text()
    body: dict[str, Any] = sent.value.json()
    expect(page).to_have_url(re.compile(rf"subpkg/booking/inquiry\?id={body['id']}"))
    return body


def search(page: Page, api: str, name: str) -> Locator:
    """首页 search by name; the artist's card."""
    ui(page, api, "/pages/index/index")
    field(page, "search-input").fill(name)
    with page.expect_response(lambda r: "/api/v1/artists?" in r.url and "q=" in r.url):
        t(page, "search-button").click()
    card = t(page, "artist-card").filter(has_text=name)
    expect(card).to_have_count(1)
    return card


def open_artist(page: Page, api: str, name: str) -> None:
    search(page, api, name).click()
    expect(t(page, "detail-name")).to_have_text(name)


def login_artist(page: Page, api: str, phone: str) -> None:
    sms_login_h5(page, api, phone)
    expect(t(page, "acting-role")).to_have_text("艺人")


def test_booking_journey(platform_url: str, page: Page, artist_page: Page, screenshot_dir: Path,
                         tmp_path: Path) -> None:
    try:
        journey(platform_url, page, artist_page, screenshot_dir, tmp_path)
    except BaseException:
        for who, p in (("client", page), ("artist", artist_page)):
            p.screenshot(path=str(screenshot_dir / f"journey-failed-{who}.png"))
        raise


def journey(api: str, client: Page, artist: Page, screenshot_dir: Path, tmp_path: Path) -> None:
    client.set_viewport_size(PHONE_VIEWPORT)
    artist.set_viewport_size(PHONE_VIEWPORT)
    shots = Shots(screenshot_dir)
    began = time.monotonic()

    def log(step: str) -> None:
        print(f"[{time.monotonic() - began:5.0f} s] {step}")

    # The show ends minutes after it starts: this platform's rule has no dispute window after it, so the
    # settlement waits only for the operator's approval (given below through the console's API).
    ops = operator_api(api)
    rule = ops.put("/api/v1/admin/settings", json={"key": "booking.settlement_dispute_window_hours", "value": 0})
    assert rule.status_code == 200, rule.text

    # --- 1. Logins (the artist who declines first), the client fills the 预约单 from three artist pages.
    login_artist(artist, api, REJECTER[0])
    sms_login_h5(client, api, CLIENT_PHONE)
    for i, (_, name) in enumerate((REJECTER, PERFORMER, SILENT)):
        open_artist(client, api, name)
        if i == 0:
            shots(client, "artist-detail")
        t(client, "cart-toggle").click()
        expect(t(client, "cart-toggle")).to_contain_text("已加入")
    t(client, "cart-open").click()
    expect(t(client, "cart-item")).to_have_count(3)
    expect(t(client, "cart-count")).to_contain_text("已选 3/10 位艺人")
    shots(client, "cart")
    log("预约单 with three artists")

    # --- 2. One inquiry to the three: today, a few minutes ahead, for one minute.
    t(client, "cart-send").click()
    expect(t(client, "booking-target")).to_have_count(3)
    start = (datetime.now(SHANGHAI) + LEAD).replace(second=0, microsecond=0)
    end = start + SHOW
    if end.date() != start.date():
        pytest.skip("the show would cross midnight in Asia/Shanghai")
    fill_booking_form(client, start.date(), (start.hour, start.minute), (end.hour, end.minute))
    shots(client, "booking-new")
    inquiry = send_booking(client)
    by_artist = {b["artist_name"]: b["id"] for b in inquiry["bookings"]}
    assert set(by_artist) == {REJECTER[1], PERFORMER[1], SILENT[1]}, by_artist
    booking_id = by_artist[PERFORMER[1]]
    expect(t(client, f"inquiry-status-{booking_id}")).to_have_text("待艺人确认")
    shots(client, "inquiry-waiting")
    log(f"inquiry {inquiry['id']} sent: show {start:%H:%M}–{end:%H:%M}")

    # --- 3. 立即预约 of 夏夜乐队 again, overlapping the inquiry (the conflict case; cancelled in step 6).
    open_artist(client, api, PERFORMER[1])
    t(client, "book").click()
    fill_booking_form(client, start.date(), (start.hour, start.minute), (end.hour, end.minute))
    overlapping_id = send_booking(client)["bookings"][0]["id"]

    # --- 4. 周一鸣 declines with a reason.
    ui(artist, api, "/pages/orders/index")
    t(artist, f"order-card-{by_artist[REJECTER[1]]}").click()
    expect(t(artist, "order-status")).to_have_text("待艺人确认")
    shots(artist, "order-artist-request")
    action(artist, "reject").click()
    fill(artist, t(artist, "reject-reason").locator("textarea"), REJECT_REASON)
    shots(artist, "quote-reject")

    def reject() -> None:
        t(artist, "reject-submit").click()
        confirm_modal(artist, "婉拒邀约")
    posting(artist, "reject", reject)
    expect(t(artist, "order-status")).to_have_text("艺人已拒绝")
    logout_h5(artist, api)
    log("declined")

    # --- 5. 夏夜乐队 quotes the inquiry's request; the other one now clashes with that hold (档期冲突).
    login_artist(artist, api, PERFORMER[0])
    ui(artist, api, "/pages/orders/index")
    expect(t(artist, f"order-card-{overlapping_id}")).to_be_visible()
    t(artist, f"order-card-{booking_id}").click()
    expect(t(artist, "order-status")).to_have_text("待艺人确认")
    action(artist, "confirm").click()
    fill_quote(artist)
    shots(artist, "quote-confirm")

    def quote() -> None:
        t(artist, "quote-submit").click()
        confirm_modal(artist, "确认报价")
    posting(artist, "confirm", quote)
    expect(t(artist, "order-status")).to_have_text("艺人已报价")
    ui(artist, api, "/pages/orders/index")
    other = t(artist, f"order-card-{overlapping_id}")
    expect(other.locator('[data-test="order-card-conflict"]')).to_be_visible()
    shots(artist, "orders-artist-conflict")
    other.click()
    expect(t(artist, "order-conflicts")).to_contain_text("档期冲突")
    shots(artist, "order-artist-conflict")
    log("quoted; the overlapping request shows the conflict")

    # --- 6. The client cancels the overlapping booking: what is refunded shows before confirming.
    open_order(client, api, overlapping_id)
    action(client, "cancel").click()
    expect(t(client, "cancel-paid")).to_have_text("¥0")
    expect(t(client, "cancel-refund-amount")).to_have_text("¥0")
    fill(client, t(client, "cancel-reason").locator("textarea"), CANCEL_REASON)
    shots(client, "cancel")

    def cancel() -> None:
        t(client, "cancel-submit").click()
        confirm_modal(client, "确认取消预约")
    posting(client, "cancel", cancel)
    expect(t(client, "order-status")).to_have_text("已取消")

    # --- 7. Compare the answers and go ahead with 夏夜乐队 (回声计划's request is withdrawn).
    ui(client, api, f"/subpkg/booking/inquiry?id={inquiry['id']}")
    expect(t(client, f"inquiry-status-{by_artist[REJECTER[1]]}")).to_have_text("艺人已拒绝")
    expect(t(client, "inquiry-compare")).to_contain_text(REJECT_REASON)
    expect(t(client, f"inquiry-fee-{booking_id}")).to_have_text("¥12,000")
    expect(t(client, f"inquiry-reply-{by_artist[SILENT[1]]}")).to_have_text("待回复")
    shots(client, "inquiry-compare")
    with client.expect_response(lambda r: r.url.endswith("/proceed")) as proceeded:
        t(client, f"inquiry-proceed-{booking_id}").click()
        confirm_modal(client, "确认选择")
    assert proceeded.value.ok, proceeded.value.text()
    expect(t(client, f"inquiry-status-{by_artist[SILENT[1]]}")).to_have_text("已撤回")
    log("proceeded")

    # --- 8. Contract: sent, signed by the client, countersigned.
    open_order(artist, api, booking_id)
    inline_action(artist, "send_contract", "发送合同")
    expect(t(artist, "order-status")).to_have_text("待签合同")
    open_order(client, api, booking_id)
    wait_status(client, "待签合同", 15)
    sign_contract(client, "sign", "签署合同", shots, "contract-sign")
    expect(t(client, "order-status")).to_have_text("待艺人会签")
    wait_status(artist, "待艺人会签", 15)
    sign_contract(artist, "countersign", "会签合同", shots, "contract-countersign")
    expect(t(artist, "order-status")).to_have_text("待付定金")
    log("signed")
    # The contract page once both signed: the text, the platform-sealed PDF's hash, both signatures' evidence.
    ui(client, api, f"/subpkg/booking/contract?id={booking_id}")
    expect(t(client, "contract-sealed-hash")).to_contain_text("SHA-256")
    t(client, "contract-document").scroll_into_view_if_needed()
    shots(client, "contract-document")
    expect(t(client, "contract-evidence").locator('[data-test^="contract-evidence-"]')).to_have_count(2)
    t(client, "contract-evidence").scroll_into_view_if_needed()
    shots(client, "contract-evidence")
    open_order(client, api, booking_id)

    # --- 9. Deposit and balance through the sandbox cashier.
    wait_status(client, "待付定金", 15)
    pay(client, booking_id, "pay_deposit", shots, "pay-deposit")
    wait_status(client, "已付定金", 30)
    pay(client, booking_id, "pay_balance", None)
    wait_status(client, "已付全款", 30)
    expect(t(client, "order-paid")).to_have_text("¥12,000")
    shots(client, "order-client-paid")
    ui(client, api, f"/subpkg/booking/contract?id={booking_id}")
    expect(t(client, "contract-client-signature").locator("uni-image")).to_be_visible()
    expect(t(client, "contract-artist-signature").locator("uni-image")).to_be_visible()
    shots(client, "contract-both-signed")
    assert datetime.now(SHANGHAI) < start, "the steps up to the balance ran past the show's start"
    log("paid in full")

    # --- 10. While the show runs. (a) 夏夜乐队 closes a day; a search for that day no longer lists them.
    closed_day = untouched_day()  # nothing on it yet, not even another test's show
    close_day(artist, api, closed_day, shots)
    search_on_day(client, api, PERFORMER[1], closed_day, shots)
    log("calendar")

    # (b) A second show, tomorrow: booked, quoted, signed, deposit paid; the cancel page shows the refund;
    # the client opens a dispute with a photo instead.
    second_id = book_and_pay_deposit(client, artist, api, start.date() + timedelta(days=1))
    action(client, "cancel").click()
    expect(t(client, "cancel-paid")).to_have_text("¥3,600")
    expect(t(client, "cancel-rule")).to_contain_text("退还")
    shots(client, "cancel-paid-preview")
    client.go_back()
    action(client, "dispute").click()
    fill(client, t(client, "dispute-reason").locator("textarea"), DISPUTE_REASON)
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(stage_picture(7))
    with client.expect_file_chooser() as chooser:
        t(client, "dispute-photos-add").click()
    chooser.value.set_files(str(photo))
    expect(t(client, "dispute-photos-item")).to_have_attribute("data-state", "done", timeout=20000)
    shots(client, "dispute")

    def dispute() -> None:
        t(client, "dispute-submit").click()
        confirm_modal(client, "发起纠纷")
    sent = posting(client, "dispute", dispute)
    assert sent["status"] == "DISPUTED", sent
    open_order(client, api, second_id)
    expect(t(client, "order-status")).to_have_text("纠纷处理中")
    expect(t(client, "order-dispute")).to_contain_text(DISPUTE_REASON)
    expect(t(client, "order-dispute").locator("uni-image")).to_have_count(1)
    shots(client, "order-disputed")
    log("disputed")

    # --- 11. The performance-end timer fires on the real clock: 待确认演出 → 确认已演出 → 申请结算 → 已完成.
    open_order(client, api, booking_id)
    wait_status(client, "待确认演出", max((end - datetime.now(SHANGHAI)).total_seconds(), 0) + 60)
    log("performed")
    inline_action(client, "confirm_performance", "确认已演出")
    expect(t(client, "order-status")).to_have_text("待结算")
    open_order(artist, api, booking_id)
    inline_action(artist, "request_settlement", "申请结算")
    wait_status(artist, "结算中", 10)
    approved = ops.post(f"/api/v1/admin/settlements/{booking_id}/approve", json={"reason": "演出已确认"})
    assert approved.status_code == 200, approved.text
    wait_status(artist, "已完成", 30)
    shots(artist, "order-artist-completed")

    # --- 12. The review, and the artist's reply.
    open_order(client, api, booking_id)
    wait_status(client, "已完成", 10)
    t(client, "order-link-review").click()
    for kind in ("effect", "attitude", "punctuality"):
        t(client, f"review-score-{kind}").locator(".wd-rate__item").nth(4).click()
    fill(client, t(client, "review-text").locator("textarea"), REVIEW_TEXT)
    shots(client, "review")
    with client.expect_response(lambda r: r.url.endswith(f"/bookings/{booking_id}/review")) as reviewed:
        t(client, "review-submit").click()
    assert reviewed.value.ok, reviewed.value.text()
    review_id = reviewed.value.json()["id"]
    ui(artist, api, "/subpkg/artist/reviews")
    expect(t(artist, f"review-{review_id}")).to_contain_text(REVIEW_TEXT)
    t(artist, f"review-reply-{review_id}").click()
    fill(artist, t(artist, f"review-reply-input-{review_id}").locator("textarea"), REPLY_TEXT)
    with artist.expect_response(lambda r: "/reply" in r.url) as replied:
        t(artist, f"review-reply-save-{review_id}").click()
    assert replied.value.ok, replied.value.text()
    expect(t(artist, f"review-reply-text-{review_id}")).to_contain_text(REPLY_TEXT)
    shots(artist, "artist-reviews")
    log("reviewed")

    # --- 13. The 消息 tab's badge counts down as notifications are read.
    ui(client, api, "/pages/messages/index?tab=notices")  # the 通知 segment (私信 is the default)
    count = t(client, "notice-unread-count")
    expect(count).to_have_text(re.compile(r"^\d+ 条未读$"))
    unread = int(count.inner_text().split()[0])
    assert unread >= 3, unread
    badge = client.locator(".uni-tabbar__badge")
    expect(badge).to_have_text(str(unread))
    shots(client, "messages")
    for n in (1, 2):
        dot = client.locator('.notice__dot[data-test^="notice-unread-"]').first  # not notice-unread-count
        notice_id = (dot.get_attribute("data-test") or "").removeprefix("notice-unread-")
        t(client, f"notice-{notice_id}").click()  # opens the booking it is about
        expect(t(client, "order-status")).to_be_visible()
        client.go_back()
        expect(t(client, f"notice-unread-{notice_id}")).to_have_count(0)
        expect(count).to_have_text(f"{unread - n} 条未读")
        expect(badge).to_have_text(str(unread - n))
    log("done")


def book_and_pay_deposit(client: Page, artist: Page, api: str, day: date) -> int:
    """立即预约 of 夏夜乐队 for `day` 20:00–21:00 (one artist: nothing to compare), quoted, contract signed both
    ways, deposit paid."""
    open_artist(client, api, PERFORMER[1])
    t(client, "book").click()
    fill_booking_form(client, day, (20, 0), (21, 0))
    booking_id: int = send_booking(client)["bookings"][0]["id"]
    open_order(artist, api, booking_id)
    action(artist, "confirm").click()
    fill_quote(artist)

    def quote() -> None:
        t(artist, "quote-submit").click()
        confirm_modal(artist, "确认报价")
    posting(artist, "confirm", quote)
    expect(t(artist, "order-status")).to_have_text("艺人已报价")
    inline_action(artist, "send_contract", "发送合同")
    open_order(client, api, booking_id)
    wait_status(client, "待签合同", 15)
    sign_contract(client, "sign", "签署合同", None)
    wait_status(artist, "待艺人会签", 15)
    sign_contract(artist, "countersign", "会签合同", None)
    wait_status(client, "待付定金", 15)
    pay(client, booking_id, "pay_deposit", None)
    wait_status(client, "已付定金", 30)
    return booking_id


def fill_quote(page: Page) -> None:
    """¥12,000, 30 % deposit, the balance due by the show itself (it is minutes away)."""
    fill(page, t(page, "quote-fee").locator("input"), str(FEE_YUAN))
    minus = t(page, "quote-balance-days").locator(".wd-input-number__action").first
    for _ in range(3):
        minus.click()
    expect(minus).to_have_class(re.compile(r"is-disabled"))
    expect(t(page, "quote-split")).to_have_text(re.compile(r"定金 ¥3,600 · 尾款 ¥8,400（演出前 0 天内付清）"))


def close_day(page: Page, api: str, day: date, shots: Shots) -> None:
    """我的档期: the day's sheet → 设置这一天 (the batch sheet for that one day) → 休息, 全天 → 确定."""
    ui(page, api, "/subpkg/artist/calendar")
    cell = t(page, f"cal-day-{day.isoformat()}")
    title = t(page, "cal-title")
    expect(page.locator('[data-test^="cal-day-2"]').first).to_be_visible()
    for _ in range(4):
        if cell.count():
            break
        shown = title.inner_text()
        t(page, "cal-next").click()
        expect(title).not_to_have_text(shown)
    cell.click()
    expect(t(page, "cal-day-empty")).to_be_visible()
    t(page, "cal-day-set").click()
    expect(t(page, "cal-batch-sheet")).to_be_visible()
    t(page, "cal-batch-status-rest").click()
    shots(page, "artist-calendar-batch")
    with page.expect_response(lambda r: "/calendar" in r.url and r.request.method in ("POST", "PUT")) as saved:
        t(page, "cal-batch-submit").click()
    assert saved.value.ok, saved.value.text()
    expect(cell).to_have_attribute("data-state", "rest")
    shots(page, "artist-calendar")


def search_on_day(page: Page, api: str, name: str, day: date, shots: Shots) -> None:
    """The artist is found by name; with 演出日期有档期 set to `day` they are not."""
    search(page, api, name)
    t(page, "filter-button").click()
    pick_date(page, t(page, "filter-date"), day, datetime.now(SHANGHAI).date())

    def dated(r: Response) -> bool:
        return "/api/v1/artists?" in r.url and f"available_on={day.isoformat()}" in r.url
    with page.expect_response(dated) as res:
        page.locator('uni-button[data-test="filter-apply"]').click()
    assert res.value.ok, res.value.text()
    assert name not in [a["stage_name"] for a in res.value.json()["items"]]
    expect(t(page, "artist-card").filter(has_text=name)).to_have_count(0)
    shots(page, "search-closed-day")
    page.reload()  # 首页 keeps its filters while the app runs: start the next search afresh
