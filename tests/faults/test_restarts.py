"""PostgreSQL and the Temporal server restarted under bookings in flight, against the pieces production runs (the e2e
Stack: dev server, `python -m workers`, the API under uvicorn, PostgreSQL, each its own process).

1. PostgreSQL (an embedded server the test owns) stopped with `pg_ctl -m immediate` while a deposit callback is
   being taken, a cancellation refund is under way and a settlement pays out, then started again on the same data
   dir and socket. Clients and the gateway retry as real ones do (an answer >= 500 or no answer: ask again).
2. The Temporal dev server SIGKILLed and started again on its SQLite file while one booking waits on its
   show-end timer and another on the next user action (an update) and a payment (a signal): the timer fires after
   the restart, the same worker and API processes carry on, the bookings complete.

Each booking then shows nothing lost and nothing done twice (tests/e2e/exactly_once.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from domain.payments.sandbox import CALLBACK_PATH, SandboxGateway
from domain.settings import Settings
from domain.time import utc_now
from tests.e2e.booking_stack import SECRETS, V1, Party, Stack
from tests.e2e.exactly_once import assert_once
from tests.factories import signature_png

pytestmark = pytest.mark.e2e

FEE = 1_200_000
DEPOSIT, BALANCE = 360_000, 840_000  # 30 %
COMMISSION = FEE * 1000 // 10_000  # booking.commission_rate_bp (10 %)
HALF = 50  # this test's cancellation tier: half the deposit back, whenever the client cancels
SIGNED = ["confirm", "send_contract", "sign", "countersign"]
COMPLETED_ONCE = [*SIGNED, "deposit_paid", "balance_paid", "performed", "confirm_performance",
                  "request_settlement", "settled"]


@pytest.fixture
def make_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Stack]]:
    stacks: list[Stack] = []

    def make(**kwargs: Any) -> Stack:
        s = Stack(tmp_path_factory.mktemp("restarts"), **kwargs)
        s.start()  # stops what it started if it fails
        stacks.append(s)
        return s

    yield make
    for s in stacks:
        s.stop()
        assert s.alive() == [], f"processes left running: {s.alive()}"


# --- clients that retry through an outage, as real ones do --------------------------------------------------------


def _client(stack: Stack, timeout: float = 60) -> httpx.Client:
    return httpx.Client(base_url=stack.url, timeout=timeout, trust_env=False)


def _get_booking(stack: Stack, http: httpx.Client, party: Party, booking_id: int) -> dict | None:
    """The booking, or None while the API can't answer (5xx, connection refused or cut)."""
    try:
        res = http.get(f"{V1}/bookings/{booking_id}", headers=party.headers)
    except httpx.HTTPError:
        return None
    if res.status_code >= 500:
        return None
    assert res.status_code == 200, res.text
    return dict(res.json())


def _wait(stack: Stack, party: Party, booking_id: int, done: Callable[[dict], bool], what: str,
          timeout: float) -> dict:
    with _client(stack, timeout=10) as http:
        deadline = time.monotonic() + timeout
        last: dict | None = None
        while time.monotonic() < deadline:
            last = _get_booking(stack, http, party, booking_id) or last
            if last is not None and done(last):
                return last
            time.sleep(0.3)
    raise AssertionError(f"booking {booking_id}: {what} not reached in {timeout:.0f} s "
                         f"(last: {last and (last['status'], last['paid_amount'], last['refunded_amount'])})\n"
                         f"{stack.log_tails()}")


def _act_retrying(stack: Stack, party: Party, booking_id: int, action: str, body: dict, moved: Callable[[dict], bool],
                  timeout: float = 120) -> list[int]:
    """Send an action until it went through: an answer >= 500 or none at all means "unknown", so look at the
    booking and send again only if it hasn't moved. Returns the statuses answered (0: no answer)."""
    answers: list[int] = []
    deadline = time.monotonic() + timeout
    with _client(stack) as http:
        while time.monotonic() < deadline:
            try:
                res = http.post(f"{V1}/bookings/{booking_id}/actions/{action}", headers=party.headers, json=body)
                answers.append(res.status_code)
                if res.status_code < 500:
                    assert res.status_code == 200, f"{action}: {res.status_code} {res.text}"
                    return answers
            except httpx.HTTPError:
                answers.append(0)
            while time.monotonic() < deadline:
                now = _get_booking(stack, http, party, booking_id)
                if now is not None:
                    if moved(now):
                        return answers
                    break
                time.sleep(0.5)
    raise AssertionError(f"{action} on booking {booking_id} never went through: {answers}\n{stack.log_tails()}")


def _sandbox(stack: Stack) -> SandboxGateway:
    secrets = Settings(_env_file=None, data_dir=stack.data_dir, **dict.fromkeys(SECRETS))  # type: ignore[call-arg]
    return SandboxGateway(secrets.secret("payment_sandbox_secret"), stack.url + CALLBACK_PATH)


def _deliver(stack: Stack, order_id: str, amount: int, timeout: float = 120) -> list[int]:
    """The gateway's side: one signed notification, POSTed again (the same bytes) until the API answers 2xx, as
    WeChat Pay re-delivers. Returns the statuses answered (0: no answer)."""
    headers, body = _sandbox(stack).signed_notification(order_id, amount)
    answers: list[int] = []
    deadline = time.monotonic() + timeout
    with _client(stack, timeout=30) as http:
        while time.monotonic() < deadline:
            try:
                res = http.post(CALLBACK_PATH, content=body, headers=headers)
                answers.append(res.status_code)
                if 200 <= res.status_code < 300:
                    return answers
                assert res.status_code >= 500, f"callback refused: {res.status_code} {res.text}"
            except httpx.HTTPError:
                answers.append(0)
            time.sleep(0.5)
    raise AssertionError(f"callback of {order_id} never taken: {answers}\n{stack.log_tails()}")


# --- the booking steps ------------------------------------------------------------------------------------------------


def _to_signed(stack: Stack, client: Party, artist: Party, booking_id: int, **quote: Any) -> None:
    stack.act(artist, booking_id, "confirm", {"quote": {"fee_amount": FEE, "deposit_percent": 30,
                                                        "balance_due_days": 0, **quote}})
    stack.act(artist, booking_id, "send_contract")
    stack.act(client, booking_id, "sign", {"signature_png_base64": signature_png()})
    assert stack.act(artist, booking_id, "countersign", {"signature_png_base64": signature_png()})["status"] == \
        "SIGNED"


def _pay(stack: Stack, client: Party, booking_id: int, kind: str, amount: int, want: str) -> None:
    order_id = stack.open_payment(client, booking_id, f"pay_{kind}", amount)
    stack.confirm_payment(order_id)
    stack.wait_status(client, booking_id, want, timeout=30)


def _finish(stack: Stack, client: Party, artist: Party, booking_id: int, end: datetime) -> dict:
    """From FULLY_PAID: the show-end timer, the client's confirmation, the settlement (paid out at once)."""
    performed = _wait(stack, client, booking_id, lambda b: b["status"] == "PERFORMED", "PERFORMED",
                      timeout=max((end - utc_now()).total_seconds(), 0) + 60)
    performed_at = next(datetime.fromisoformat(e["created_at"]) for e in performed["events"]
                        if e["action"] == "performed")
    assert performed_at >= end, (performed_at, end)
    stack.act(client, booking_id, "confirm_performance")
    done = stack.act(artist, booking_id, "request_settlement")
    assert done["status"] == "COMPLETED", done
    return dict(done["booking"])


def _results(stack: Stack, booking_ids: list[int]) -> dict[int, str]:
    async def get(client: Any) -> dict[int, str]:
        return {b: str(await client.get_workflow_handle(f"booking-{b}").result()) for b in booking_ids}

    return stack.temporal(get)


def _assert_completed_once(stack: Stack, booking_id: int) -> None:
    assert_once(stack, booking_id, paid={"deposit": DEPOSIT, "balance": BALANCE}, once=COMPLETED_ONCE)
    assert stack.sql("SELECT gross_amount, commission_amount, payout_amount FROM payouts WHERE booking_id = :b",
                     b=booking_id) == [(FEE, COMMISSION, FEE - COMMISSION)]
    assert stack.sql("SELECT status, paid_amount, refunded_amount FROM bookings WHERE id = :b",
                     b=booking_id) == [("COMPLETED", FEE, 0)]


# --- 1. PostgreSQL restarted --------------------------------------------------------------------------------------


def test_postgres_restarted_mid_flight_loses_nothing_and_repeats_nothing(make_stack: Callable[..., Stack]) -> None:
    stack = make_stack(own_database=True)
    client = stack.register("13800005001", "client", "钱经理", 51)
    artist = stack.register("13900005001", "artist", "沈青禾", 52)
    # One artist, three shows that don't overlap: settled (C), paid while PostgreSQL goes (A), cancelled (B).
    c_id, c_end = stack.inquiry(client, artist, start_in=40, duration=5)
    a_id, a_end = stack.inquiry(client, artist, start_in=120, duration=5)
    b_id, _ = stack.inquiry(client, artist, start_in=3600, duration=5)
    for booking_id in (c_id, a_id):
        _to_signed(stack, client, artist, booking_id)
    _to_signed(stack, client, artist, b_id, cancellation_tiers=[{"days_before": 0, "refund_percent": HALF}])

    _pay(stack, client, c_id, "deposit", DEPOSIT, "DEPOSIT_PAID")
    _pay(stack, client, c_id, "balance", BALANCE, "FULLY_PAID")
    _pay(stack, client, b_id, "deposit", DEPOSIT, "DEPOSIT_PAID")
    a_order = stack.open_payment(client, a_id, "pay_deposit", DEPOSIT)
    _wait(stack, client, c_id, lambda b: b["status"] == "PERFORMED", "PERFORMED",
          timeout=max((c_end - utc_now()).total_seconds(), 0) + 60)
    stack.act(client, c_id, "confirm_performance")

    # Every money movement posts to the ledger in its own transaction. Holding journal_entries against inserts
    # stops each of the three below inside that transaction, after its other writes: A's callback (inbox row, order
    # paid), B's refund (asked of the gateway) and C's payout (settled) are all mid-flight when PostgreSQL dies.
    assert stack._engine is not None
    holder = stack._engine.connect()
    holder.exec_driver_sql("BEGIN; LOCK TABLE journal_entries IN SHARE MODE")
    answers: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def run(name: str, fn: Callable[[], list[int]]) -> None:
        try:
            answers[name] = fn()
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=("A callback", lambda: _deliver(stack, a_order, DEPOSIT))),
        threading.Thread(target=run, args=("B cancel", lambda: _act_retrying(
            stack, client, b_id, "cancel", {"reason": "活动取消"}, lambda b: b["status"] == "CANCELLED"))),
        threading.Thread(target=run, args=("C settle", lambda: _act_retrying(
            stack, artist, c_id, "request_settlement", {}, lambda b: b["status"] in ("SETTLING", "COMPLETED")))),
    ]
    for t in threads:
        t.start()
    waiting = stack.poll("three money movements waiting on the ledger", lambda: stack.sql(
        "SELECT a.query FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_stat_activity a "
        "ON a.pid = l.pid WHERE c.relname = 'journal_entries' AND NOT l.granted"), lambda rows: len(rows) >= 3,
        timeout=90, every=0.5)
    assert len(waiting) == 3, waiting
    # Then PostgreSQL goes away under them: every connection cut, as in a crash.
    stack.stop_database("immediate")
    holder.invalidate()  # its server is gone
    time.sleep(5)
    stack.start_database()
    for t in threads:
        t.join(timeout=150)
    assert not errors, errors
    assert all(not t.is_alive() for t in threads), answers
    print(f"answers through the outage: {answers}")
    # An outage is a 503 (or no answer at all, for a request cut off), never a 500: callers know to ask again.
    assert not [a for got in answers.values() for a in got if a not in (0, 200, 503)], answers
    assert answers["A callback"][0] != 200, answers  # the gateway's first delivery was cut off
    assert stack.alive() == ["temporal", "worker-1", "api"], stack.alive()  # nothing had to be restarted

    # A: the deposit taken once; then the rest of its life as usual.
    deposit = _wait(stack, client, a_id, lambda b: b["status"] == "DEPOSIT_PAID", "DEPOSIT_PAID", timeout=90)
    assert deposit["paid_amount"] == DEPOSIT
    _pay(stack, client, a_id, "balance", BALANCE, "FULLY_PAID")
    _finish(stack, client, artist, a_id, a_end)

    # B: cancelled, half the deposit back, the other half settled to the artist less commission.
    refund = DEPOSIT * HALF // 100
    kept_commission = (DEPOSIT - refund) * 1000 // 10_000
    _wait(stack, client, b_id, lambda b: b["status"] == "CANCELLED" and b["refunded_amount"] == refund,
          "CANCELLED and refunded", timeout=90)
    stack.poll(f"booking {b_id} payout", lambda: stack.sql("SELECT status FROM payouts WHERE booking_id = :b",
                                                           b=b_id), lambda rows: rows == [("paid",)], timeout=60)
    # C: settled and paid out once.
    _wait(stack, client, c_id, lambda b: b["status"] == "COMPLETED", "COMPLETED", timeout=90)

    assert _results(stack, [a_id, b_id, c_id]) == {a_id: "COMPLETED", b_id: "CANCELLED", c_id: "COMPLETED"}
    for booking_id in (a_id, c_id):
        _assert_completed_once(stack, booking_id)
    assert_once(stack, b_id, paid={"deposit": DEPOSIT}, once=[*SIGNED, "deposit_paid", "cancel"],
                refunds={"refund-cancel": refund})
    assert stack.sql("SELECT gross_amount, commission_amount, payout_amount FROM payouts WHERE booking_id = :b",
                     b=b_id) == [(DEPOSIT - refund, kept_commission, DEPOSIT - refund - kept_commission)]
    assert stack.sql("SELECT status FROM calendar_slots WHERE booking_id = :b", b=b_id) == []


# --- 2. Temporal restarted --------------------------------------------------------------------------------------


def test_temporal_killed_and_restarted_timers_fire_and_bookings_complete(make_stack: Callable[..., Stack]) -> None:
    stack = make_stack(temporal_db=True)
    client = stack.register("13800005002", "client", "孙经理", 53)
    artist = stack.register("13900005002", "artist", "陆小满", 54)
    # X waits on its show-end timer (due while the server is dead); Y on the artist's next action (an update);
    # Z on its deposit (a signal), whose callback arrives while the server is dead.
    x_id, x_end = stack.inquiry(client, artist, start_in=45, duration=5)
    y_id, y_end = stack.inquiry(client, artist, start_in=95, duration=5)
    z_id, _ = stack.inquiry(client, artist, start_in=3600, duration=5)
    _to_signed(stack, client, artist, x_id)
    _pay(stack, client, x_id, "deposit", DEPOSIT, "DEPOSIT_PAID")
    _pay(stack, client, x_id, "balance", BALANCE, "FULLY_PAID")
    stack.act(artist, y_id, "confirm", {"quote": {"fee_amount": FEE, "deposit_percent": 30, "balance_due_days": 0}})
    _to_signed(stack, client, artist, z_id, cancellation_tiers=[{"days_before": 0, "refund_percent": HALF}])
    z_order = stack.open_payment(client, z_id, "pay_deposit", DEPOSIT)
    procs = {name: stack.procs[name].pid for name in ("worker-1", "api")}
    assert (x_end - utc_now()).total_seconds() > 8, "the set-up took too long: X's show ended before the kill"

    time.sleep(max((x_end - utc_now()).total_seconds() - 8, 0))
    stack.kill_temporal()
    # While the server is dead an action is refused outright (503, nothing recorded), and so is Z's payment
    # callback: nothing is kept, and the gateway delivers it again until the server is back.
    delivered: list[list[int]] = []
    gateway = threading.Thread(target=lambda: delivered.append(_deliver(stack, z_order, DEPOSIT, timeout=150)))
    gateway.start()
    refused = stack.http.post(f"{V1}/bookings/{y_id}/actions/send_contract", headers=artist.headers, json={})
    assert (refused.status_code, refused.json()["code"]) == (503, "temporal_unavailable"), refused.text
    time.sleep(max((x_end - utc_now()).total_seconds() + 3, 0))  # X's show ends while nobody can fire its timer
    assert stack.booking(client, x_id)["status"] == "FULLY_PAID"
    assert stack.sql("SELECT count(*) FROM payment_notifications n JOIN payment_orders o ON o.id = n.order_id "
                     "WHERE o.booking_id = :b", b=z_id) == [(0,)]
    stack.start_temporal()

    # The timer fires after the restart; the worker and the API reconnect by themselves.
    _finish(stack, client, artist, x_id, x_end)
    gateway.join(timeout=150)
    assert delivered and delivered[0][0] == 503 and delivered[0][-1] == 200, delivered
    assert _wait(stack, client, z_id, lambda b: b["status"] == "DEPOSIT_PAID", "DEPOSIT_PAID",
                 timeout=30)["paid_amount"] == DEPOSIT
    y = stack.booking(artist, y_id)
    assert y["status"] == "CONFIRMED" and [e["action"] for e in y["events"]] == ["request", "confirm"], y["events"]
    stack.act(artist, y_id, "send_contract")
    stack.act(client, y_id, "sign", {"signature_png_base64": signature_png()})
    stack.act(artist, y_id, "countersign", {"signature_png_base64": signature_png()})
    _pay(stack, client, y_id, "deposit", DEPOSIT, "DEPOSIT_PAID")
    _pay(stack, client, y_id, "balance", BALANCE, "FULLY_PAID")
    stack.act(client, z_id, "cancel", {"reason": "活动取消"})
    _finish(stack, client, artist, y_id, y_end)

    assert {name: stack.procs[name].pid for name in procs} == procs, "a worker or the API had to be restarted"
    assert stack.alive() == ["temporal", "worker-1", "api"], stack.alive()
    assert _results(stack, [x_id, y_id, z_id]) == {x_id: "COMPLETED", y_id: "COMPLETED", z_id: "CANCELLED"}
    for booking_id in (x_id, y_id):
        _assert_completed_once(stack, booking_id)
    refund = DEPOSIT * HALF // 100
    assert_once(stack, z_id, paid={"deposit": DEPOSIT}, once=[*SIGNED, "deposit_paid", "cancel"],
                refunds={"refund-cancel": refund})
