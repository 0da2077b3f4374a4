"""A booking from the inquiry to settlement against the pieces production runs, each its own process: a Temporal
dev server (real timers, search attributes), `python -m workers`, the API under uvicorn and PostgreSQL. Payments go
through the sandbox cashier, whose gateway delivers its signed callback to the API over loopback HTTP, except the
first booking's deposit, paid through WeChat Pay (the stack is configured against the loopback WeChat Pay fake:
JSAPI prepay, then the fake POSTs its RSA-signed, AES-GCM-encrypted notification to the API). The second
test kills the worker with SIGKILL while a payment is being taken and checks a new worker finishes the booking with
every step, payment and notification recorded exactly once."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from domain.time import utc_now
from tests.e2e.booking_stack import V1, Party, Stack, port_open
from tests.e2e.exactly_once import assert_once
from tests.fakes.wechatpay import FakeWechatPay

pytestmark = pytest.mark.e2e

FEE = 1_200_000  # fen: ¥12,000.00
DEPOSIT, BALANCE = 360_000, 840_000  # 30 %
COMMISSION = FEE * 1000 // 10_000  # the default booking.commission_rate_bp (10 %)
CHAIN = ["REQUESTED", "CONFIRMED", "CONTRACT_SENT", "CLIENT_SIGNED", "SIGNED", "DEPOSIT_PAID", "FULLY_PAID",
         "PERFORMED", "ACCEPTED", "SETTLING", "COMPLETED"]
ONCE = ["confirm", "send_contract", "sign", "countersign", "deposit_paid", "balance_paid", "performed",
        "confirm_performance", "request_settlement", "settled"]


@pytest.fixture(scope="module")
def wechatpay() -> Iterator[FakeWechatPay]:
    with FakeWechatPay() as fake:
        yield fake


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, wechatpay: FakeWechatPay) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("booking-stack")
    keys = root / "keys"
    keys.mkdir()
    # WeChat Pay configured beside the sandbox, which stays the default: one payment goes through WeChat Pay.
    env = {**wechatpay.write_settings_files(keys), "PAYMENT_GATEWAY": "sandbox"}
    s = Stack(root, extra_env=env)
    env["PAYMENT_NOTIFY_BASE_URL"] = s.url
    s.start()
    try:
        yield s
    finally:
        ports = {"api": s.api_port, "temporal": s.temporal_port}
        s.stop()
    assert s.alive() == [], f"processes left running: {s.alive()}"
    time.sleep(0.5)
    assert [name for name, port in ports.items() if port_open(port)] == [], "ports still listening after stop"


def _seconds_until(at: datetime) -> float:
    return (at - utc_now()).total_seconds()


def _pay(stack: Stack, client: Party, booking_id: int, kind: str, amount: int, want: str) -> dict:
    order_id = stack.open_payment(client, booking_id, f"pay_{kind}", amount)
    stack.confirm_payment(order_id)
    return stack.wait_status(client, booking_id, want, timeout=30)


def _perform_and_settle(stack: Stack, client: Party, artist: Party, booking_id: int, end: datetime) -> dict:
    fully = stack.booking(client, booking_id)
    assert fully["status"] == "FULLY_PAID" and fully["paid_amount"] == FEE, fully
    # The performance-end timer of the workflow fires on the dev server's real clock.
    performed = stack.wait_status(client, booking_id, "PERFORMED", timeout=max(_seconds_until(end), 0) + 45)
    assert utc_now() >= end
    assert performed["allowed_actions"] == ["confirm_performance", "dispute"], performed["allowed_actions"]
    assert stack.act(client, booking_id, "confirm_performance")["status"] == "ACCEPTED"
    done = stack.act(artist, booking_id, "request_settlement")
    assert done["status"] == "COMPLETED", done
    return dict(done["booking"])


def _events_once(booking: dict) -> None:
    events: list[dict[str, Any]] = booking["events"]
    assert len({e["step"] for e in events}) == len(events), [e["step"] for e in events]
    assert events[0]["to_status"] == "REQUESTED" and events[0]["from_status"] is None
    moves = [(e["from_status"], e["to_status"]) for e in events if e["from_status"] is not None]
    assert moves == list(zip(CHAIN, CHAIN[1:], strict=False)), moves
    actions = [e["action"] for e in events]
    assert {a: actions.count(a) for a in ONCE} == dict.fromkeys(ONCE, 1), actions


def _booking_notes(stack: Stack, party: Party, booking_id: int) -> list[str]:
    res = stack.http.get("/api/v1/notifications", headers=party.headers, params={"limit": 100})
    assert res.status_code == 200, res.text
    return [n["title"] for n in res.json()["items"] if n["booking_id"] == booking_id]


def test_booking_from_inquiry_to_completed_against_the_dev_server(stack: Stack, wechatpay: FakeWechatPay) -> None:
    client = stack.register("13800001001", "client", "王经理", 1)
    artist = stack.register("13900001001", "artist", "林晚晴", 2)
    booking_id, end = stack.inquiry(client, artist, start_in=90, duration=20)
    assert stack.booking(artist, booking_id)["allowed_actions"] == ["confirm", "reject", "cancel"]

    signed = stack.to_signed(client, artist, booking_id, FEE)
    b = signed["booking"]
    assert (b["fee_amount"], b["deposit_amount"], b["balance_amount"]) == (FEE, DEPOSIT, BALANCE)

    # The deposit through WeChat Pay: JSAPI parameters for uni.requestPayment, then WeChat's notification.
    stack.execute("UPDATE users SET wechat_openid = :o WHERE id = :u", o="oE2E-client-openid", u=client.id)
    order_id, params = stack.open_wechat_payment(client, booking_id, "pay_deposit")
    assert params["signType"] == "RSA" and params["package"].startswith("prepay_id=") and params["paySign"]
    assert wechatpay.orders[order_id].total == DEPOSIT and wechatpay.orders[order_id].openid == "oE2E-client-openid"
    assert wechatpay.deliver(order_id) == 200
    deposit_paid = stack.wait_status(client, booking_id, "DEPOSIT_PAID", timeout=30)
    assert deposit_paid["paid_amount"] == DEPOSIT
    assert stack.sql("SELECT gateway, gateway_txn_id FROM payment_orders WHERE id = :o", o=order_id) == [
        ("wechatpay", wechatpay.orders[order_id].transaction_id)]
    fully = _pay(stack, client, booking_id, "balance", BALANCE, "FULLY_PAID")
    assert fully["paid_amount"] == FEE and fully["needs_operator"] is None

    done = _perform_and_settle(stack, client, artist, booking_id, end)
    assert done["paid_amount"] == FEE and done["refunded_amount"] == 0
    assert (done["commission_amount"], done["payout_amount"]) == (COMMISSION, FEE - COMMISSION)
    assert stack.sql("SELECT gross_amount, commission_amount, payout_amount FROM payouts WHERE booking_id = :b",
                     b=booking_id) == [(FEE, COMMISSION, FEE - COMMISSION)]
    _events_once(done)
    performed_at = next(datetime.fromisoformat(e["created_at"]) for e in done["events"] if e["action"] == "performed")
    assert performed_at >= end, (performed_at, end)

    client_notes, artist_notes = _booking_notes(stack, client, booking_id), _booking_notes(stack, artist, booking_id)
    for title in ("艺人已报价", "请签署演出合同", "合同已生效", "定金已支付", "尾款已支付", "演出已结束"):
        assert client_notes.count(title) == 1, (title, client_notes)
    for title in ("收到新的演出邀约", "需求方已签署合同", "合同已生效", "定金已支付", "尾款已支付", "需求方已确认演出",
                  "结算完成"):
        assert artist_notes.count(title) == 1, (title, artist_notes)

    # Operators find it in Temporal by the custom search attributes the workflow keeps up to date.
    query = f'BookingStatus = "COMPLETED" AND ArtistId = {artist.id}'

    async def found(c: Any) -> list[str]:
        return [w.id async for w in c.list_workflows(query)]

    ids = stack.poll(f"list_workflows({query})", lambda: stack.temporal(found),
                     lambda ids: ids == [f"booking-{booking_id}"], timeout=20, every=0.5)
    assert ids == [f"booking-{booking_id}"]

    async def result(c: Any) -> str:
        return str(await c.get_workflow_handle(f"booking-{booking_id}").result())

    assert stack.temporal(result) == "COMPLETED"

    # The completed booking gets its client's review and the artist's reply; the public sees both.
    review = stack.http.post(f"{V1}/bookings/{booking_id}/review", headers=client.headers, json={
        "effect_score": 5, "attitude_score": 5, "punctuality_score": 4, "text": "年会气氛很好，准时到场。"})
    assert review.status_code == 201, review.text
    again = stack.http.post(f"{V1}/bookings/{booking_id}/review", headers=client.headers, json={
        "effect_score": 1, "attitude_score": 1, "punctuality_score": 1})
    assert again.status_code == 409
    reply = stack.http.put(f"{V1}/reviews/{review.json()['id']}/reply", headers=artist.headers,
                           json={"reply": "感谢信任，期待再次合作！"})
    assert reply.status_code == 200, reply.text
    public = stack.http.get(f"{V1}/artists/{artist.id}/reviews").json()
    assert [(r["text"], r["reply"]) for r in public["items"]] == [
        ("年会气氛很好，准时到场。", "感谢信任，期待再次合作！")]
    assert public["summary"]["count"] == 1 and public["summary"]["average"] == 4.7
    detail = stack.http.get(f"{V1}/artists/{artist.id}").json()
    assert (detail["rating"], detail["review_count"]) == (4.7, 1)


def test_worker_killed_mid_booking_completes_once(stack: Stack) -> None:
    client = stack.register("13800001002", "client", "赵经理", 3)
    artist = stack.register("13900001002", "artist", "周子墨", 4)
    # Leaves room for a lost activity to time out (start_to_close 30 s) before the show starts. (Were the
    # balance paid late, the workflow only flags it for an operator: the booking still completes.)
    booking_id, end = stack.inquiry(client, artist, start_in=60, duration=10)
    stack.to_signed(client, artist, booking_id, FEE)

    order_id = stack.open_payment(client, booking_id, "pay_deposit", DEPOSIT)
    first = stack.worker
    stack.confirm_payment(order_id)  # the callback is verified and the workflow signalled...
    stack.kill_worker()  # ...and the worker dies while it takes the payment
    assert first.returncode == -signal.SIGKILL

    # The callback itself is the API's: the order is paid. The booking waits for a worker.
    assert stack.sql("SELECT status FROM payment_orders WHERE id = :o", o=order_id) == [("paid",)]
    at_kill = stack.booking(client, booking_id)
    print(f"booking {booking_id} was {at_kill['status']} with {len(at_kill['events'])} events when the worker died")
    time.sleep(4)
    still = stack.booking(client, booking_id)
    assert (still["status"], still["paid_amount"], still["events"]) == \
        (at_kill["status"], at_kill["paid_amount"], at_kill["events"]), "the booking moved without a worker"

    stack.start_worker()  # a new process on the same task queue picks the work up
    # Lost workflow tasks come back after their timeout (10 s), lost activities after start_to_close (30 s).
    deposit_paid = stack.wait_status(client, booking_id, "DEPOSIT_PAID", timeout=75)
    assert deposit_paid["paid_amount"] == DEPOSIT
    # The booking can show DEPOSIT_PAID before its workflow has it: the dead worker's local activity committed the
    # step in a workflow task the server never heard complete, and the workflow takes it again once that task times
    # out (10 s) on the new worker. The API waits for the workflow rather than refusing what the page offers.
    res = stack.http.post(f"{V1}/bookings/{booking_id}/actions/pay_balance", headers=client.headers, json={})
    assert res.status_code == 200, res.text
    stack.confirm_payment(str(res.json()["payment_order_id"]))
    fully = stack.wait_status(client, booking_id, "FULLY_PAID", timeout=30)
    assert fully["paid_amount"] == FEE
    done = _perform_and_settle(stack, client, artist, booking_id, end)
    assert done["paid_amount"] == FEE == done["fee_amount"]
    assert (done["commission_amount"], done["payout_amount"]) == (COMMISSION, FEE - COMMISSION)
    _events_once(done)

    # The database: each payment, callback, step and notification exactly once, the ledger settled.
    assert_once(stack, booking_id, paid={"deposit": DEPOSIT, "balance": BALANCE}, once=ONCE)
    assert stack.sql("SELECT count(*) FROM booking_events WHERE booking_id = :b", b=booking_id) == [
        (len(done["events"]),)]
    assert stack.sql("SELECT status FROM calendar_slots WHERE booking_id = :b", b=booking_id) == [("booked",)]
    assert stack.sql("SELECT paid_amount, fee_amount, needs_operator FROM bookings WHERE id = :b",
                     b=booking_id) == [(FEE, FEE, None)]
