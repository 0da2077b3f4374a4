"""Two worker processes (`python -m workers`, started at the same moment) on one task queue, against a Temporal dev
server, the API and PostgreSQL: bookings' activities land on either (their histories name the worker), and the
periodic jobs every worker runs never do the same row twice although both race for the rows:
- the search outbox: each queued artist written to the index once (a test-only trigger on artist_search counts the
  writes and names the writing process: each child connects with PGAPPNAME=<its name>);
- abandoned uploads: each orphan removed by one worker (their log lines add up to the orphans);
- notification deliveries (SMS through the Aliyun fake; a sandbox channel's are sent by the dispatcher without a
  workflow): one delivery workflow and one send per notification and channel;
- payment reconciliation: a payment whose callback was lost recorded once, the booking DEPOSIT_PAID once;
then the busier worker is stopped (SIGTERM, as a rolling deploy does) and the bookings go on on the other, so each
booking's activities and workflow tasks ran on both, every payment and step still once."""

from __future__ import annotations

import json
import os
import re
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from domain.db import sqlalchemy_url
from domain.notifications.kinds import Kind
from domain.notifications.service import notify
from tests.e2e.booking_stack import Party
from tests.factories import artist_row, user_row
from tests.fakes.aliyun_sms import FakeAliyunSms
from tests.fakes.wechatpay import FakeWechatPay
from tests.faults.handoffs_stack import HandoffStack, bind_openid
from tests.workflows.ledger_invariants import unbalanced_entries

pytestmark = pytest.mark.e2e  # after the fast tests, like the other tests of whole stacks

ORPHANS = 300
ARTISTS = 400
NOTIFIED_USERS, NOTES_EACH = 30, 8
SMS_TEMPLATE = "SMS_NOTIFY_SHOW"
FEE, DEPOSIT = 1_000_000, 300_000

COUNT_INDEX_WRITES = """
CREATE TABLE handoffs_index_writes (artist_id bigint, app text, at timestamptz DEFAULT clock_timestamp());
CREATE FUNCTION handoffs_count_index_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO handoffs_index_writes (artist_id, app) VALUES (NEW.artist_id, current_setting('application_name'));
  PERFORM pg_sleep(0.01);  -- a slower index: the drain takes long enough for both workers to claim rows
  RETURN NULL;
END $$;
CREATE TRIGGER handoffs_count_index_write AFTER INSERT OR UPDATE ON artist_search
FOR EACH ROW EXECUTE FUNCTION handoffs_count_index_write();
"""
# Reconciliation: each recorded payment holds its order row for a second, so a round over the orders outlasts the
# reconcile interval (5 s) and the other worker's round runs into it.
SLOW_INBOX = """
CREATE FUNCTION handoffs_slow_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$;
CREATE TRIGGER handoffs_slow_inbox BEFORE INSERT ON payment_notifications
FOR EACH ROW EXECUTE FUNCTION handoffs_slow_inbox();
"""


def _orphan_keys() -> list[str]:
    return [f"private/case_image/{900 + i % 7}/{uuid.uuid4().hex}.jpg" for i in range(ORPHANS)]


@pytest.fixture(scope="module")
def wechatpay() -> Iterator[FakeWechatPay]:
    with FakeWechatPay() as fake:
        yield fake


@pytest.fixture(scope="module")
def aliyun() -> Iterator[FakeAliyunSms]:
    with FakeAliyunSms(per_minute_limit=None) as fake:
        fake.add_template(SMS_TEMPLATE)
        yield fake


@pytest.fixture(scope="module")
def orphans() -> list[str]:
    return _orphan_keys()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, wechatpay: FakeWechatPay, aliyun: FakeAliyunSms,
          orphans: list[str]) -> Iterator[HandoffStack]:
    # The workers send urgent SMS through a real provider (the fake): a delivery workflow each, raced for by both.
    sms = {"ALIYUN_SMS_ACCESS_KEY_ID": aliyun.access_key_id, "ALIYUN_SMS_ACCESS_KEY_SECRET": aliyun.access_key_secret,
           "ALIYUN_SMS_SIGN_NAME": aliyun.sign_name, "ALIYUN_SMS_TEMPLATE_CODE": aliyun.template_code,
           "ALIYUN_SMS_ENDPOINT": aliyun.url, "SMS_NOTIFY_TEMPLATES": json.dumps({"show_tomorrow": SMS_TEMPLATE})}
    s = HandoffStack(tmp_path_factory.mktemp("handoffs-workers"), wechatpay, workers=2, worker_env=sms)
    # Uploads abandoned two hours ago (no `uploads` row): both workers clean up as they start.
    old = time.time() - 2 * 3600
    for key in orphans:
        path = s.data_dir / "storage" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\xff\xd8\xff\xe0 abandoned")
        os.utime(path, (old, old))
    # The test holds the uploads table until both workers' clean-ups wait for it: then they run side by side.
    holder: list[Any] = []

    def hold_uploads() -> None:
        engine = create_engine(sqlalchemy_url(s.database_url), poolclass=NullPool)
        conn = engine.connect()
        conn.execute(text("BEGIN; LOCK TABLE uploads IN ACCESS EXCLUSIVE MODE"))
        holder.extend((engine, conn))

    s.before_workers = hold_uploads
    s.start()
    try:
        engine, conn = holder
        s.poll("a clean-up waiting", lambda: s.sql(
            "SELECT count(DISTINCT application_name) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name LIKE 'worker-%' AND wait_event_type = 'Lock'")[0][0], lambda n: n >= 1, timeout=30)
        time.sleep(2)  # both workers are up (start() waited for them): the other's clean-up has had its start too
        conn.execute(text("COMMIT"))
        conn.close()
        engine.dispose()
        yield s
    finally:
        s.stop()
    assert s.alive() == [], f"processes left running: {s.alive()}"


def _log_total(stack: HandoffStack, pattern: str) -> dict[str, int]:
    """Per worker: the sum of the first number of each log line matching `pattern`."""
    return {f"worker-{n}": sum(int(m) for m in re.findall(pattern, stack.worker_log(n))) for n in (1, 2)}


def test_abandoned_uploads_removed_once(stack: HandoffStack, orphans: list[str]) -> None:
    root: Path = stack.data_dir / "storage"
    stack.poll("orphans removed", lambda: [k for k in orphans if (root / k).exists()], lambda left: left == [],
               timeout=60)
    pattern = r"storage cleanup: removed (\d+) orphaned uploads"
    removed = stack.poll("both cleanups reported", lambda: _log_total(stack, pattern),
                         lambda r: sum(r.values()) >= ORPHANS, timeout=30)
    time.sleep(1)  # a second report, if any, has time to land
    removed = _log_total(stack, pattern)
    print(f"orphans removed per worker: {removed}")
    assert sum(removed.values()) == ORPHANS, removed


def test_search_outbox_rows_indexed_once(stack: HandoffStack) -> None:
    stack.execute(COUNT_INDEX_WRITES)
    with stack.session() as session:
        ids = [artist_row(session, f"135{n:08d}", stage_name=f"竞速歌手{n}") for n in range(ARTISTS)]
        session.commit()
    # Queued in one transaction, as a bulk change (an import, a rule change) would queue them.
    stack.execute("INSERT INTO search_outbox (artist_id, enqueued_at, attempts) "
                  "SELECT unnest(CAST(:ids AS bigint[])), now(), 0", ids=ids)
    stack.poll("outbox drained", lambda: stack.sql("SELECT count(*) FROM search_outbox")[0][0],
               lambda n: n == 0, timeout=90)
    writes = stack.sql("SELECT artist_id, app FROM handoffs_index_writes WHERE artist_id = ANY(:ids)", ids=ids)
    per_artist = Counter(a for a, _ in writes)
    assert set(per_artist) == set(ids)
    assert [a for a, n in per_artist.items() if n != 1] == [], "artists indexed more than once"
    by_worker = Counter(app for _, app in writes)
    print(f"index writes per worker: {dict(by_worker)}")
    assert set(by_worker) == {"worker-1", "worker-2"}, by_worker  # both drained: they raced for the rows
    assert stack.sql("SELECT count(*) FROM artist_search WHERE artist_id = ANY(:ids)", ids=ids) == [(ARTISTS,)]


def test_notification_deliveries_sent_once(stack: HandoffStack, aliyun: FakeAliyunSms) -> None:
    phones = [f"137{n:08d}" for n in range(NOTIFIED_USERS)]
    with stack.session() as session:
        users = [user_row(session, phone).id for phone in phones]
        for user_id in users:  # an urgent kind: an SMS delivery each (no WeChat openid: that channel is skipped)
            for i in range(NOTES_EACH):
                notify(session, user_id, Kind.SHOW_TOMORROW, "明天有演出", f"第{i}场", booking_id=None,
                       step=f"handoffs-{i}")
        session.commit()
    total = NOTIFIED_USERS * NOTES_EACH
    rows = stack.sql("SELECT id, notification_id, channel FROM notification_deliveries WHERE user_id = ANY(:u) "
                     "AND status = 'pending'", u=users)
    assert len(rows) == total and {c for *_, c in rows} == {"sms"}
    stack.poll("all sent", lambda: stack.sql(
        "SELECT status, count(*), max(attempts) FROM notification_deliveries WHERE user_id = ANY(:u) "
        "AND channel = 'sms' GROUP BY status", u=users), lambda r: r == [("sent", total, 1)], timeout=120)

    ours = sorted(f"notify-{n}-sms" for _, n, _ in rows)

    async def workflows(client: Any) -> list[tuple[str, str, str]]:
        """(workflow id, the identity that started it, the identity that ran its send) of every run of the delivery
        workflows of these notifications."""
        found = []
        async for w in client.list_workflows('WorkflowType = "NotificationDelivery"'):
            if w.id not in ours:
                continue
            history = await client.get_workflow_handle(w.id, run_id=w.run_id).fetch_history()
            starter = sender = ""
            for e in history.events:
                if e.HasField("workflow_execution_started_event_attributes"):
                    starter = e.workflow_execution_started_event_attributes.identity
                elif e.HasField("activity_task_started_event_attributes"):
                    sender = e.activity_task_started_event_attributes.identity
            found.append((w.id, starter, sender))
        return found

    found = stack.poll("delivery workflows visible", lambda: stack.temporal(workflows),
                       lambda f: len(f) >= len(ours), timeout=30, show=len)
    assert sorted(w[0] for w in found) == ours  # one workflow run per notification and channel
    pids = stack.worker_pids()
    name = {f"{pid}@": n for pid, n in pids.items()}

    def who(identity: str) -> str:
        return next((n for prefix, n in name.items() if identity.startswith(prefix)), identity)

    starters, senders = Counter(who(s) for _, s, _ in found), Counter(who(s) for *_, s in found)
    print(f"delivery workflows started by {dict(starters)}, sent by {dict(senders)}")
    # Both dispatchers offer the same pending rows; which one Temporal lets start each is a race (usually both win
    # some). The sends are the workflows' activities: both workers run them.
    assert set(starters) <= {"worker-1", "worker-2"} and set(senders) == {"worker-1", "worker-2"}, (starters, senders)
    # One send per delivery row: the provider received each message once.
    sends = Counter(m.phone for m in aliyun.sent if m.phone in phones)
    assert sends == dict.fromkeys(phones, NOTES_EACH), sends


def _booking_with_lost_callback(stack: HandoffStack, wechatpay: FakeWechatPay, client: Party, artist: Party,
                                days: int) -> tuple[int, str]:
    booking_id, _ = stack.inquiry(client, artist, start_in=days * 86400, duration=3600)
    stack.to_signed(client, artist, booking_id, FEE)
    order_id, _ = stack.open_wechat_payment(client, booking_id, "pay_deposit")
    wechatpay.pay(order_id)  # paid at WeChat Pay; its notification never arrives
    return booking_id, order_id


def test_lost_callbacks_reconciled_once_and_activities_on_both(stack: HandoffStack,
                                                               wechatpay: FakeWechatPay) -> None:
    client = stack.register("13800007001", "client", "王经理", 71)
    artist = stack.register("13900007001", "artist", "林晚晴", 72)
    bind_openid(stack, client)
    bookings = [_booking_with_lost_callback(stack, wechatpay, client, artist, days) for days in range(3, 9)]
    orders = [o for _, o in bookings]
    stack.execute(SLOW_INBOX)
    # Open for half an hour: past settings.payment_reconcile_after_minutes, for both workers' next rounds.
    stack.execute("UPDATE payment_orders SET created_at = created_at - interval '30 minutes' WHERE id = ANY(:o)",
                  o=orders)
    waited: set[str] = set()  # workers seen waiting for an order row the other holds

    def paid() -> int:
        waited.update(a for (a,) in stack.sql(
            "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name LIKE 'worker-%' AND wait_event_type = 'Lock' AND query LIKE '%payment_orders%'"))
        return int(stack.sql("SELECT count(*) FROM payment_orders WHERE id = ANY(:o) AND status = 'paid'",
                             o=orders)[0][0])

    stack.poll("all reconciled", paid, lambda n: n == len(orders), timeout=90, every=0.1)
    print(f"workers that waited for an order the other was recording: {sorted(waited)}")
    assert waited, "the two reconcilers never met on an order: nothing raced"
    for booking_id, order_id in bookings:
        assert stack.wait_status(client, booking_id, "DEPOSIT_PAID", timeout=30)["paid_amount"] == DEPOSIT
        txn = wechatpay.orders[order_id].transaction_id
        assert stack.sql("SELECT notification_id FROM payment_notifications WHERE order_id = :o",
                         o=order_id) == [(f"query:{txn}",)]
        assert stack.sql("SELECT count(*) FROM journal_entries WHERE kind = 'payment' AND ref = :o",
                         o=order_id) == [(1,)]
        actions = Counter(a for (a,) in stack.sql("SELECT action FROM booking_events WHERE booking_id = :b",
                                                  b=booking_id))
        assert actions["deposit_paid"] == 1 and actions["unexpected_payment"] == 0, actions
        dup = stack.sql("SELECT user_id, step FROM notifications WHERE booking_id = :b GROUP BY user_id, step "
                        "HAVING count(*) > 1", b=booking_id)
        assert dup == [], dup
    logs = stack.worker_log(1) + stack.worker_log(2)
    per_order = Counter(re.findall(r"payment reconciled by query booking=\d+ order=(\S+)", logs))
    assert per_order == dict.fromkeys(orders, 1), per_order  # one worker recorded each; the other found it done
    recorded_by = {n: len(re.findall(r"payment reconciled by query", stack.worker_log(n))) for n in (1, 2)}
    print(f"lost callbacks recorded per worker: {recorded_by}")

    # The bookings' activities ran on both workers.
    ran, held = {}, {}
    for booking_id, _ in bookings:
        activities, tasks, failed = stack.workers_of(f"booking-{booking_id}")
        assert failed == [], failed
        ran[booking_id], held[booking_id] = activities, tasks
    # Which worker takes a booking is the matching service's choice, and a workflow task's activities start eagerly
    # on the worker that ran it, so so far they may all share one worker.
    print(f"activities of each booking ran on, before a worker stops: {ran}")
    assert set().union(*ran.values()) <= {"worker-1", "worker-2"}, ran

    # A rolling deploy stops the worker that ran the most (SIGTERM: it finishes what it holds and exits); the
    # other takes the bookings over, and their balance payments run there.
    busiest = Counter(w for r in held.values() for w in r).most_common(1)[0][0]
    moved = [b for b, tasks in held.items() if busiest in tasks]
    proc = stack.procs[busiest]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    for booking_id, _ in bookings:
        order_id, _ = stack.open_wechat_payment(client, booking_id, "pay_balance")
        assert wechatpay.deliver(order_id) == 200
    for booking_id, _ in bookings:
        assert stack.wait_status(client, booking_id, "FULLY_PAID", timeout=60)["paid_amount"] == FEE
        activities, tasks, failed = stack.workers_of(f"booking-{booking_id}")
        assert failed == [], failed
        if booking_id in moved:  # taken over by the other worker: its work ran on both
            assert activities == tasks == {"worker-1", "worker-2"}, (booking_id, activities, tasks)
        paid = stack.sql("SELECT kind, count(*) FROM payment_orders WHERE booking_id = :b AND status = 'paid' "
                         "GROUP BY kind ORDER BY kind", b=booking_id)
        assert paid == [("balance", 1), ("deposit", 1)], paid
        actions = Counter(a for (a,) in stack.sql("SELECT action FROM booking_events WHERE booking_id = :b",
                                                  b=booking_id))
        assert (actions["deposit_paid"], actions["balance_paid"], actions["unexpected_payment"]) == (1, 1, 0), actions
        assert stack.sql("SELECT count(*) - count(DISTINCT step) FROM booking_events WHERE booking_id = :b",
                         b=booking_id) == [(0,)]
    print(f"stopped {busiest}; bookings taken over by the other worker: {moved}")
    assert moved
    with stack.session() as session:
        assert unbalanced_entries(session) == []
