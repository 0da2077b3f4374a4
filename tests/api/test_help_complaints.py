"""帮助中心 and 投诉与反馈 through the API: Chinese search inside an article body, operators' article editing; a
complaint with photos about one's own order (refused about someone else's, with another user's photo, or twice
while open), nobody else reads it, and the console's assign → reply → resolve flow reaching the user's thread and
notifications."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.models import ChatConversation, ChatMember, ChatMessage, Complaint, Notification
from domain.support.help import SEED_ARTICLES, seed_articles
from tests.factories import completed_booking, upload, user_id
from tests.helpers import V1, bearer, operator_token, register_artist, register_client


async def test_help_centre_search_finds_a_chinese_word_inside_a_body(api: httpx.AsyncClient, db: Session):
    assert seed_articles(db) == len(SEED_ARTICLES)
    db.commit()
    assert seed_articles(db) == 0  # once

    cats = (await api.get(f"{V1}/help/categories")).json()
    assert [c["label"] for c in cats][:3] == ["预约下单", "支付与退款", "合同与签约"]
    assert all(c["article_count"] > 0 for c in cats)

    # 原路退回 sits inside the refund article's body, not its title; 婉拒 likewise in another one.
    found = (await api.get(f"{V1}/help/articles", params={"q": "原路退回"})).json()
    assert [a["title"] for a in found] == ["取消订单后如何退款？"]
    found = (await api.get(f"{V1}/help/articles", params={"q": "婉拒"})).json()
    assert [a["title"] for a in found] == ["艺人多久会回复我的询价？"]
    assert (await api.get(f"{V1}/help/articles", params={"q": "退款 发票"})).json() == []
    assert {a["category"] for a in (await api.get(f"{V1}/help/articles", params={"category": "payment"})).json()} \
        == {"payment"}
    assert (await api.get(f"{V1}/help/articles", params={"category": "nope"})).status_code == 422

    ops = await operator_token(api, db)
    made = await api.post(f"{V1}/admin/help/articles", headers=bearer(ops), json={
        "category": "account", "title": "忘记手机号怎么办", "body": "请联系客服核实身份后换绑。", "published": False})
    assert made.status_code == 201, made.text
    aid = made.json()["id"]
    assert (await api.get(f"{V1}/help/articles/{aid}")).status_code == 404  # a draft is not public
    assert (await api.get(f"{V1}/help/articles", params={"q": "换绑"})).json() == []
    edited = await api.put(f"{V1}/admin/help/articles/{aid}", headers=bearer(ops), json={
        "category": "account", "title": "忘记手机号怎么办", "body": "请联系客服核实身份后换绑新手机号。"})
    assert edited.status_code == 200 and edited.json()["published"] is True
    assert [a["id"] for a in (await api.get(f"{V1}/help/articles", params={"q": "换绑"})).json()] == [aid]
    article = (await api.get(f"{V1}/help/articles/{aid}")).json()
    assert article["body"] == "请联系客服核实身份后换绑新手机号。" and article["category_label"] == "账号与安全"
    assert (await api.delete(f"{V1}/admin/help/articles/{aid}", headers=bearer(ops))).status_code == 204
    assert (await api.get(f"{V1}/help/articles/{aid}")).status_code == 404
    bad = await api.post(f"{V1}/admin/help/articles", headers=bearer(ops), json={
        "category": "booking", "title": "", "body": "x"})
    assert bad.status_code == 422


async def test_complaint_ticket_from_filing_to_result(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800001301")
    other = await register_client(api, "13800001302", org="明月文化传媒")
    artist = await register_artist(api, "13900001301")
    cid, aid = await user_id(api, client), await user_id(api, artist)
    booking = completed_booking(db, cid, aid)
    photo = await upload(api, client, "evidence")
    others_photo = await upload(api, other, "evidence")
    case_photo = await upload(api, client, "case_image")

    def body(**over: object) -> dict:
        return {"target_type": "order", "target_id": booking, "category": "breach",
                "body": "艺人迟到四十分钟，开场被迫推迟", "photos": [photo], **over}

    # What a user may not file: someone else's order, another user's photo or another kind of upload, seven
    # photos, an unknown category, a complaint about oneself. Nothing is written.
    assert (await api.post(f"{V1}/complaints", headers=bearer(other), json=body(photos=[]))).status_code == 404
    for bad, status in ((body(photos=[others_photo]), 422), (body(photos=[case_photo]), 422),
                        (body(photos=[photo] * 7), 422), (body(category="angry"), 422),
                        (body(target_type="client", target_id=cid, photos=[]), 422),
                        (body(target_type="artist", target_id=999_999, photos=[]), 404),
                        (body(body="\x00"), 422)):
        res = await api.post(f"{V1}/complaints", headers=bearer(client), json=bad)
        assert res.status_code == status, (bad, res.text)
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0

    filed = await api.post(f"{V1}/complaints", headers=bearer(client), json=body())
    assert filed.status_code == 201, filed.text
    c = filed.json()
    assert (c["status"], c["status_label"], c["target"]["title"]) == ("pending", "待处理", f"订单 #{booking} · 林晚晴")
    assert len(c["photo_urls"]) == 1
    again = await api.post(f"{V1}/complaints", headers=bearer(client), json=body(photos=[]))
    assert again.status_code == 409 and again.json()["code"] == "complaint_already_open"
    # The artist may complain about the same order (their side of it).
    assert (await api.post(f"{V1}/complaints", headers=bearer(artist), json=body(
        photos=[], category="service", body="需求方现场不配合"))).status_code == 201

    # Nobody else sees it.
    assert (await api.get(f"{V1}/complaints/{c['id']}", headers=bearer(other))).status_code == 404
    assert (await api.post(f"{V1}/complaints/{c['id']}/replies", headers=bearer(other),
                           json={"body": "我也要说"})).status_code == 404
    assert (await api.get(f"{V1}/complaints", headers=bearer(other))).json()["total"] == 0
    mine = (await api.get(f"{V1}/complaints", headers=bearer(client))).json()
    assert [i["id"] for i in mine["items"]] == [c["id"]]
    assert (await api.post(f"{V1}/complaints/{c['id']}/replies", headers=bearer(client),
                           json={"body": "补充：有现场录像"})).status_code == 201

    # The console: filters, detail with the order link, assign, reply, resolve.
    ops = await operator_token(api, db)
    kefu = await operator_token(api, db, "kefu", role="support")
    listed = (await api.get(f"{V1}/admin/complaints", headers=bearer(kefu),
                            params={"status": "pending", "target_type": "order", "keyword": "迟到"})).json()
    assert [i["id"] for i in listed["items"]] == [c["id"]] and listed["items"][0]["user_name"] == "星河科技有限公司"
    detail = (await api.get(f"{V1}/admin/complaints/{c['id']}", headers=bearer(kefu))).json()
    assert detail["target"]["admin_link"] == f"/orders/{booking}" and "林晚晴" in detail["target"]["detail"]
    assert len(detail["photo_urls"]) == 1 and [r["body"] for r in detail["replies"]] == ["补充：有现场录像"]
    finance = await operator_token(api, db, "caiwu", role="finance")
    assert (await api.get(f"{V1}/admin/complaints", headers=bearer(finance))).status_code == 403

    assignees = (await api.get(f"{V1}/admin/complaints/assignees", headers=bearer(ops))).json()
    kefu_id = next(a["id"] for a in assignees if a["display_name"] != "" and a["id"] != assignees[0]["id"])
    assigned = await api.post(f"{V1}/admin/complaints/{c['id']}/assign", headers=bearer(ops),
                              json={"operator_id": kefu_id})
    assert assigned.status_code == 200 and assigned.json()["status"] == "processing"
    assert (await api.post(f"{V1}/admin/complaints/{c['id']}/assign", headers=bearer(ops),
                           json={"operator_id": 987_654})).status_code == 422
    mine_now = (await api.get(f"{V1}/admin/complaints", headers=bearer(kefu), params={"assignee": "me"})).json()
    assert [i["id"] for i in mine_now["items"]] == [c["id"]]

    replied = await api.post(f"{V1}/admin/complaints/{c['id']}/replies", headers=bearer(kefu),
                             json={"body": "已联系艺人核实，请稍候"})
    assert replied.status_code == 201, replied.text
    resolved = await api.post(f"{V1}/admin/complaints/{c['id']}/resolve", headers=bearer(kefu),
                              json={"status": "resolved", "result": "艺人承认迟到，平台已退还 10% 演出费"})
    assert resolved.status_code == 200 and resolved.json()["status_label"] == "已解决"
    assert (await api.post(f"{V1}/admin/complaints/{c['id']}/resolve", headers=bearer(kefu), json={
        "status": "closed", "result": "再来一次"})).status_code == 409

    seen = (await api.get(f"{V1}/complaints/{c['id']}", headers=bearer(client))).json()
    assert [(r["author"], r["author_name"], r["body"]) for r in seen["replies"]] == [
        ("user", "我", "补充：有现场录像"), ("operator", "平台客服", "已联系艺人核实，请稍候")]
    assert seen["result"] == "艺人承认迟到，平台已退还 10% 演出费" and seen["status"] == "resolved"
    late = await api.post(f"{V1}/complaints/{c['id']}/replies", headers=bearer(client), json={"body": "谢谢"})
    assert late.status_code == 409 and late.json()["code"] == "complaint_closed"

    # The user's notification centre holds the reply and the result (the artist hears nothing of it).
    notes = db.scalars(select(Notification).where(Notification.user_id == cid)).all()
    assert {n.title for n in notes} == {"客服回复了您的投诉", "您的投诉已解决"}
    assert db.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == aid)) == 0


async def test_a_chat_message_is_reported_by_the_other_member_only(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800001311")
    outsider = await register_client(api, "13800001312", org="明月文化传媒")
    artist = await register_artist(api, "13900001311")
    cid, aid = await user_id(api, client), await user_id(api, artist)
    conv = ChatConversation(client_id=cid, artist_id=aid, last_seq=1)
    db.add(conv)
    db.flush()
    db.add_all([ChatMember(conversation_id=conv.id, user_id=cid, role="client"),
                ChatMember(conversation_id=conv.id, user_id=aid, role="artist")])
    msg = ChatMessage(conversation_id=conv.id, seq=1, sender_id=aid, kind="text", text="加我微信私下转账更便宜",
                      client_msg_id="m1")
    db.add(msg)
    db.commit()

    def body(mid: int) -> dict:
        return {"target_type": "message", "target_id": mid, "category": "offline_deal", "body": "诱导私下交易"}

    assert (await api.post(f"{V1}/complaints", headers=bearer(outsider), json=body(msg.id))).status_code == 404
    assert (await api.post(f"{V1}/complaints", headers=bearer(client), json=body(msg.id + 1000))).status_code == 404
    own = await api.post(f"{V1}/complaints", headers=bearer(artist), json=body(msg.id))
    assert own.status_code == 422 and own.json()["code"] == "complaint_target_invalid"
    filed = await api.post(f"{V1}/complaints", headers=bearer(client), json=body(msg.id))
    assert filed.status_code == 201, filed.text
    ops = await operator_token(api, db)
    target = (await api.get(f"{V1}/admin/complaints/{filed.json()['id']}", headers=bearer(ops))).json()["target"]
    assert target["title"] == "林晚晴的聊天消息" and "加我微信私下转账更便宜" in target["detail"]
