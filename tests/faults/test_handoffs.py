"""The API killed (SIGKILL) around a payment callback, against the processes production runs (PostgreSQL, a Temporal
dev server, `python -m workers`, the API under uvicorn) with the WeChat Pay fake as the gateway.

What the code does (api/routers/payments.py `_handle_callback`): the callback is recorded in the inbox and its
order marked paid in the request's transaction, the booking's workflow is signalled, and only then the request
commits. So the windows a kill can hit are:
(a) after the signal, before the commit: the workflow took the payment but the inbox row, the paid order and the
    ledger entry are gone with the transaction. Held here with a test-only DEFERRABLE INITIALLY DEFERRED
    constraint trigger that sleeps at COMMIT; the API is killed during it and its session ended (a killed
    process never sends COMMIT). The gateway's redelivery of the same signed notification, or the payment
    reconciler asking the gateway, records it; the second signal is ignored by the workflow.
(b) before anything is recorded (the order row is locked by the test, so the callback waits for it): nothing
    moved; the redelivery takes it, once.
Each on two bookings. After each: one inbox row per order, each order paid once, the booking DEPOSIT_PAID once,
one event and one notification per step, the ledger balanced; then the balance is paid as usual."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from domain.db import sqlalchemy_url
from tests.e2e.booking_stack import Party
from tests.fakes.wechatpay import FakeWechatPay
from tests.faults.handoffs_stack import HandoffStack, bind_openid
from tests.workflows.ledger_invariants import unbalanced_entries

pytestmark = pytest.mark.e2e  # after the fast tests, like the other tests of whole stacks

FEE = 1_000_000
DEPOSIT, BALANCE = 300_000, 700_000  # 30 %
CALLBACK = "/api/v1/payments/callbacks/wechatpay"

HOLD_COMMIT = """
CREATE FUNCTION handoffs_hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(120); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER handoffs_hold_commit AFTER INSERT ON payment_notifications
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION handoffs_hold_commit();
"""
RELEASE_COMMIT = "DROP TRIGGER handoffs_hold_commit ON payment_notifications; DROP FUNCTION handoffs_hold_commit();"


@pytest.fixture(scope="module")
def wechatpay() -> Iterator[FakeWechatPay]:
    with FakeWechatPay() as fake:
        yield fake


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, wechatpay: FakeWechatPay) -> Iterator[HandoffStack]:
    s = HandoffStack(tmp_path_factory.mktemp("handoffs-api"), wechatpay)
    s.start()
    try:
        yield s
    finally:
        s.stop()
    assert s.alive() == [], f"processes left running: {s.alive()}"


@pytest.fixture(scope="module")
def parties(stack: HandoffStack) -> tuple[Party, Party]:
    client = stack.register("13800006001", "client", "王经理", 61)
    artist = stack.register("13900006001", "artist", "林晚晴", 62)
    bind_openid(stack, client)
    return client, artist


def _signed_with_open_deposit(stack: HandoffStack, wechatpay: FakeWechatPay, client: Party, artist: Party,
                              start_in: float) -> tuple[int, str]:
    booking_id, _ = stack.inquiry(client, artist, start_in=start_in, duration=3600)
    stack.to_signed(client, artist, booking_id, FEE)
    order_id, _ = stack.open_wechat_payment(client, booking_id, "pay_deposit")
    assert wechatpay.orders[order_id].total == DEPOSIT
    return booking_id, order_id


class Delivery(threading.Thread):
    """The gateway POSTing one signed notification (kept, so it can deliver the very same bytes again)."""

    def __init__(self, stack: HandoffStack, headers: dict[str, str], body: bytes) -> None:
        super().__init__(daemon=True)
        self.url, self.headers, self.body = stack.url + CALLBACK, headers, body
        self.status: int | None = None
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self.status = httpx.post(self.url, content=self.body, headers=self.headers, timeout=150,
                                     trust_env=False).status_code
        except httpx.HTTPError as exc:  # the API died under it
            self.error = exc

    def again(self) -> int:
        return httpx.post(self.url, content=self.body, headers=self.headers, timeout=30, trust_env=False).status_code


def _api_sessions_waiting(stack: HandoffStack, event: str) -> int:
    return int(stack.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND application_name = 'api' AND wait_event = :e", e=event)[0][0])


def _db_status(stack: HandoffStack, booking_id: int, order_id: str) -> tuple[str, str, int, int]:
    """(booking status, order status, inbox rows of the order, ledger payment entries of the order)."""
    row = stack.sql(
        "SELECT b.status, o.status, (SELECT count(*) FROM payment_notifications n WHERE n.order_id = o.id), "
        "(SELECT count(*) FROM journal_entries j WHERE j.kind = 'payment' AND j.ref = o.id) "
        "FROM bookings b JOIN payment_orders o ON o.booking_id = b.id WHERE o.id = :o", o=order_id)[0]
    return str(row[0]), str(row[1]), int(row[2]), int(row[3])


def _signalled(stack: HandoffStack, booking_id: int) -> list[str]:
    """The order ids of the payment_received signals in the booking workflow's history."""
    from temporalio.api.common.v1 import Payload
    from temporalio.converter import DataConverter

    orders = []
    for e in stack.history_events(f"booking-{booking_id}"):
        if e.HasField("workflow_execution_signaled_event_attributes"):
            attrs = e.workflow_execution_signaled_event_attributes
            if attrs.signal_name == "payment_received":
                payload: Payload = attrs.input.payloads[0]
                orders.append(DataConverter.default.payload_converter.from_payload(payload)["order_id"])
    return orders


def _exactly_once(stack: HandoffStack, client: Party, artist: Party, booking_id: int, *, kinds: dict[str, int],
                  steps: list[str]) -> None:
    """Each paid kind: one paid order, one inbox row, one ledger entry; each step one event and at most one
    notification per person; the ledger balanced."""
    paid = stack.sql("SELECT kind, count(*), sum(amount) FROM payment_orders WHERE booking_id = :b "
                     "AND status = 'paid' GROUP BY kind ORDER BY kind", b=booking_id)
    assert paid == sorted((k, 1, a) for k, a in kinds.items()), paid
    inbox = stack.sql("SELECT o.kind, count(n.id) FROM payment_orders o JOIN payment_notifications n "
                      "ON n.order_id = o.id WHERE o.booking_id = :b GROUP BY o.kind ORDER BY o.kind", b=booking_id)
    assert inbox == sorted((k, 1) for k in kinds), inbox
    ledger = stack.sql("SELECT o.kind, count(j.id) FROM payment_orders o JOIN journal_entries j "
                       "ON j.kind = 'payment' AND j.ref = o.id WHERE o.booking_id = :b GROUP BY o.kind "
                       "ORDER BY o.kind", b=booking_id)
    assert ledger == sorted((k, 1) for k in kinds), ledger
    actions = dict(stack.sql("SELECT action, count(*) FROM booking_events WHERE booking_id = :b GROUP BY action",
                             b=booking_id))
    assert {a: actions.get(a, 0) for a in steps} == dict.fromkeys(steps, 1), actions
    assert actions.get("unexpected_payment", 0) == 0 and actions.get("refunded", 0) == 0, actions
    assert stack.sql("SELECT count(*) - count(DISTINCT step) FROM booking_events WHERE booking_id = :b",
                     b=booking_id) == [(0,)]
    dup = stack.sql("SELECT user_id, title, count(*) FROM notifications WHERE booking_id = :b "
                    "GROUP BY user_id, title HAVING count(*) > 1", b=booking_id)
    assert dup == [], dup
    titles = {(u, t) for u, t in stack.sql("SELECT user_id, title FROM notifications WHERE booking_id = :b",
                                           b=booking_id)}
    assert {(client.id, "定金已支付"), (artist.id, "定金已支付")} <= titles, titles
    paid_amount = stack.sql("SELECT paid_amount, needs_operator FROM bookings WHERE id = :b", b=booking_id)
    assert paid_amount == [(sum(kinds.values()), None)], paid_amount
    with stack.session() as session:
        assert unbalanced_entries(session) == []


def _pay_balance(stack: HandoffStack, wechatpay: FakeWechatPay, client: Party, booking_id: int) -> None:
    order_id, _ = stack.open_wechat_payment(client, booking_id, "pay_balance")
    assert wechatpay.deliver(order_id) == 200
    assert stack.wait_status(client, booking_id, "FULLY_PAID", timeout=30)["paid_amount"] == FEE


def test_api_killed_after_signalling_before_commit(stack: HandoffStack, wechatpay: FakeWechatPay,
                                                   parties: tuple[Party, Party]) -> None:
    client, artist = parties
    first = _signed_with_open_deposit(stack, wechatpay, client, artist, start_in=3 * 86400)
    second = _signed_with_open_deposit(stack, wechatpay, client, artist, start_in=4 * 86400)
    stack.execute(HOLD_COMMIT)
    held = True
    try:
        deliveries = [Delivery(stack, *wechatpay.pay(order_id)) for _, order_id in (first, second)]
        for d in deliveries:
            d.start()
        # Both requests recorded their callback, signalled, and now sit in COMMIT.
        stack.poll("both callbacks held at commit", lambda: _api_sessions_waiting(stack, "PgSleep"),
                   lambda n: n == 2, timeout=30)
        # The workflows have the payments while the database has nothing committed: the window. (Their
        # projection activity waits for the booking row the callback's transaction holds a key-share lock on.)
        for booking_id, order_id in (first, second):
            assert _signalled(stack, booking_id) == [order_id]
            assert _db_status(stack, booking_id, order_id) == ("SIGNED", "created", 0, 0)

        stack.kill_api()
        for d in deliveries:
            d.join(timeout=10)
            assert d.status is None and d.error is not None, (d.status, d.error)  # the gateway saw no answer
        stack.execute(RELEASE_COMMIT)
        held = False
    finally:
        if held:
            stack.execute(RELEASE_COMMIT)
    # Nothing of the two transactions survived: the orders are open, no inbox row, no ledger entry; yet the
    # workflows, signalled, move the bookings on.
    for booking_id, order_id in (first, second):
        stack.poll(f"booking {booking_id} DEPOSIT_PAID", lambda b=booking_id, o=order_id: _db_status(stack, b, o),
                   lambda s: s[0] == "DEPOSIT_PAID", timeout=45)
        assert _db_status(stack, booking_id, order_id) == ("DEPOSIT_PAID", "created", 0, 0)

    stack.restart_api()
    # The first: WeChat Pay delivers the same signed notification again (it retries until it gets a 200).
    assert deliveries[0].again() == 200
    assert _db_status(stack, *first) == ("DEPOSIT_PAID", "paid", 1, 1)
    assert deliveries[0].again() == 200  # and once more, as gateways do: nothing new
    # The second: no redelivery; the reconciler finds the order open past its age and asks the gateway.
    stack.execute("UPDATE payment_orders SET created_at = created_at - interval '30 minutes' WHERE id = :o",
                  o=second[1])
    stack.poll("the reconciler records the second payment", lambda: _db_status(stack, *second),
               lambda s: s[1] == "paid", timeout=45)
    txn = wechatpay.orders[second[1]].transaction_id
    assert stack.sql("SELECT notification_id FROM payment_notifications WHERE order_id = :o",
                     o=second[1]) == [(f"query:{txn}",)]
    assert _db_status(stack, *second) == ("DEPOSIT_PAID", "paid", 1, 1)

    for booking_id, order_id in (first, second):
        # Signalled twice (the lost request, then the redelivery or the reconciler); the workflow took it once.
        assert _signalled(stack, booking_id) == [order_id, order_id]
        assert stack.wait_status(client, booking_id, "DEPOSIT_PAID", timeout=10)["paid_amount"] == DEPOSIT
        _exactly_once(stack, client, artist, booking_id, kinds={"deposit": DEPOSIT},
                      steps=["countersign", "deposit_paid"])
        _pay_balance(stack, wechatpay, client, booking_id)
        _exactly_once(stack, client, artist, booking_id, kinds={"deposit": DEPOSIT, "balance": BALANCE},
                      steps=["deposit_paid", "balance_paid"])


def test_api_killed_before_recording_the_callback(stack: HandoffStack, wechatpay: FakeWechatPay,
                                                  parties: tuple[Party, Party]) -> None:
    client, artist = parties
    bookings = [_signed_with_open_deposit(stack, wechatpay, client, artist, start_in=days * 86400) for days in (5, 6)]
    engine = create_engine(sqlalchemy_url(stack.database_url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            # The test holds the order rows: record_callback's SELECT ... FOR UPDATE waits for them.
            locking = conn.begin()
            conn.execute(text("SELECT id FROM payment_orders WHERE id = ANY(:ids) FOR UPDATE"),
                         {"ids": [o for _, o in bookings]})
            deliveries = [Delivery(stack, *wechatpay.pay(order_id)) for _, order_id in bookings]
            for d in deliveries:
                d.start()
            stack.poll("both callbacks waiting for their order", lambda: _api_sessions_waiting(stack, "transactionid"),
                       lambda n: n == 2, timeout=30)
            stack.kill_api()
            locking.rollback()
    finally:
        engine.dispose()
    for d in deliveries:
        d.join(timeout=10)
        assert d.status is None and d.error is not None, (d.status, d.error)
    for booking_id, order_id in bookings:
        assert _db_status(stack, booking_id, order_id) == ("SIGNED", "created", 0, 0)

    async def status(c: Any, booking_id: int) -> str:
        return str(await c.get_workflow_handle(f"booking-{booking_id}").query("status"))

    for booking_id, _ in bookings:  # nor was the workflow told anything
        assert stack.temporal(lambda c, b=booking_id: status(c, b)) == "SIGNED"

    stack.restart_api()
    for d in deliveries:
        assert d.again() == 200
    for booking_id, order_id in bookings:
        assert stack.wait_status(client, booking_id, "DEPOSIT_PAID", timeout=30)["paid_amount"] == DEPOSIT
        assert _db_status(stack, booking_id, order_id) == ("DEPOSIT_PAID", "paid", 1, 1)
        _exactly_once(stack, client, artist, booking_id, kinds={"deposit": DEPOSIT},
                      steps=["countersign", "deposit_paid"])
        _pay_balance(stack, wechatpay, client, booking_id)
        _exactly_once(stack, client, artist, booking_id, kinds={"deposit": DEPOSIT, "balance": BALANCE},
                      steps=["deposit_paid", "balance_paid"])
