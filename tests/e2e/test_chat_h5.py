"""私信 in the mini-program's H5 build (Chromium, 390×844), two browser contexts side by side: a seeded client opens
the chat from an artist's page and sends a text, a photo and a PDF; the artist, waiting on the 消息 tab, sees the
conversation arrive live with its unread badges, opens it (the client's messages turn 已读 live) and answers; the
client sees the answer arrive without reloading, then finds a Chinese word in 搜索聊天记录 and lands on it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, WebSocketRoute, expect

from domain.seed import stage_picture
from tests.e2e.booking_stack import unmarked_show_start
from tests.e2e.h5 import PHONE_VIEWPORT, confirm_modal, fill, overflowing, shot, sms_login_h5, t
from tests.e2e.test_admin_disputes import Party

pytestmark = pytest.mark.e2e

V1 = "/api/v1"
CLIENT = "13800000001"  # domain/seed.py CLIENTS[0]: 星河科技有限公司 (王经理), verified
ARTIST = "13900000027"  # domain/seed.py ARTISTS[26]: 沙画师阿岚, verified; no other browser test uses this artist
ARTIST_NAME = "沙画师阿岚"
ASK = "您好，我们公司年会想请您现场沙画表演，十二月二十日晚上有档期吗？"
ANSWER = "您好！二十日晚上可以，沙画主题可以按贵司的发展故事定制。"
WHILE_AWAY = ("报价单稍后发您，请注意查收。", "另外需要提前一小时进场布置。")


class SocketTap:
    """The client page's chat socket through Playwright's WebSocket routing: frames the page sends are recorded,
    `drop()` closes the live connection as a network failure would, and while `holding` every reconnect is refused."""

    def __init__(self, page: Page) -> None:
        self.sent: list[dict[str, object]] = []
        self.live: list[WebSocketRoute] = []
        self.holding = False
        page.route_web_socket(re.compile(r"/api/v1/chat/ws$"), self._route)

    def _route(self, ws: WebSocketRoute) -> None:
        if self.holding:
            ws.close(code=4000, reason="offline")
            return
        server = ws.connect_to_server()

        def forward(message: str | bytes) -> None:
            if isinstance(message, str):
                self.sent.append(json.loads(message))
            server.send(message)

        ws.on_message(forward)
        self.live.append(ws)

    def drop(self) -> None:
        self.holding = True
        for ws in self.live:
            ws.close(code=4000, reason="offline")
        self.live.clear()

    def syncs(self) -> list[object]:
        return [f.get("after_id") for f in self.sent if f.get("type") == "sync"]


def _storage(page: Page, key: str) -> object:
    """A value of the H5 app's uni storage (uni wraps each value as {"type", "data"})."""
    raw = page.evaluate("k => localStorage.getItem(k)", key)
    assert isinstance(raw, str), (key, raw)
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return value["data"] if isinstance(value, dict) and "data" in value else value


def _pdf() -> bytes:
    """A one-page PDF (the server judges a chat file by its bytes)."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=14)
    doc.cell(text="Annual party brief")
    return bytes(doc.output())


def _long_press(page: Page, target: Locator) -> None:
    """A finger held on an element: uni's H5 runtime turns a touchstart held for 350 ms into `longpress`."""
    target.evaluate("""el => {
        const r = el.getBoundingClientRect();
        const touch = new Touch({identifier: 1, target: el, clientX: r.x + 5, clientY: r.y + 5,
                                 pageX: r.x + 5, pageY: r.y + 5});
        el.dispatchEvent(new TouchEvent('touchstart', {touches: [touch], targetTouches: [touch],
                                                       changedTouches: [touch], bubbles: true}));
    }""")
    page.wait_for_timeout(500)
    target.evaluate("""el => el.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [],
                                                                       bubbles: true}))""")


def _bubble(page: Page, text: str) -> Locator:
    return page.locator('[data-test^="msg-bubble-text"]').filter(has_text=text)


def test_client_and_artist_chat_live_on_h5(platform_url: str, page: Page, artist_page: Page, screenshot_dir: Path,
                                           tmp_path: Path) -> None:
    api = platform_url
    client, artist = page, artist_page
    for p in (client, artist):
        p.set_viewport_size(PHONE_VIEWPORT)
    tap = SocketTap(client)
    sms_login_h5(artist, api, ARTIST)
    sms_login_h5(client, api, CLIENT)
    artist_me = _storage(artist, "yanyue.me")
    assert isinstance(artist_me, dict) and artist_me["acting_role"] == "artist", artist_me
    artist_id = int(artist_me["id"])
    headers = {"Authorization": f"Bearer {_storage(artist, 'yanyue.access_token')}"}

    # The artist waits on the 消息 tab (私信 is the first segment); the socket is up once the list has loaded.
    artist.goto(f"{api}/h5/#/pages/messages/index")
    expect(t(artist, "segment-chats")).to_be_visible()
    expect(t(artist, "chat-list")).to_be_visible()
    with httpx.Client(base_url=api, timeout=30, trust_env=False) as http:
        unread_before = http.get(f"{V1}/chat/unread-count", headers=headers).json()["unread_total"]

    # --- the client opens the chat from the artist's page: contacts are masked until a booking is confirmed.
    client.goto(f"{api}/h5/#/pages/artist/detail?id={artist_id}")
    expect(t(client, "chat-open")).to_be_visible()
    with client.expect_response(lambda r: r.url.endswith("/chat/conversations") and r.request.method == "POST") as op:
        t(client, "chat-open").click()
    assert op.value.ok, op.value.text()
    conversation_id = op.value.json()["id"]
    expect(t(client, "chat-masked")).to_contain_text("未确认预约前，联系方式将被隐藏")

    fill(client, t(client, "chat-input").locator("input"), ASK)
    with client.expect_response(lambda r: r.url.endswith("/messages") and r.request.method == "POST") as sent:
        t(client, "chat-send").click()
    assert sent.value.status == 201, sent.value.text()
    asked = sent.value.json()
    expect(_bubble(client, ASK)).to_have_count(1)
    expect(t(client, f"msg-receipt-{asked['id']}")).to_have_text("未读")

    photo = tmp_path / "沙画现场.jpg"
    photo.write_bytes(stage_picture(27))
    t(client, "chat-more").click()
    with client.expect_file_chooser() as chooser:
        t(client, "chat-pick-image").click()
    with client.expect_response(lambda r: r.url.endswith("/messages") and r.request.method == "POST",
                                timeout=30_000) as sent_image:
        chooser.value.set_files(str(photo))
    assert sent_image.value.status == 201, sent_image.value.text()
    image_msg = sent_image.value.json()
    assert image_msg["kind"] == "image" and image_msg["attachment"]["mime"].startswith("image/")
    expect(t(client, f"msg-{image_msg['id']}").locator('[data-test="msg-image"]')).to_be_visible()
    expect(t(client, "pending-sending")).to_have_count(0)

    brief = tmp_path / "演出需求.pdf"
    brief.write_bytes(_pdf())
    t(client, "chat-more").click()
    with client.expect_file_chooser() as chooser:
        t(client, "chat-pick-file").click()
    with client.expect_response(lambda r: r.url.endswith("/messages") and r.request.method == "POST",
                                timeout=30_000) as sent_file:
        chooser.value.set_files(str(brief))
    assert sent_file.value.status == 201, sent_file.value.text()
    file_msg = sent_file.value.json()
    assert file_msg["kind"] == "file" and file_msg["attachment"]["name"] == "演出需求.pdf", file_msg
    expect(t(client, f"msg-{file_msg['id']}").locator('[data-test="msg-file"]')).to_contain_text("演出需求.pdf")

    # --- the artist's list got the conversation live: unread on the row, the segment and the tab badge.
    row = t(artist, f"convo-{conversation_id}")
    expect(row).to_be_visible(timeout=15_000)
    expect(row.locator('[data-test="convo-peer"]')).to_have_text(re.compile("王经理|星河"))
    expect(row.locator('[data-test="convo-preview"]')).to_have_text("[文件] 演出需求.pdf")
    expect(t(artist, f"convo-unread-{conversation_id}")).to_have_text("3")
    expect(t(artist, "chat-unread-total")).to_have_text(str(unread_before + 3))
    badge = artist.locator(".uni-tabbar__badge")
    expect(badge).to_be_visible()
    assert int(badge.inner_text()) >= unread_before + 3
    assert not overflowing(artist), overflowing(artist)
    shot(artist, screenshot_dir / "h5-chat-list.png")

    # --- the artist reads them; the client's messages turn 已读 without a reload.
    row.click()
    expect(_bubble(artist, ASK)).to_have_count(1)
    expect(t(artist, f"msg-{image_msg['id']}").locator('[data-test="msg-image"]')).to_be_visible()
    expect(t(artist, f"msg-{file_msg['id']}").locator('[data-test="msg-file"]')).to_contain_text("演出需求.pdf")
    expect(t(artist, "chat-masked")).to_be_visible()
    expect(t(client, f"msg-receipt-{asked['id']}")).to_have_text("已读", timeout=15_000)
    expect(t(client, f"msg-receipt-{file_msg['id']}")).to_have_text("已读")

    fill(artist, t(artist, "chat-input").locator("input"), ANSWER)
    with artist.expect_response(lambda r: r.url.endswith("/messages") and r.request.method == "POST") as answered:
        t(artist, "chat-send").click()
    assert answered.value.status == 201, answered.value.text()
    expect(_bubble(client, ANSWER)).to_have_count(1, timeout=15_000)  # live, on the page already open
    expect(t(artist, f"msg-receipt-{answered.value.json()['id']}")).to_have_text("已读", timeout=15_000)
    assert not overflowing(client), overflowing(client)
    shot(client, screenshot_dir / "h5-chat-conversation.png")

    with httpx.Client(base_url=api, timeout=30, trust_env=False) as http:
        assert http.get(f"{V1}/chat/unread-count", headers=headers).json()["unread_total"] == unread_before

    # --- the client's connection drops; what the artist sends meanwhile arrives once after the reconnect, which
    # syncs from the last message the client had seen.
    last_seen = answered.value.json()["id"]
    tap.drop()
    away_ids = []
    for line in WHILE_AWAY:
        fill(artist, t(artist, "chat-input").locator("input"), line)
        with artist.expect_response(lambda r: r.url.endswith("/messages") and r.request.method == "POST") as sent:
            t(artist, "chat-send").click()
        assert sent.value.status == 201, sent.value.text()
        away_ids.append(sent.value.json()["id"])
    client.wait_for_timeout(1500)
    for line in WHILE_AWAY:
        expect(_bubble(client, line)).to_have_count(0)
    tap.holding = False
    for line in WHILE_AWAY:
        expect(_bubble(client, line)).to_have_count(1, timeout=40_000)
    assert tap.syncs()[-1] == last_seen, tap.syncs()
    for mid in away_ids:
        expect(t(client, f"msg-{mid}")).to_have_count(1)

    # --- the artist blocks the client: the client's send is refused and says why; unblocking lets it through.
    t(artist, "chat-block").click()
    confirm_modal(artist, "屏蔽对方")
    expect(t(artist, "chat-blocked")).to_be_visible()
    fill(client, t(client, "chat-input").locator("input"), "收到，谢谢！")
    with client.expect_response(lambda r: r.url.endswith("/messages") and r.request.method == "POST") as refused:
        t(client, "chat-send").click()
    assert refused.value.status == 409 and refused.value.json()["code"] == "conversation_blocked"
    expect(client.locator("uni-toast")).to_contain_text("屏蔽")
    expect(t(client, "chat-blocked-by-peer")).to_be_visible()
    expect(t(client, "pending-retry")).to_be_visible()
    t(artist, "chat-block").click()  # 取消屏蔽
    expect(t(artist, "chat-blocked")).to_have_count(0)
    with client.expect_response(lambda r: r.url.endswith("/messages") and r.request.method == "POST") as retried:
        t(client, "pending-retry").click()
    assert retried.value.status == 201, retried.value.text()
    expect(_bubble(artist, "收到，谢谢！")).to_have_count(1, timeout=15_000)

    # --- a long press on the client's message offers 投诉, which opens the complaint form about that message.
    _long_press(artist, _bubble(artist, ASK))
    sheet = artist.locator(".uni-actionsheet")
    expect(sheet).to_be_visible()
    expect(sheet.locator(".uni-actionsheet__cell")).to_have_text(["复制", "投诉", "取消"])
    sheet.locator(".uni-actionsheet__cell").filter(has_text="投诉").click()
    expect(artist).to_have_url(re.compile(rf"/pages/complaints/new\?target_type=message&target_id={asked['id']}$"))
    expect(t(artist, "complaint-target")).to_be_visible()

    # --- an inquiry makes an order: the artist's 联系对方 opens the same conversation, about that order. A phone
    # number in a message stays masked for the reader until the artist confirms the booking.
    with httpx.Client(base_url=api, timeout=30, trust_env=False) as http:
        client_party = Party(http, CLIENT, str(_storage(client, "yanyue.access_token")))
        artist_party = Party(http, ARTIST, str(_storage(artist, "yanyue.access_token")))
        start = unmarked_show_start()
        bid = int(client_party.post("/inquiries", {
            "artist_ids": [artist_id], "event_type": "年会", "start_at": start.isoformat(),
            "end_at": (start + timedelta(hours=2)).isoformat(), "city": "杭州", "venue_address": "西湖区文三路1号",
            "audience_size": 300, "requirements": "沙画主题：公司十年", "budget_amount": 1_000_000,
            "contact_name": "王经理", "contact_phone": CLIENT})["bookings"][0]["id"])
        artist.goto("about:blank")
        artist.goto(f"{api}/h5/#/subpkg/booking/order?id={bid}")
        t(artist, "order-link-chat").click()
        expect(t(artist, "chat-order")).to_have_text(f"订单 #{bid}")
        expect(t(artist, f"msg-{asked['id']}")).to_be_visible()  # the same conversation
        phone_text = f"方便的话打我电话 {CLIENT} 详谈"
        fill(client, t(client, "chat-input").locator("input"), phone_text)
        t(client, "chat-send").click()
        expect(_bubble(client, phone_text)).to_have_count(1)  # the sender sees their own words
        masked = artist.locator('[data-test^="msg-bubble-text"]').filter(has_text="详谈")
        expect(masked).to_have_count(1, timeout=15_000)
        assert CLIENT not in masked.inner_text(), masked.inner_text()
        expect(t(artist, "chat-masked")).to_be_visible()
        shot(artist, screenshot_dir / "h5-chat-order-masked.png")
        artist_party.act(bid, "confirm", {"quote": {"fee_amount": 800_000, "deposit_percent": 30,
                                                    "balance_due_days": 3}})
    artist.reload()
    expect(_bubble(artist, phone_text)).to_have_count(1, timeout=15_000)
    expect(t(artist, "chat-masked")).to_have_count(0)

    # --- 搜索聊天记录 finds a Chinese word of the first message and opens the chat at it.
    t(client, "chat-search").click()
    fill(client, t(client, "chat-search-input").locator("input"), "沙画")
    with client.expect_response(lambda r: "/chat/search" in r.url) as found:
        t(client, "chat-search-submit").click()
    assert found.value.ok, found.value.text()
    hit = t(client, f"chat-hit-{asked['id']}")
    expect(hit).to_be_visible()
    expect(hit).to_contain_text(ARTIST_NAME)
    shot(client, screenshot_dir / "h5-chat-search.png")
    hit.click()
    expect(t(client, f"msg-{asked['id']}")).to_have_class(re.compile("msg--hit"))

    # What the artist says from the order is about that order: both sides see where the talk turns to it.
    fill(artist, t(artist, "chat-input").locator("input"), "已确认档期，合同稍后发您")
    t(artist, "chat-send").click()
    expect(_bubble(client, "已确认档期，合同稍后发您")).to_have_count(1, timeout=15_000)
    for p in (artist, client):
        expect(t(p, f"msg-order-{bid}")).to_have_text(f"关于订单 #{bid} ›")
    shot(client, screenshot_dir / "h5-chat-order-context.png")
