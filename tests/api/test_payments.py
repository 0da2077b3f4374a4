"""Payments through the API: the sandbox cashier page, its signed callback (verified, de-duplicated in the inbox,
one workflow signal per payment), forged or stale callbacks refused, and refunds that are idempotent per step."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from api.context import AppContext
from domain.bookings.messages import PaymentReceived
from domain.db import session_scope
from domain.models import Booking, PaymentNotification, PaymentOrder, Refund
from domain.payments import service
from domain.payments.errors import PaymentAlreadyPaid, RefundExceedsPaid, RefundStepConflict
from domain.payments.sandbox import CALLBACK_PATH, SandboxGateway
from integrations.errors import IntegrationError
from tests.factories import insert_booking, user_row

V1 = "/api/v1"


@workflow.defn(name="PaymentSignalCounter")
class PaymentSignalCounter:
    """Stands in for BookingWorkflow under its id `booking-<id>`: keeps every payment_received signal."""

    def __init__(self) -> None:
        self.received: list[PaymentReceived] = []

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)  # runs until the test terminates it

    @workflow.signal(name="payment_received")
    def payment_received(self, payment: PaymentReceived) -> None:
        self.received.append(payment)

    @workflow.query(name="payments")
    def payments(self) -> list[PaymentReceived]:
        return self.received


# --- set-up


def _booking(db: Session, deposit: int = 3_000_00, balance: int = 7_000_00) -> int:
    client, artist = user_row(db), user_row(db)
    return insert_booking(db, client.id, artist.id, status="SIGNED", start=datetime(2027, 3, 1, 12, tzinfo=UTC),
                          fee_amount=deposit + balance, deposit_amount=deposit, balance_amount=balance)


def _order(db: Session, gateway: SandboxGateway, booking_id: int, kind: str = "deposit",
           amount: int = 3_000_00) -> tuple[str, str]:
    started = service.create_order(db, gateway, booking_id, kind, amount)
    db.commit()
    return started.order.id, started.pay_url


def _fresh(db: Session, order_id: str) -> PaymentOrder:
    db.expire_all()
    order = db.get(PaymentOrder, order_id)
    assert order is not None
    return order


def _inbox(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(PaymentNotification)) or 0


def _assert_error(res: httpx.Response, status: int, code: str) -> None:
    assert res.status_code == status, res.text
    body = res.json()
    assert set(body) == {"code", "message", "detail"} and body["code"] == code and body["message"], body


@pytest.fixture
def sandbox(ctx: AppContext) -> SandboxGateway:
    assert isinstance(ctx.payments, SandboxGateway)
    return ctx.payments


@pytest.fixture
async def paying(api: httpx.AsyncClient, sandbox: SandboxGateway) -> AsyncIterator[httpx.AsyncClient]:
    """The sandbox gateway delivers its notifications to the app under test, as it would over loopback."""
    app = api._transport.app  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        sandbox.http, sandbox.retry_delay = http, 0
        yield api
        sandbox.http = None


class Workflows:
    def __init__(self, client: Client):
        self.client, self.handles = client, []  # type: list[WorkflowHandle]

    async def booking(self, booking_id: int, queue: str) -> WorkflowHandle:
        wf_id = service.booking_workflow_id(booking_id)
        await self._terminate(self.client.get_workflow_handle(wf_id))  # ids repeat: the server lives all session
        handle = await self.client.start_workflow(PaymentSignalCounter.run, id=wf_id, task_queue=queue)
        self.handles.append(handle)
        return handle

    @staticmethod
    async def _terminate(handle: WorkflowHandle) -> None:
        try:
            await handle.terminate("test over")
        except Exception:  # noqa: S110 - not running is fine
            pass

    async def close(self) -> None:
        for handle in self.handles:
            await self._terminate(handle)


@pytest.fixture
async def workflows(ctx: AppContext, temporal_env) -> AsyncIterator[tuple[Workflows, str]]:  # type: ignore[no-untyped-def]
    """The API talks to the time-skipping server; a worker of our own runs the signal-counting workflow."""
    client: Client = temporal_env.client
    ctx._temporal = client
    queue = f"payments-{uuid.uuid4()}"
    flows = Workflows(client)
    async with Worker(client, task_queue=queue, workflows=[PaymentSignalCounter],
                      workflow_runner=UnsandboxedWorkflowRunner()):
        yield flows, queue
        await flows.close()


async def _signals(handle: WorkflowHandle) -> int:
    history = await handle.fetch_history()
    return sum(1 for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)


async def _received(handle: WorkflowHandle, expected: int) -> list[PaymentReceived]:
    for _ in range(50):
        got = await handle.query(PaymentSignalCounter.payments)
        if len(got) >= expected:
            return got
        await asyncio.sleep(0.1)
    return got


# --- the cashier page


async def test_sandbox_page_shows_the_order_in_chinese(api: httpx.AsyncClient, db: Session, sandbox: SandboxGateway):
    booking_id = _booking(db)
    order_id, pay_url = _order(db, sandbox, booking_id, "deposit", 1_234_567)
    assert pay_url == f"{V1}/payments/sandbox/{order_id}"

    res = await api.get(pay_url)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    page = res.text
    for text in ("<title>沙箱支付</title>", "沙箱环境：不会产生真实扣款", "¥12,345.67", "定金", f"#{booking_id}",
                 order_id, "待支付", "确认支付", f'action="{pay_url}/confirm"'):
        assert text in page, text
    assert "http://" not in page and "https://" not in page  # self-contained: nothing loads from elsewhere

    # Asking again reuses the open order; another amount closes it and opens a new one.
    assert _order(db, sandbox, booking_id, "deposit", 1_234_567)[0] == order_id
    second, _ = _order(db, sandbox, booking_id, "deposit", 1_000_00)
    assert second != order_id and _fresh(db, order_id).status == "closed"
    closed = await api.get(pay_url)
    assert "已关闭" in closed.text and "确认支付" not in closed.text
    balance_id, _ = _order(db, sandbox, booking_id, "balance", 5_00)
    assert "尾款" in (await api.get(f"{V1}/payments/sandbox/{balance_id}")).text


@pytest.mark.parametrize("order_id", ["P20270101deadbeefdeadbeef", "abc", "9" * 60, "%00", "a%27%3B--", "%E6%BC%94"])
async def test_unknown_orders_get_a_404_page(api: httpx.AsyncClient, db: Session, order_id: str):
    for res in (await api.get(f"{V1}/payments/sandbox/{order_id}"),
                await api.post(f"{V1}/payments/sandbox/{order_id}/confirm")):
        assert res.status_code == 404 and "支付订单不存在" in res.text and "沙箱环境" in res.text


# --- the callback


async def test_confirm_pays_once_and_signals_the_booking_workflow(paying: httpx.AsyncClient, db: Session,
                                                                  sandbox: SandboxGateway, workflows):  # type: ignore[no-untyped-def]
    flows, queue = workflows
    booking_id = _booking(db)
    handle = await flows.booking(booking_id, queue)
    order_id, pay_url = _order(db, sandbox, booking_id, "deposit", 3_000_00)

    res = await paying.post(f"{pay_url}/confirm")
    assert res.status_code == 303 and res.headers["location"] == pay_url
    order = _fresh(db, order_id)
    assert order.status == "paid" and order.gateway_txn_id == sandbox.transaction_id(order_id)
    assert order.paid_at is not None and _inbox(db) == 1
    received = await _received(handle, 1)
    assert received == [PaymentReceived(order_id, "deposit", 3_000_00, "sandbox", sandbox.transaction_id(order_id))]
    assert await _signals(handle) == 1

    page = (await paying.get(pay_url)).text
    assert "已支付" in page and "确认支付" not in page and "支付时间" in page

    # Pressing 确认支付 again (an old tab) sends nothing: the order is paid.
    assert (await paying.post(f"{pay_url}/confirm")).status_code == 303
    assert _inbox(db) == 1 and await _signals(handle) == 1
    with pytest.raises(PaymentAlreadyPaid):
        service.create_order(db, sandbox, booking_id, "deposit", 3_000_00)
    db.rollback()


async def test_the_same_notification_ten_times_is_one_payment(api: httpx.AsyncClient, db: Session,
                                                              sandbox: SandboxGateway, workflows):  # type: ignore[no-untyped-def]
    flows, queue = workflows
    booking_id = _booking(db)
    handle = await flows.booking(booking_id, queue)
    order_id, _ = _order(db, sandbox, booking_id, "balance", 7_000_00)
    headers, body = sandbox.signed_notification(order_id, 7_000_00)

    answers = await asyncio.gather(*(api.post(CALLBACK_PATH, content=body, headers=headers) for _ in range(10)))
    assert [r.status_code for r in answers] == [200] * 10
    assert all(r.json()["code"] == "SUCCESS" for r in answers)
    assert _inbox(db) == 1 and _fresh(db, order_id).status == "paid"

    # A second notification of the same payment (new id) is kept as evidence but signals nothing new.
    headers2, body2 = sandbox.signed_notification(order_id, 7_000_00)
    assert (await api.post(CALLBACK_PATH, content=body2, headers=headers2)).json()["code"] == "SUCCESS"
    assert _inbox(db) == 2
    assert len(await _received(handle, 1)) == 1
    assert await _signals(handle) == 1
    assert db.scalar(select(func.count()).select_from(PaymentOrder).where(PaymentOrder.status == "paid")) == 1


def _forged(gateway: SandboxGateway, order_id: str, amount: int) -> list[tuple[str, dict[str, str], bytes]]:
    other = SandboxGateway("not-the-gateway-secret", notify_url="http://x")
    now = int(time.time())
    cases = []
    headers, body = other.signed_notification(order_id, amount)
    cases.append(("signed with another key", headers, body))
    headers, body = gateway.signed_notification(order_id, amount)
    cases.append(("signature probe", {**headers, "Sandboxpay-Signature": "SANDBOXPAY/SIGNTEST/" + "A" * 40}, body))
    cases.append(("tampered body", headers, body.replace(b'"total":300000', b'"total":1')))
    cases.append(("no signature", {k: v for k, v in headers.items() if k != "Sandboxpay-Signature"}, body))
    cases.append(("unknown key serial", {**headers, "Sandboxpay-Serial": "OTHER-KEY"}, body))
    cases.append(("no headers at all", {"Content-Type": "application/json"}, body))
    cases.append(("stale", *gateway.signed_notification(order_id, amount, timestamp=now - 330)))
    cases.append(("from the future", *gateway.signed_notification(order_id, amount, timestamp=now + 330)))
    cases.append(("odd timestamp", *gateway.signed_notification(order_id, amount, timestamp=-5)))
    return cases


async def test_forged_and_stale_callbacks_are_refused_and_nothing_recorded(api: httpx.AsyncClient, db: Session,
                                                                           sandbox: SandboxGateway):
    booking_id = _booking(db)
    order_id, _ = _order(db, sandbox, booking_id, "deposit", 3_000_00)
    for name, headers, body in _forged(sandbox, order_id, 3_000_00):
        res = await api.post(CALLBACK_PATH, content=body, headers=headers)
        assert res.status_code == 401, (name, res.text)
        _assert_error(res, 401, "callback_signature_invalid")
    assert _inbox(db) == 0 and _fresh(db, order_id).status == "created"

    # Within the ±5 minute window a slow clock is fine.
    headers, body = sandbox.signed_notification(order_id, 3_000_00, timestamp=int(time.time()) - 290)
    assert sandbox.verify_callback(headers, body).order_id == order_id


async def test_callbacks_that_do_not_match_the_order_are_refused(api: httpx.AsyncClient, db: Session,
                                                                 sandbox: SandboxGateway):
    booking_id = _booking(db)
    order_id, _ = _order(db, sandbox, booking_id, "deposit", 3_000_00)

    headers, body = sandbox.signed_notification(order_id, 1_00)  # signed, but not what the order asks
    _assert_error(await api.post(CALLBACK_PATH, content=body, headers=headers), 400, "callback_order_mismatch")
    headers, body = sandbox.signed_notification(order_id, 3_000_00, currency="USD")
    _assert_error(await api.post(CALLBACK_PATH, content=body, headers=headers), 400, "callback_order_mismatch")
    headers, body = sandbox.signed_notification("P20270101ffffffffffffffff", 3_000_00)
    _assert_error(await api.post(CALLBACK_PATH, content=body, headers=headers), 404, "payment_order_not_found")

    # Correctly signed bytes that aren't a payment notification.
    for payload in (b"{bad json", b"[]", b"\xff\xfe",
                    json.dumps({"id": "x", "event_type": "REFUND.SUCCESS", "resource": {}}).encode(),
                    json.dumps({"id": "x", "event_type": "TRANSACTION.SUCCESS",
                                "resource": {"out_trade_no": order_id, "amount": {"total": "300000"}}}).encode()):
        ts, nonce = str(int(time.time())), "n0nce"
        headers = {"Sandboxpay-Timestamp": ts, "Sandboxpay-Nonce": nonce, "Sandboxpay-Serial": "SANDBOX-KEY-1",
                   "Sandboxpay-Signature": sandbox._sign(ts, nonce, payload)}
        res = await api.post(CALLBACK_PATH, content=payload, headers=headers)
        assert res.status_code == 400 and res.json()["code"] in ("callback_malformed", "callback_event_unsupported")
    assert _inbox(db) == 0 and _fresh(db, order_id).status == "created"


async def test_a_failed_signal_records_nothing_so_the_gateway_redelivers(paying: httpx.AsyncClient, db: Session,
                                                                         sandbox: SandboxGateway):
    # The `ctx` fixture points at a Temporal that isn't there.
    booking_id = _booking(db)
    order_id, pay_url = _order(db, sandbox, booking_id, "deposit", 3_000_00)
    headers, body = sandbox.signed_notification(order_id, 3_000_00)
    _assert_error(await paying.post(CALLBACK_PATH, content=body, headers=headers), 503, "temporal_unavailable")
    assert _inbox(db) == 0 and _fresh(db, order_id).status == "created"

    res = await paying.post(f"{pay_url}/confirm")  # three deliveries, all refused
    assert res.status_code == 303 and res.headers["location"] == f"{pay_url}?notice=failed"
    assert "支付通知投递失败" in (await paying.get(res.headers["location"])).text
    assert _inbox(db) == 0 and _fresh(db, order_id).status == "created"


async def test_payment_after_the_workflow_ended_goes_to_an_operator(api: httpx.AsyncClient, db: Session,
                                                                    sandbox: SandboxGateway, workflows):  # type: ignore[no-untyped-def]
    booking_id = _booking(db)  # no workflow runs under booking-<id>
    order_id, _ = _order(db, sandbox, booking_id, "deposit", 3_000_00)
    flows, _queue = workflows
    await flows._terminate(flows.client.get_workflow_handle(service.booking_workflow_id(booking_id)))
    headers, body = sandbox.signed_notification(order_id, 3_000_00)
    res = await api.post(CALLBACK_PATH, content=body, headers=headers)
    assert res.status_code == 200 and res.json()["code"] == "SUCCESS"
    db.expire_all()
    booking = db.get(Booking, booking_id)
    assert booking is not None and booking.needs_operator and "需退款" in booking.needs_operator
    assert _fresh(db, order_id).status == "paid" and _inbox(db) == 1


# --- refunds


def _paid(db: Session, gateway: SandboxGateway, booking_id: int, kind: str, amount: int) -> str:
    order_id, _ = _order(db, gateway, booking_id, kind, amount)
    headers, body = gateway.signed_notification(order_id, amount)
    assert service.record_callback(db, gateway.name, gateway.verify_callback(headers, body)) is not None
    db.commit()
    return order_id


def _refund_row(db: Session, step: str) -> Refund:
    db.expire_all()
    row = db.scalar(select(Refund).where(Refund.step == step))
    assert row is not None
    return row


async def test_refunds_are_idempotent_by_step(ctx: AppContext, db: Session):
    gateway = SandboxGateway("refund-test", notify_url="http://x")
    booking_id = _booking(db)
    _paid(db, gateway, booking_id, "deposit", 3_000_00)
    _paid(db, gateway, booking_id, "balance", 7_000_00)

    with session_scope(ctx.database_url) as s:
        row = service.refund(s, gateway, booking_id, "cancel", 5_000_00)
        first = row.id
    row = _refund_row(db, "cancel")
    assert row.status == "succeeded" and row.attempts == 1 and row.succeeded_at is not None
    # 3,000 from the deposit, 2,000 from the balance: one gateway refund per order.
    assert row.gateway_refund_id == f"sandbox-refund-R{first}-deposit,sandbox-refund-R{first}-balance"

    gateway.fail_refunds = 1  # a second call must not reach the gateway at all
    with session_scope(ctx.database_url) as s:
        again = service.refund(s, gateway, booking_id, "cancel", 5_000_00)
        assert again.id == first and again.status == "succeeded"
    assert gateway.fail_refunds == 1
    assert db.scalar(select(func.count()).select_from(Refund)) == 1

    with pytest.raises(RefundStepConflict), session_scope(ctx.database_url) as s:
        service.refund(s, gateway, booking_id, "cancel", 4_000_00)
    with pytest.raises(RefundExceedsPaid), session_scope(ctx.database_url) as s:
        service.refund(s, gateway, booking_id, "dispute", 5_000_01)
    with session_scope(ctx.database_url) as s:  # nothing to refund is a finished refund, not a gateway call
        assert service.refund(s, gateway, booking_id, "late-cancel", 0).status == "succeeded"


async def test_refund_failures_are_counted_then_marked_failing(ctx: AppContext, db: Session):
    gateway = SandboxGateway("refund-test", notify_url="http://x")
    booking_id = _booking(db)
    _paid(db, gateway, booking_id, "deposit", 3_000_00)
    gateway.fail_refunds = 3

    for attempt, status in ((1, "pending"), (2, "pending"), (3, "failing")):
        # Like the activity: its transaction rolls back, the bookkeeping stays.
        with pytest.raises(IntegrationError), session_scope(ctx.database_url) as s:
            service.refund(s, gateway, booking_id, "cancel", 1_500_00)
        row = _refund_row(db, "cancel")
        assert (row.attempts, row.status) == (attempt, status)
        assert row.last_error and "payment_refund_failed" in row.last_error and row.gateway_refund_id is None

    with session_scope(ctx.database_url) as s:  # Temporal's next retry gets through
        service.refund(s, gateway, booking_id, "cancel", 1_500_00)
    row = _refund_row(db, "cancel")
    assert (row.status, row.attempts) == ("succeeded", 4)
    assert row.gateway_refund_id == f"sandbox-refund-R{row.id}-deposit"
