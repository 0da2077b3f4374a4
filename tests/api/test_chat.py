"""Chat through the API: opening the pair's conversation, sending (idempotent, ordered), history, reads, unread
counts, blocking, masking until a booking is confirmed, search, attachments, and the operator's dispute view."""

from __future__ import annotations

import asyncio
import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.models import AuditLog, Booking, BookingEvent, ChatMessage, Dispute, User
from domain.seed import CLIENTS, DEMO_CHAT, seed
from integrations.wechat.miniprogram import WechatMiniProgramAuth
from integrations.wechat.security import WechatContentSecurity
from tests.factories import insert_booking, upload, user_id
from tests.fakes.wechat_security import fake_wechat_security_api
from tests.helpers import V1, bearer, operator_token, register_artist, register_client, sms_login
from tests.storage.conftest import image_bytes, pdf_bytes

PHONE_TEXT = "我的电话 13812345678，微信 linwanqing88"


@dataclass
class Pair:
    client: str
    artist: str
    client_id: int
    artist_id: int
    conv: int


async def _pair(api: httpx.AsyncClient, n: int = 1) -> Pair:
    client = await register_client(api, f"1380000{n:04d}")
    artist = await register_artist(api, f"1390000{n:04d}")
    client_id, artist_id = await user_id(api, client), await user_id(api, artist)
    res = await api.post(f"{V1}/chat/conversations", headers=bearer(client), json={"peer_id": artist_id})
    assert res.status_code == 200, res.text
    return Pair(client, artist, client_id, artist_id, res.json()["id"])


async def _send(api: httpx.AsyncClient, token: str, conv: int, text: str | None = "您好", *, status: int = 201,
                **body: Any) -> dict:
    payload = {"client_msg_id": body.pop("client_msg_id", str(uuid.uuid4())), "kind": body.pop("kind", "text"),
               "text": text, **body}
    res = await api.post(f"{V1}/chat/conversations/{conv}/messages", headers=bearer(token), json=payload)
    assert res.status_code == status, res.text
    return dict(res.json())


async def _messages(api: httpx.AsyncClient, token: str, conv: int, **params: Any) -> dict:
    res = await api.get(f"{V1}/chat/conversations/{conv}/messages", headers=bearer(token), params=params)
    assert res.status_code == 200, res.text
    return dict(res.json())


async def test_one_conversation_per_pair_and_who_may_open_it(api: httpx.AsyncClient, db: Session) -> None:
    p = await _pair(api)
    again = await api.post(f"{V1}/chat/conversations", headers=bearer(p.client), json={"peer_id": p.artist_id})
    assert again.json()["id"] == p.conv
    conv = again.json()
    assert conv["peer"] == {"id": p.artist_id, "name": "林晚晴", "avatar_url": None, "role": "artist"}
    assert conv["last_message"] is None and conv["unread"] == 0 and not conv["contact_visible"]

    # An artist may not open a conversation with a client who never asked them.
    other_client = await register_client(api, "13800000099", org="明月文化传媒")
    other_id = await user_id(api, other_client)
    res = await api.post(f"{V1}/chat/conversations", headers=bearer(p.artist), json={"peer_id": other_id})
    assert res.status_code == 403 and res.json()["code"] == "chat_not_allowed"
    booking_id = insert_booking(db, other_id, p.artist_id)
    res = await api.post(f"{V1}/chat/conversations", headers=bearer(p.artist),
                         json={"peer_id": other_id, "booking_id": booking_id})
    assert res.status_code == 200, res.text
    assert res.json()["peer"]["name"] == "明月文化传媒" and res.json()["booking_id"] == booking_id
    # The client sees the same conversation from their side.
    mine = await api.post(f"{V1}/chat/conversations", headers=bearer(other_client), json={"peer_id": p.artist_id})
    assert mine.json()["id"] == res.json()["id"]

    # A booking of another pair, an artist who is not public, oneself: refused, nothing made.
    res = await api.post(f"{V1}/chat/conversations", headers=bearer(p.client),
                         json={"peer_id": p.artist_id, "booking_id": booking_id})
    assert res.status_code == 404 and res.json()["code"] == "booking_not_in_conversation"
    hidden = await register_artist(api, "13900000098", name="未上架", approve=False)
    res = await api.post(f"{V1}/chat/conversations", headers=bearer(p.client),
                         json={"peer_id": await user_id(api, hidden)})
    assert res.status_code == 404
    res = await api.post(f"{V1}/chat/conversations", headers=bearer(p.client), json={"peer_id": p.client_id})
    assert res.status_code == 404
    listed = (await api.get(f"{V1}/chat/conversations", headers=bearer(p.client))).json()
    assert listed["total"] == 1


async def test_send_history_and_idempotency(api: httpx.AsyncClient) -> None:
    p = await _pair(api)
    key = str(uuid.uuid4())
    first = await _send(api, p.client, p.conv, "第一条", client_msg_id=key)
    assert first["seq"] == 1 and first["sender_id"] == p.client_id and first["kind"] == "text"
    again = await _send(api, p.client, p.conv, "第一条", client_msg_id=key, status=200)
    assert again["id"] == first["id"]
    for i in range(2, 6):
        await _send(api, p.artist if i % 2 else p.client, p.conv, f"第{i}条")
    latest = await _messages(api, p.client, p.conv, limit=2)
    assert [m["seq"] for m in latest["items"]] == [4, 5] and latest["has_more"]
    older = await _messages(api, p.client, p.conv, before_seq=4, limit=10)
    assert [m["text"] for m in older["items"]] == ["第一条", "第2条", "第3条"] and not older["has_more"]
    newer = await _messages(api, p.artist, p.conv, after_seq=3)
    assert [m["seq"] for m in newer["items"]] == [4, 5]
    # The same key in another conversation of the same sender is a mistake, not a duplicate.
    other_artist = await register_artist(api, "13900000002", name="周小北")
    other = await api.post(f"{V1}/chat/conversations", headers=bearer(p.client),
                           json={"peer_id": await user_id(api, other_artist)})
    res = await api.post(f"{V1}/chat/conversations/{other.json()['id']}/messages", headers=bearer(p.client),
                         json={"client_msg_id": key, "kind": "text", "text": "第一条"})
    assert res.status_code == 409 and res.json()["code"] == "client_msg_id_reused"
    # Bad input: a 4xx, nothing stored.
    for body in ({"client_msg_id": "abcdefgh", "kind": "text"}, {"client_msg_id": "abcdefgh", "kind": "text",
                                                                  "text": "x" * 2001},
                 {"client_msg_id": "abcdefgh", "kind": "sticker", "text": "x"},
                 {"client_msg_id": "abcdefgh", "kind": "text", "text": "含\x00字符"}):
        res = await api.post(f"{V1}/chat/conversations/{p.conv}/messages", headers=bearer(p.client), json=body)
        assert res.status_code == 422, res.text
    res = await api.post(f"{V1}/chat/conversations/{p.conv}/messages", headers=bearer(p.client),
                         json={"client_msg_id": "abcdefgh", "kind": "text", "text": "来点赌博吗"})
    assert res.status_code == 422 and res.json()["code"] == "message_rejected"
    assert (await _messages(api, p.client, p.conv))["items"][-1]["seq"] == 5


async def test_concurrent_senders_get_distinct_consecutive_seqs(api: httpx.AsyncClient) -> None:
    p = await _pair(api)
    sent = await asyncio.gather(*(_send(api, p.client if i % 2 else p.artist, p.conv, f"并发{i}")
                                  for i in range(16)))
    assert sorted(m["seq"] for m in sent) == list(range(1, 17))
    items = (await _messages(api, p.client, p.conv, limit=100))["items"]
    assert [m["seq"] for m in items] == list(range(1, 17))
    assert [m["id"] for m in items] == sorted(m["id"] for m in items)  # ids grow with seq


async def test_a_sender_is_slowed_down_after_30_messages_a_minute(api: httpx.AsyncClient, db: Session) -> None:
    p = await _pair(api)
    for i in range(30):
        await _send(api, p.client, p.conv, f"刷屏{i}")
    assert (await _send(api, p.client, p.conv, "第31条", status=429))["code"] == "chat_too_frequent"
    await _send(api, p.artist, p.conv, "对方照常发送")  # per sender
    db.execute(update(ChatMessage).values(created_at=ChatMessage.created_at - timedelta(minutes=2)))
    db.commit()
    await _send(api, p.client, p.conv, "一分钟后")


async def test_a_third_user_can_neither_read_nor_post(api: httpx.AsyncClient) -> None:
    p = await _pair(api)
    await _send(api, p.client, p.conv, "只给艺人看")
    stranger = await register_client(api, "13800000077", org="旁人公司")
    other_artist = await register_artist(api, "13900000077", name="旁人")
    no_role = (await sms_login(api, "13600000077"))["access_token"]
    for token in (stranger, other_artist, no_role):
        for method, path, body in [
            ("GET", f"/chat/conversations/{p.conv}", None),
            ("GET", f"/chat/conversations/{p.conv}/messages", None),
            ("POST", f"/chat/conversations/{p.conv}/messages", {"client_msg_id": "zzzzzzzz", "kind": "text",
                                                                "text": "插话"}),
            ("POST", f"/chat/conversations/{p.conv}/read", {"seq": 1}),
            ("POST", f"/chat/conversations/{p.conv}/block", None),
        ]:
            res = await api.request(method, f"{V1}{path}", headers=bearer(token), json=body)
            assert res.status_code == 404, (path, res.text)
        hits = (await api.get(f"{V1}/chat/search", headers=bearer(token), params={"q": "艺人"})).json()
        assert hits["total"] == 0
    # The artist acting as a client (another role of the same account) does not see their artist chats.
    assert (await _messages(api, p.artist, p.conv))["items"][0]["text"] == "只给艺人看"
    assert (await api.get(f"{V1}/chat/conversations/{p.conv}")).status_code == 401


async def test_contacts_masked_until_a_booking_of_the_pair_is_confirmed(api: httpx.AsyncClient,
                                                                        db: Session) -> None:
    p = await _pair(api)
    sent = await _send(api, p.artist, p.conv, PHONE_TEXT)
    assert sent["text"] == PHONE_TEXT  # the sender sees what they typed
    seen = (await _messages(api, p.client, p.conv))["items"][0]
    assert "13812345678" not in seen["text"] and "138****5678" in seen["text"]
    assert "linwanqing88" not in seen["text"]
    assert not (await api.get(f"{V1}/chat/conversations/{p.conv}", headers=bearer(p.client))).json()[
        "contact_visible"]
    booking_id = insert_booking(db, p.client_id, p.artist_id)  # REQUESTED: not yet
    assert "138****5678" in (await _messages(api, p.client, p.conv))["items"][0]["text"]
    db.execute(update(Booking).where(Booking.id == booking_id).values(status="CONFIRMED"))
    db.commit()
    conv = (await api.get(f"{V1}/chat/conversations/{p.conv}", headers=bearer(p.client))).json()
    assert conv["contact_visible"] and conv["booking_id"] == booking_id
    assert (await _messages(api, p.client, p.conv))["items"][0]["text"] == PHONE_TEXT  # old messages too
    # A booking that was confirmed and then cancelled keeps contacts visible (it got there).
    db.execute(update(Booking).where(Booking.id == booking_id).values(status="CANCELLED"))
    db.add(BookingEvent(booking_id=booking_id, step="100-confirm", action="confirm", actor_role="artist",
                        actor_id=p.artist_id, from_status="REQUESTED", to_status="CONFIRMED"))
    db.commit()
    assert (await _messages(api, p.client, p.conv))["items"][0]["text"] == PHONE_TEXT


async def test_unread_counts_and_read_cursor(api: httpx.AsyncClient) -> None:
    p = await _pair(api)
    for i in range(3):
        await _send(api, p.artist, p.conv, f"消息{i}")
    await _send(api, p.client, p.conv, "收到")
    unread = (await api.get(f"{V1}/chat/unread-count", headers=bearer(p.client))).json()
    assert unread == {"unread_total": 3}
    listed = (await api.get(f"{V1}/chat/conversations", headers=bearer(p.client))).json()
    assert listed["unread_total"] == 3 and listed["items"][0]["unread"] == 3
    assert listed["items"][0]["last_message"]["text"] == "收到"
    assert (await api.get(f"{V1}/chat/unread-count", headers=bearer(p.artist))).json()["unread_total"] == 1
    mine = (await _messages(api, p.client, p.conv))["items"][-1]
    assert not mine["read_by_peer"]
    res = await api.post(f"{V1}/chat/conversations/{p.conv}/read", headers=bearer(p.client), json={"seq": 2})
    assert res.status_code == 204
    assert (await api.get(f"{V1}/chat/unread-count", headers=bearer(p.client))).json()["unread_total"] == 1
    await api.post(f"{V1}/chat/conversations/{p.conv}/read", headers=bearer(p.client), json={"seq": 1})  # no way back
    assert (await api.get(f"{V1}/chat/unread-count", headers=bearer(p.client))).json()["unread_total"] == 1
    await api.post(f"{V1}/chat/conversations/{p.conv}/read", headers=bearer(p.artist), json={"seq": 99})
    assert (await _messages(api, p.client, p.conv))["items"][-1]["read_by_peer"]


async def test_a_blocked_peer_cannot_send(api: httpx.AsyncClient) -> None:
    p = await _pair(api)
    res = await api.post(f"{V1}/chat/conversations/{p.conv}/block", headers=bearer(p.client))
    assert res.status_code == 200 and res.json()["blocked"] and not res.json()["blocked_by_peer"]
    peer_view = (await api.get(f"{V1}/chat/conversations/{p.conv}", headers=bearer(p.artist))).json()
    assert peer_view["blocked_by_peer"]
    refused = await _send(api, p.artist, p.conv, "在吗", status=409)
    assert refused["code"] == "conversation_blocked"
    assert (await _send(api, p.client, p.conv, "先屏蔽", status=409))["code"] == "conversation_blocked"
    assert (await _messages(api, p.client, p.conv))["items"] == []
    res = await api.delete(f"{V1}/chat/conversations/{p.conv}/block", headers=bearer(p.client))
    assert res.status_code == 200 and not res.json()["blocked"]
    await _send(api, p.artist, p.conv, "在吗")


async def test_search_finds_a_chinese_word_in_an_old_message(api: httpx.AsyncClient) -> None:
    p = await _pair(api)
    await _send(api, p.client, p.conv, "我们公司年会想请您表演两首歌，场地在国家会议中心")
    for i in range(40):
        await _send(api, p.artist if i % 2 else p.client, p.conv, f"别的话题{i}")
    hits = (await api.get(f"{V1}/chat/search", headers=bearer(p.artist), params={"q": "年会"})).json()
    assert hits["total"] == 1
    assert hits["items"][0]["message"]["seq"] == 1 and hits["items"][0]["conversation"]["id"] == p.conv
    hits = (await api.get(f"{V1}/chat/search", headers=bearer(p.client), params={"q": "会议中心 表演"})).json()
    assert hits["total"] == 1
    assert (await api.get(f"{V1}/chat/search", headers=bearer(p.client), params={"q": "婚礼"})).json()["total"] == 0
    res = await api.get(f"{V1}/chat/search", headers=bearer(p.client), params={"q": ""})
    assert res.status_code == 422
    # A guessed phone number finds nothing (the index holds text masked), while the words around it do.
    await _send(api, p.artist, p.conv, PHONE_TEXT)
    for q, total in (("13812345678", 0), ("linwanqing88", 0), ("电话", 1)):
        assert (await api.get(f"{V1}/chat/search", headers=bearer(p.client), params={"q": q})).json()["total"] == total


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def mp3(seconds: float) -> bytes:
    """Silent MPEG-1 Layer III at 128 kbps / 44.1 kHz: 417-byte frames of 1152 samples (26.1 ms) each."""
    return (b"\xff\xfb\x90\x64" + b"\x00" * 413) * round(seconds * 44_100 / 1152)


MP3 = mp3(5.2)


async def test_attachments(api: httpx.AsyncClient, ctx: Any) -> None:
    p = await _pair(api)
    image = await upload(api, p.client, "chat_image", "image/png", image_bytes("PNG", (64, 48)))
    sent = await _send(api, p.client, p.conv, None, kind="image", upload_id=image)
    assert sent["text"] is None and sent["attachment"]["mime"] == "image/png"
    got = await api.get(sent["attachment"]["url"])  # a signed link the peer can open
    assert got.status_code == 200 and got.content.startswith(b"\x89PNG")
    voice = await upload(api, p.artist, "chat_voice", "audio/mpeg", MP3)
    sent = await _send(api, p.artist, p.conv, None, kind="voice", upload_id=voice, duration_ms=5200)
    assert sent["attachment"]["duration_ms"] == 5200 and sent["attachment"]["mime"] == "audio/mpeg"
    doc = await upload(api, p.client, "chat_file", "application/vnd.openxmlformats-officedocument."
                       "wordprocessingml.document", _docx())
    sent = await _send(api, p.client, p.conv, None, kind="file", upload_id=doc, name="演出流程.docx")
    assert sent["attachment"]["name"] == "演出流程.docx" and sent["attachment"]["mime"].endswith("document")
    pdf = await upload(api, p.client, "chat_file", "application/pdf", pdf_bytes())
    hits = await _send(api, p.client, p.conv, None, kind="file", upload_id=pdf, name="报价单 13812345678.pdf")
    assert hits["attachment"]["name"] == "报价单 13812345678.pdf"
    seen = (await _messages(api, p.artist, p.conv))["items"][-1]["attachment"]["name"]
    assert seen == "报价单 138****5678.pdf"  # the name is masked like text
    assert (await api.get(f"{V1}/chat/search", headers=bearer(p.artist), params={"q": "报价单"})).json()["total"] == 1

    # Wrong content is refused at upload, judged by the bytes.
    for purpose, mime, data in [("chat_image", "image/png", b"not an image at all"),
                                ("chat_voice", "audio/mpeg", image_bytes("PNG", (8, 8))),
                                ("chat_file", "application/pdf", b"PK\x03\x04" + b"\x00" * 60),
                                ("chat_file", "application/vnd.openxmlformats-officedocument.wordprocessingml."
                                              "document", _zip_of("notes.txt"))]:
        intent = (await api.post(f"{V1}/uploads/intent", headers=bearer(p.client),
                                 json={"purpose": purpose, "content_type": mime})).json()
        res = await api.post(intent["url"], headers=bearer(p.client), data=intent["fields"],
                             files={intent["file_field"]: ("f", data, mime)})
        assert res.status_code == 415, (purpose, res.text)
    # Someone else's upload, an upload of another kind, a voice without or over its length: refused.
    assert (await _send(api, p.artist, p.conv, None, kind="image", upload_id=image, status=404))[
        "code"] == "upload_not_found"
    assert (await _send(api, p.client, p.conv, None, kind="image", upload_id=doc, status=422))[
        "code"] == "attachment_mismatch"
    voice2 = await upload(api, p.client, "chat_voice", "audio/mpeg", MP3)
    await _send(api, p.client, p.conv, None, kind="voice", upload_id=voice2, status=422)
    await _send(api, p.client, p.conv, None, kind="voice", upload_id=voice2, duration_ms=61_000, status=422)
    await _send(api, p.client, p.conv, "文字", kind="text", upload_id=image, status=422)
    # A voice is judged by its frames: over 60 s, or no audio at all behind an mp3 header, is refused.
    for data, status in [(mp3(70), 422), (b"\xff\xfb\x90\x64" + b"\x01" * 300, 415)]:
        intent = (await api.post(f"{V1}/uploads/intent", headers=bearer(p.client),
                                  json={"purpose": "chat_voice", "content_type": "audio/mpeg"})).json()
        res = await api.post(intent["url"], headers=bearer(p.client), data=intent["fields"],
                             files={intent["file_field"]: ("v.mp3", data, "audio/mpeg")})
        assert res.status_code == status, res.text
    assert res.status_code == 415
    big = await api.post(f"{V1}/uploads/intent", headers=bearer(p.client),
                         json={"purpose": "chat_voice", "content_type": "audio/mpeg"})
    assert big.json()["max_bytes"] == 2 * 1024 * 1024


def _zip_of(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, "hello")
    return buf.getvalue()


async def test_operator_reads_a_disputed_pair_unmasked_and_the_access_is_audited(api: httpx.AsyncClient,
                                                                                   db: Session) -> None:
    p = await _pair(api)
    await _send(api, p.artist, p.conv, PHONE_TEXT)
    booking_id = insert_booking(db, p.client_id, p.artist_id, status="DISPUTED")
    ops = await operator_token(api, db)
    undisputed = insert_booking(db, p.client_id, p.artist_id)
    res = await api.get(f"{V1}/admin/disputes/{undisputed}/chat", headers=bearer(ops))
    assert res.status_code == 404
    db.add(Dispute(booking_id=booking_id, step="900-dispute", opened_by_role="client", opened_by_id=p.client_id,
                   reason="演出时长不足", from_status="FULLY_PAID"))
    db.commit()
    res = await api.get(f"{V1}/admin/disputes/{booking_id}/chat", headers=bearer(ops))
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["items"][0]["text"] == PHONE_TEXT  # as typed
    assert body["client"]["id"] == p.client_id and body["artist"]["name"] == "林晚晴"
    logs = db.scalars(select(AuditLog).where(AuditLog.target_type == "booking",
                                             AuditLog.target_id == str(booking_id))).all()
    assert [log.action for log in logs] == ["查看聊天记录"]
    # The parties themselves cannot use the console route.
    assert (await api.get(f"{V1}/admin/disputes/{booking_id}/chat", headers=bearer(p.client))).status_code == 403




async def test_the_demo_data_has_a_conversation(api: httpx.AsyncClient, db: Session, ctx: Any) -> None:
    seed(db, ctx.cipher)
    seed(db, ctx.cipher)  # idempotent: nothing twice
    db.commit()
    planner = (await sms_login(api, CLIENTS[1][0]))["access_token"]
    listed = (await api.get(f"{V1}/chat/conversations", headers=bearer(planner))).json()
    assert listed["total"] == 1 and listed["items"][0]["peer"]["name"] == "刘思琪"
    assert listed["unread_total"] == 0  # read: the seeded accounts' badges stay as browser tests expect
    items = (await _messages(api, planner, listed["items"][0]["id"]))["items"]
    assert [m["text"] for m in items] == [text for _, text in DEMO_CHAT]


async def test_text_goes_through_wechat_msg_sec_check(api: httpx.AsyncClient, db: Session, ctx: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The real adapter against the loopback WeChat fake: the sender's openid, scene 2 (评论), v2; risky is refused,
    and a check that can't be made (WeChat busy) lets the message through (the other side can still report it)."""
    with fake_wechat_security_api() as wx:
        wx.risky_words["办假证"] = 20006
        auth = WechatMiniProgramAuth(wx.appid, wx.secret, api_base=wx.base_url, timeout=2)
        monkeypatch.setattr(ctx, "content_security", WechatContentSecurity(auth, push_token=wx.push_token))
        p = await _pair(api)
        db.execute(update(User).where(User.id == p.client_id).values(wechat_openid="o-client-chat"))
        db.commit()
        await _send(api, p.client, p.conv, "周六下午方便通个电话吗？")
        check = wx.text_checks[-1]
        assert (check["openid"], check["scene"], check["version"], check["content"]) == (
            "o-client-chat", 2, 2, "周六下午方便通个电话吗？")
        refused = await _send(api, p.client, p.conv, "需要办假证吗", status=422)
        assert refused["code"] == "message_rejected" and "违法犯罪" in refused["message"]
        wx.next_errors.append(-1)
        await _send(api, p.client, p.conv, "系统繁忙时也能发出")
    texts = [m["text"] for m in (await _messages(api, p.artist, p.conv))["items"]]
    assert texts == ["周六下午方便通个电话吗？", "系统繁忙时也能发出"]
