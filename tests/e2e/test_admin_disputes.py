"""纠纷处理 in the operator console (Chromium at 1440×900, the platform as `make run` starts it): a seeded client
books a seeded artist, pays the deposit at the sandbox cashier and disputes with a photo; the artist answers with
their statement and photo. The operator finds the disputed order in the 纠纷处理 list, opens the workbench (both
sides, photos, money, timeline), rules a partial refund with a reason, and both parties' notifications carry it."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Page, expect

from domain.seed import stage_picture
from tests.e2e.booking_stack import unmarked_show_start, valid_id_number
from tests.e2e.sms_login import sms_headers
from tests.e2e.test_admin import OPERATOR, login, settle
from tests.factories import signature_png

pytestmark = pytest.mark.e2e

V1 = "/api/v1"
CLIENT = "13800000003"  # domain/seed.py CLIENTS[2]: 声场 Livehouse (verifies their name here)
ARTIST = "13900000021"  # a seeded, verified artist no other browser test books
FEE = 800_000  # deposit 30 %: ¥2,400.00
T = TypeVar("T")


def _until(what: str, get: Callable[[], T], done: Callable[[T], bool], timeout: float = 30) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = get()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached in {timeout:.0f} s (last: {value!r})")
        time.sleep(0.25)


class Party:
    def __init__(self, http: httpx.Client, phone: str, token: str | None = None):
        self.http = http
        if token:  # logged in elsewhere (the H5 app): no second SMS code
            self.headers = {"Authorization": f"Bearer {token}"}
            self.id = int(http.get(f"{V1}/me", headers=self.headers).json()["id"])
            return
        self.headers = sms_headers(http, phone)
        self.id = int(http.get(f"{V1}/me", headers=self.headers).json()["id"])

    def verify(self, name: str, serial: int) -> None:
        """实名认证 (the sandbox check, run by the worker) unless done already: booking needs it."""
        if self.http.get(f"{V1}/me", headers=self.headers).json()["verification"]["status"] == "verified":
            return
        self.post("/me/verification", {"subject": "person", "legal_name": name, "id_number": valid_id_number(serial)})
        _until("verified", lambda: self.http.get(f"{V1}/me", headers=self.headers).json()["verification"]["status"],
               lambda s: s == "verified")

    def post(self, path: str, body: dict | None = None) -> dict[str, Any]:
        res = self.http.post(f"{V1}{path}", headers=self.headers, json=body or {})
        assert res.status_code in (200, 201), f"{path}: {res.status_code} {res.text}"
        return dict(res.json())

    def act(self, booking_id: int, action: str, body: dict | None = None) -> dict[str, Any]:
        body = dict(body or {})
        if action in ("sign", "countersign"):
            body["sms_code"] = self.post(f"/bookings/{booking_id}/contract/sign-code")["sandbox_code"]
        path = f"{V1}/bookings/{booking_id}/actions/{action}"
        # The booking's workflow starts a moment after the inquiry's commit: its first answer may be "not ready".
        res = _until(f"{action} accepted", lambda: self.http.post(path, headers=self.headers, json=body),
                     lambda r: r.status_code != 409 or r.json()["code"] != "booking_not_ready", timeout=15)
        assert res.status_code == 200, f"{action}: {res.status_code} {res.text}"
        return dict(res.json())

    def photo(self, seed: int) -> str:
        intent = self.post("/uploads/intent", {"purpose": "evidence", "content_type": "image/jpeg"})
        up = self.http.post(intent["url"], headers=self.headers, data=intent["fields"],
                            files={intent["file_field"]: ("evidence.jpg", stage_picture(seed), "image/jpeg")})
        assert up.status_code == 200, up.text
        return str(up.json()["upload_id"])

    def notes(self, booking_id: int) -> list[str]:
        items = self.http.get(f"{V1}/notifications", headers=self.headers, params={"page_size": 50}).json()["items"]
        return [n["body"] for n in items if n["booking_id"] == booking_id]


def _disputed_booking(api: str, artist_token: str | None = None, artist_phone: str = ARTIST,
                      answer: bool = True) -> tuple[int, Party, Party, str, str]:
    """A booking of a seeded pair with the deposit paid, disputed by the client (photo) and (`answer`) answered by
    the artist (photo); returns its id, the parties and the two statements."""
    http = httpx.Client(base_url=api, timeout=30, trust_env=False)
    client, artist = Party(http, CLIENT), Party(http, artist_phone, artist_token)
    client.verify("赵晓明", 303)
    start = unmarked_show_start()
    res = client.post("/inquiries", {
        "artist_ids": [artist.id], "event_type": "品牌发布会", "start_at": start.isoformat(),
        "end_at": (start + timedelta(hours=2)).isoformat(), "city": "上海", "venue_address": "静安区南京西路1号",
        "audience_size": 200, "requirements": "暖场 30 分钟", "budget_amount": 1_000_000, "contact_name": "赵店长",
        "contact_phone": CLIENT})
    bid = int(res["bookings"][0]["id"])
    artist.act(bid, "confirm", {"quote": {"fee_amount": FEE, "deposit_percent": 30, "balance_due_days": 3}})
    artist.act(bid, "send_contract")
    client.act(bid, "sign", {"signature_png_base64": signature_png()})
    artist.act(bid, "countersign", {"signature_png_base64": signature_png()})
    order_id = client.act(bid, "pay_deposit")["payment_order_id"]
    paid = http.post(f"{V1}/payments/sandbox/{order_id}/confirm", follow_redirects=False)
    assert paid.status_code in (200, 303), paid.text
    _until("deposit paid", lambda: client.http.get(f"{V1}/bookings/{bid}", headers=client.headers).json()["status"],
           lambda s: s == "DEPOSIT_PAID")
    opened = "彩排时发现演出曲目与合同约定不符，要求退还部分定金"
    assert client.act(bid, "dispute", {"reason": opened, "evidence": [client.photo(3)]})["status"] == "DISPUTED"
    reply = "曲目调整已在沟通群中获得对方同意，附聊天截图"
    if answer:
        # The opener may add to their reason once, too.
        client.post(f"/bookings/{bid}/dispute/statements", {"body": "补充：合同附件约定的三首曲目均未演唱"})
        artist.post(f"/bookings/{bid}/dispute/statements", {"body": reply, "evidence": [artist.photo(11)]})
    return bid, client, artist, opened, reply


def test_operator_rules_a_dispute_from_the_workbench(platform_url: str, page: Page, screenshot_dir: Path) -> None:
    bid, client, artist, opened, answer = _disputed_booking(platform_url)
    page.set_viewport_size({"width": 1440, "height": 900})

    # 纠纷处理: the open dispute is listed; the keyword (the booking number) narrows the list to it.
    page.goto(f"{platform_url}/admin/disputes")
    login(page, *OPERATOR)
    expect(page).to_have_url(re.compile(r"/admin/disputes$"))
    table = page.get_by_test_id("disputes-table")
    row = table.locator("tr.el-table__row", has_text=f"#{bid}")
    expect(row).to_contain_text("待处理")
    expect(row).to_contain_text("已提交")  # the artist's statement
    page.get_by_test_id("dispute-filter-keyword").fill(str(bid))  # el-input puts the attribute on <input>
    with page.expect_response(lambda r: "/admin/disputes?" in r.url and f"keyword={bid}" in r.url) as listed:
        page.get_by_test_id("dispute-search").click()
    assert [i["booking_id"] for i in listed.value.json()["items"]] == [bid]
    expect(table.locator(".el-table__body-wrapper tr.el-table__row")).to_have_count(1)
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-disputes-list.png"))

    # The workbench: both sides with their photos, the deposit paid, the timeline.
    settle(page)
    page.get_by_test_id(f"dispute-open-{bid}").click()
    expect(page).to_have_url(re.compile(rf"/admin/disputes/{bid}$"))
    expect(page.get_by_test_id("workbench-status")).to_have_text("纠纷处理中")
    expect(page.get_by_test_id("statements-client")).to_contain_text(opened)
    expect(page.get_by_test_id("statements-artist")).to_contain_text(answer)
    for side in ("client", "artist"):
        photo = page.get_by_test_id(f"statements-{side}").get_by_test_id("evidence-photo").locator("img").first
        expect(photo).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    expect(page.get_by_test_id("workbench-refundable")).to_have_text("¥2,400.00")
    expect(page.get_by_test_id("workbench-timeline")).to_contain_text("纠纷")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-dispute-workbench.png"), full_page=True)

    # 聊天记录: the pair's chat as typed, loaded only when the tab is opened (the access is audited).
    conv = client.post("/chat/conversations", {"peer_id": artist.id, "booking_id": bid})["id"]
    said = "曲目单我发你微信了，微信号 zhaodian2024，电话 13812345678"
    client.post(f"/chat/conversations/{conv}/messages", {"client_msg_id": str(uuid.uuid4()), "kind": "text",
                                                          "text": said, "booking_id": bid})
    with page.expect_response(lambda r: r.url.endswith(f"/admin/disputes/{bid}/chat")) as loaded:
        page.get_by_role("tab", name="聊天记录").click()
    assert loaded.value.ok, loaded.value.text()
    chat = page.get_by_test_id("workbench-chat")
    expect(chat.get_by_test_id("chat-message").filter(has_text=said)).to_have_count(1)
    expect(chat).to_contain_text("需求方")
    settle(page)
    chat.screenshot(path=str(screenshot_dir / "admin-dispute-chat.png"))

    # The ruling: a partial refund of ¥1,000 with a reason, confirmed.
    reason = "曲目调整未形成书面约定，双方各担一半，退还定金1000元"
    page.get_by_test_id("ruling-resolution").get_by_text("部分退款").click()
    amount = page.get_by_test_id("ruling-amount").locator("input")
    amount.fill("1000")
    amount.press("Tab")
    page.get_by_test_id("ruling-reason").fill(reason)  # on the <textarea>
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-dispute-ruling-form.png"))
    page.get_by_test_id("ruling-submit").click()
    box = page.locator(".el-message-box")
    expect(box).to_contain_text("¥1,000.00")
    with page.expect_response(lambda r: r.url.endswith(f"/admin/bookings/{bid}/actions/resolve_dispute")) as sent:
        box.get_by_role("button", name="提交裁决").click()
    assert sent.value.ok, sent.value.text()

    # Once the refund went through: the ruling, its reason, and the notifications both parties received.
    result = page.get_by_test_id("ruling-result")
    expect(result).to_contain_text("部分退款", timeout=20_000)
    expect(page.get_by_test_id("ruling-reason-text")).to_have_text(reason)
    notices = page.get_by_test_id("workbench-notices")
    expect(notices.get_by_test_id("notice-client").filter(has_text=reason)).to_have_count(1)
    expect(notices.get_by_test_id("notice-artist").filter(has_text=reason)).to_have_count(1)
    expect(page.get_by_test_id("workbench-refunds")).to_contain_text("¥1,000.00")
    settle(page)
    page.screenshot(path=str(screenshot_dir / "admin-dispute-ruled.png"), full_page=True)
    notices.screenshot(path=str(screenshot_dir / "admin-dispute-notices.png"))
    for party in (client, artist):  # each party's own notification centre
        assert any(reason in body for body in party.notes(bid)), party.notes(bid)

    page.get_by_role("button", name="返回纠纷列表").click()
    expect(table.locator("tr.el-table__row", has_text=f"#{bid}")).to_contain_text("已裁决")
