"""纠纷处理 through the API, with the BookingWorkflow on the time-skipping server and the sandbox cashier: two
disputed bookings, the other party's statement with evidence (refused to anyone but the booking's parties, and a
second time), the operators' list and workbench (statements, signed evidence links, contract, payments, refunds,
timeline) against the rows this test wrote, and rulings whose reason reaches both parties."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.bookings.states import STATUS_LABELS
from domain.models import Dispute, DisputeStatement, Notification, PaymentOrder, Refund
from tests.factories import inquiry_body, signature_png, upload, user_id, verified_pair
from tests.helpers import V1, bearer, operator_token, register_artist, register_client, with_sign_code

FEE = 500_000  # deposit 30 %: 150 000 fen paid at the sandbox cashier


async def _deposit_paid(api: httpx.AsyncClient, client: str, artist: str, aid: int, days: int) -> int:
    res = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([aid], days=days, hours=2))
    assert res.status_code == 201, res.text
    bid = int(res.json()["bookings"][0]["id"])

    async def act(token: str, action: str, body: dict | None = None) -> dict:
        body = await with_sign_code(api, token, bid, action, body)
        res = await api.post(f"{V1}/bookings/{bid}/actions/{action}", headers=bearer(token), json=body)
        assert res.status_code == 200, res.text
        return dict(res.json())

    await act(artist, "confirm", {"quote": {"fee_amount": FEE, "deposit_percent": 30}})
    await act(artist, "send_contract")
    await act(client, "sign", {"signature_png_base64": signature_png()})
    await act(artist, "countersign", {"signature_png_base64": signature_png()})
    order_id = (await act(client, "pay_deposit"))["payment_order_id"]
    assert (await api.post(f"{V1}/payments/sandbox/{order_id}/confirm")).status_code in (200, 303)
    await _until(lambda: api.get(f"{V1}/bookings/{bid}", headers=bearer(client)),
                 lambda b: b["status"] == "DEPOSIT_PAID")
    return bid


async def _until(get, done, tries: int = 200) -> dict:  # type: ignore[no-untyped-def]
    body: dict = {}
    for _ in range(tries):
        res = await get()
        body = res.json()
        if res.status_code == 200 and done(body):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"never reached: {body}")


def _paid(db: Session, booking_id: int) -> int:
    return int(db.scalar(select(func.coalesce(func.sum(PaymentOrder.amount), 0)).where(
        PaymentOrder.booking_id == booking_id, PaymentOrder.status == "paid")))


async def test_workbench_shows_both_sides_and_rulings_reach_both_parties(paying: httpx.AsyncClient, db: Session):
    api = paying
    client, artist, aid = await verified_pair(api, db, "13800000301", "13900000301")
    cid = await user_id(api, client)
    stranger = await register_client(api, "13800000302", org="无关公司")
    other_artist = await register_artist(api, "13900000302", name="旁观者")
    first = await _deposit_paid(api, client, artist, aid, days=20)
    second = await _deposit_paid(api, client, artist, aid, days=25)
    ops = await operator_token(api, db)

    # The client disputes the first booking with a photo; the artist opens the second with words only.
    photo = await upload(api, client, "evidence")
    res = await api.post(f"{V1}/bookings/{first}/actions/dispute", headers=bearer(client),
                         json={"reason": "彩排时发现乐队少了两人", "evidence": [photo]})
    assert res.status_code == 200 and res.json()["status"] == "DISPUTED", res.text
    res = await api.post(f"{V1}/bookings/{second}/actions/dispute", headers=bearer(artist),
                         json={"reason": "场地无法提供合同约定的音响"})
    assert res.status_code == 200, res.text

    # Nobody but the booking's parties may answer; the artist answers once, with their own photo.
    answer = {"body": "两位乐手临时生病，已安排替补并提前告知", "evidence": [await upload(api, artist, "evidence")]}
    statements = f"{V1}/bookings/{first}/dispute/statements"
    assert (await api.post(statements, json=answer)).status_code == 401
    for outsider in (stranger, other_artist):
        res = await api.post(statements, headers=bearer(outsider), json=answer)
        assert res.status_code == 404, res.text
    res = await api.post(statements, headers=bearer(artist), json={**answer, "evidence": [photo]})  # not theirs
    assert res.status_code == 422 and res.json()["code"] == "evidence_invalid"
    res = await api.post(statements, headers=bearer(artist), json=answer)
    assert res.status_code == 201, res.text
    said = res.json()
    assert said["author_role"] == "artist" and said["author_name"] == "林晚晴" and len(said["evidence_urls"]) == 1
    again = await api.post(statements, headers=bearer(artist), json={"body": "补充说明"})
    assert again.status_code == 409 and again.json()["code"] == "statement_exists"
    assert db.scalar(select(func.count()).select_from(DisputeStatement)) == 1
    note = db.scalar(select(Notification).where(Notification.user_id == cid,
                                                Notification.title == "对方已提交纠纷陈述"))
    assert note is not None and answer["body"] in note.body
    assert (await api.get(f"{V1}/admin/disputes", headers=bearer(client))).status_code == 403

    # The list: both open, newest first, with the money the cashier took for each.
    listed = (await api.get(f"{V1}/admin/disputes", headers=bearer(ops))).json()
    assert [i["booking_id"] for i in listed["items"]] == [second, first] and listed["total"] == 2
    by_id = {i["booking_id"]: i for i in listed["items"]}
    assert by_id[first]["answered"] is True and by_id[second]["answered"] is False
    assert by_id[first]["opened_by_label"] == "需求方" and by_id[second]["opened_by_label"] == "艺人"
    for bid in (first, second):
        assert by_id[bid]["paid_amount"] == _paid(db, bid) == 150_000
        assert by_id[bid]["state"] == "open" and by_id[bid]["booking_status"] == "DISPUTED"
    only = (await api.get(f"{V1}/admin/disputes", params={"keyword": "音响"}, headers=bearer(ops))).json()
    assert [i["booking_id"] for i in only["items"]] == [second]
    only = (await api.get(f"{V1}/admin/disputes", params={"keyword": str(first)}, headers=bearer(ops))).json()
    assert [i["booking_id"] for i in only["items"]] == [first]

    # The workbench: both sides with their photos (signed links that open), contract, payments, timeline.
    bench = (await api.get(f"{V1}/admin/disputes/{first}", headers=bearer(ops))).json()
    case = bench["disputes"][0]
    assert [(s["author_role"], s["opening"], s["body"]) for s in case["statements"]] == [
        ("client", True, "彩排时发现乐队少了两人"), ("artist", False, answer["body"])]
    for s in case["statements"]:
        assert len(s["evidence_urls"]) == 1
        got = await api.get(s["evidence_urls"][0])
        assert got.status_code == 200 and got.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert case["from_status_label"] == STATUS_LABELS["DEPOSIT_PAID"]
    assert bench["booking"]["contract"]["client_signed_at"] and bench["booking"]["contract"]["artist_signed_at"]
    assert sum(p["amount"] for p in bench["booking"]["payments"] if p["status"] == "paid") == _paid(db, first)
    assert bench["refundable_amount"] == _paid(db, first) and bench["booking"]["refunds"] == []
    assert "dispute" in [e["action"] for e in bench["booking"]["events"]]
    assert {n["to_role"] for n in bench["notifications"] if n["title"] == "订单进入纠纷处理"} == {"client", "artist"}

    # Rulings: a partial refund on the first, the booking carries on for the second; each with its reason.
    why_first = "替补乐手经需求方确认到场，按缺席比例退还部分定金"
    res = await api.post(f"{V1}/admin/bookings/{first}/actions/resolve_dispute", headers=bearer(ops),
                         json={"resolution": "partial_refund", "refund_amount": 50_000, "reason": why_first})
    assert res.status_code == 200, res.text
    why_second = "场地已承诺补齐音响设备，演出照常进行"
    res = await api.post(f"{V1}/admin/bookings/{second}/actions/resolve_dispute", headers=bearer(ops),
                         json={"resolution": "release", "reason": why_second})
    assert res.status_code == 200, res.text

    for bid, why in ((first, why_first), (second, why_second)):
        bench = await _until(lambda b=bid: api.get(f"{V1}/admin/disputes/{b}", headers=bearer(ops)),
                             lambda b: b["disputes"][0]["resolved_at"] is not None)
        assert bench["disputes"][0]["resolution_reason"] == why and bench["disputes"][0]["state"] == "resolved"
        assert bench["disputes"][0]["resolved_by"]
        told = {n["to_role"] for n in bench["notifications"] if why in n["body"]}
        assert told == {"client", "artist"}, bench["notifications"]
        for token in (client, artist):  # and each party's own notification centre shows it
            notes = (await api.get(f"{V1}/notifications", headers=bearer(token))).json()["items"]
            assert any(why in n["body"] and n["booking_id"] == bid for n in notes)
    bench = (await api.get(f"{V1}/admin/disputes/{first}", headers=bearer(ops))).json()
    assert bench["disputes"][0]["refund_amount"] == 50_000 and bench["disputes"][0]["resolution_label"] == "部分退款"
    refunded = db.scalar(select(func.sum(Refund.amount)).where(Refund.booking_id == first))
    assert sum(r["amount"] for r in bench["booking"]["refunds"]) == refunded == 50_000

    # Settled: the list moves them to 已裁决 and nobody can answer any more.
    assert (await api.get(f"{V1}/admin/disputes", params={"state": "open"}, headers=bearer(ops))).json()["total"] == 0
    done = (await api.get(f"{V1}/admin/disputes", params={"state": "resolved"}, headers=bearer(ops))).json()
    assert {i["booking_id"] for i in done["items"]} == {first, second}
    res = await api.post(f"{V1}/bookings/{second}/dispute/statements", headers=bearer(client), json={"body": "补充"})
    assert res.status_code == 409 and res.json()["code"] == "dispute_not_open"
    assert db.scalar(select(func.count()).select_from(Dispute)) == 2


async def test_workbench_of_a_booking_without_dispute_is_not_found(paying: httpx.AsyncClient, db: Session):
    api = paying
    client, _, aid = await verified_pair(api, db, "13800000311", "13900000311")
    res = await api.post(f"{V1}/inquiries", headers=bearer(client), json=inquiry_body([aid]))
    bid = res.json()["bookings"][0]["id"]
    ops = await operator_token(api, db)
    res = await api.get(f"{V1}/admin/disputes/{bid}", headers=bearer(ops))
    assert res.status_code == 404 and res.json()["code"] == "dispute_not_found"
    res = await api.post(f"{V1}/bookings/{bid}/dispute/statements", headers=bearer(client), json={"body": "说明"})
    assert res.status_code == 409 and res.json()["code"] == "dispute_not_open"
    res = await api.post(f"{V1}/bookings/{bid}/dispute/statements", headers=bearer(client), json={"body": "  "})
    assert res.status_code == 422


async def test_workbench_needs_the_dispute_permission(api: httpx.AsyncClient, db: Session):
    """客服 (support) rules on disputes; 财务 (finance) does not see them."""
    support = await operator_token(api, db, "kefu", role="support")
    finance = await operator_token(api, db, "caiwu", role="finance")
    assert (await api.get(f"{V1}/admin/disputes", headers=bearer(support))).status_code == 200
    res = await api.get(f"{V1}/admin/disputes", headers=bearer(finance))
    assert res.status_code == 403 and res.json()["code"] == "permission_denied"
    assert (await api.get(f"{V1}/admin/disputes/1", headers=bearer(finance))).status_code == 403
