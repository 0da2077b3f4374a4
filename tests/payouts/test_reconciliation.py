"""The daily reconciliation workflow in the time-skipping environment over a scripted gateway bill: a matching
line, an amount mismatch, a payment the bill lacks and a bill line we lack give exactly those differences; fees
are posted once; rerunning the day adds nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from temporalio.worker import Worker

from activities.reconciliation import ReconciliationActivities
from domain.ledger import accounts
from domain.ledger.service import balance, post
from domain.models import JournalEntry, PaymentOrder, ReconciliationDifference, ReconciliationRun, Refund
from domain.payments.gateway import BillLine
from domain.reconciliation.messages import ReconcileInput, RunSummary
from domain.time import SHANGHAI, utc_now
from integrations.errors import IntegrationError
from tests.factories import artist_row, insert_booking, paid_order, user_row
from workflows.reconciliation import DailyReconciliationWorkflow

QUEUE = "reconciliation-test"


class BillGateway:
    """A gateway whose bill of a day is whatever the test puts there."""

    is_sandbox, label = False, "测试渠道"

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: dict[date, list[BillLine]] = {}
        self.down = False

    def bill(self, day: date) -> list[BillLine]:
        if self.down:
            raise IntegrationError("payment_bill_not_ready", "账单尚未生成", status=400,
                                   provider_code="NO_STATEMENT_EXIST")
        return self.lines.get(day, [])


@pytest.fixture
async def gateways(temporal_env: Any, database_url: str) -> AsyncIterator[tuple[BillGateway, BillGateway]]:
    wechat, alipay = BillGateway("wechatpay"), BillGateway("alipay")
    acts = ReconciliationActivities(database_url, [wechat, alipay])
    async with Worker(temporal_env.client, task_queue=QUEUE, workflows=[DailyReconciliationWorkflow],
                      activities=acts.all(), activity_executor=ThreadPoolExecutor(4)):
        yield wechat, alipay


def _line(order_id: str, amount: int, *, fee: int = 0, txn: str | None = None) -> BillLine:
    return BillLine("wechatpay", "payment", order_id, None, txn or f"TXN{order_id}", amount, fee, utc_now())


def _paid(db: Session, booking: int, kind: str, amount: int) -> str:
    order_id = paid_order(db, booking, kind, amount, gateway="wechatpay")
    post(db, kind="payment", ref=order_id, booking_id=booking, artist_id=None,
         lines=[(accounts.gateway("wechatpay"), amount), (accounts.ESCROW, -amount)])
    db.commit()
    return order_id


async def _run(env: Any, **inp: Any) -> list[RunSummary]:
    return await env.client.execute_workflow(DailyReconciliationWorkflow.run, ReconcileInput(**inp),
                                             id=f"reconciliation-{uuid.uuid4().hex[:8]}", task_queue=QUEUE)


async def test_differences_are_exactly_what_disagrees_and_a_rerun_adds_none(
        db: Session, temporal_env: Any, gateways: tuple[BillGateway, BillGateway]) -> None:
    wechat, _ = gateways
    client, artist = user_row(db).id, artist_row(db)
    first, second = insert_booking(db, client, artist), insert_booking(db, client, artist)
    matching = _paid(db, first, "deposit", 300_000)
    mismatched = _paid(db, second, "deposit", 500_000)
    unbilled = _paid(db, second, "balance", 700_000)
    today = utc_now().astimezone(SHANGHAI).date()
    wechat.lines[today] = [_line(matching, 300_000, fee=1_800), _line(mismatched, 499_000, fee=2_994),
                           _line("P20261203unknown0001", 100_000, txn="4200000000000001")]

    [other, summary] = await _run(temporal_env, day=today.isoformat())  # gateways by name
    assert (summary.gateway, summary.bill_lines, summary.matched, summary.differences, summary.new_differences,
            summary.fee_amount) == ("wechatpay", 3, 1, 3, 3, 1_800 + 2_994)
    assert (other.gateway, other.bill_lines, other.differences, other.error) == ("alipay", 0, 0, None)
    rows = db.scalars(select(ReconciliationDifference).order_by(ReconciliationDifference.kind)).all()
    assert [(r.kind, r.order_id, r.booking_id, r.our_amount, r.gateway_amount) for r in rows] == [
        ("amount_mismatch", mismatched, second, 500_000, 499_000),
        ("missing_at_gateway", unbilled, second, 700_000, None),
        ("missing_on_our_side", "P20261203unknown0001", None, None, 100_000),
    ]
    assert all(r.status == "open" and r.day == today and r.gateway == "wechatpay" for r in rows)
    assert balance(db, accounts.GATEWAY_FEES) == 4_794
    assert balance(db, accounts.gateway("wechatpay")) == 300_000 + 500_000 + 700_000 - 4_794

    # The same day again (the schedule retried, or an operator ran it): nothing new, fees not posted twice.
    [_, again] = await _run(temporal_env, day=today.isoformat(), gateways=None)
    assert (again.differences, again.new_differences, again.fee_amount) == (3, 0, 4_794)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(ReconciliationDifference)) == 3
    assert db.scalar(select(func.count()).where(JournalEntry.kind == "gateway_fee")) == 2
    assert balance(db, accounts.GATEWAY_FEES) == 4_794
    run = db.scalar(select(ReconciliationRun).where(ReconciliationRun.gateway == "wechatpay"))
    assert run is not None and (run.runs, run.bill_lines, run.matched, run.differences) == (2, 3, 1, 3)


async def test_a_payment_missing_from_our_ledger_is_its_own_difference(
        db: Session, temporal_env: Any, gateways: tuple[BillGateway, BillGateway]) -> None:
    wechat, _ = gateways
    client, artist = user_row(db).id, artist_row(db)
    booking = insert_booking(db, client, artist)
    order = paid_order(db, booking, "deposit", 200_000, gateway="wechatpay")  # paid, but never posted
    today = utc_now().astimezone(SHANGHAI).date()
    wechat.lines[today] = [_line(order, 200_000)]
    [summary] = await _run(temporal_env, day=today.isoformat(), gateways=["wechatpay"])
    assert (summary.matched, summary.differences) == (0, 1)
    row = db.scalar(select(ReconciliationDifference))
    assert row is not None and (row.kind, row.order_id, row.booking_id) == ("ledger_missing", order, booking)


async def test_yesterday_by_default_and_a_bill_refused_is_reported_not_retried_forever(
        db: Session, temporal_env: Any, gateways: tuple[BillGateway, BillGateway]) -> None:
    wechat, _ = gateways
    wechat.down = True
    before = (await temporal_env.get_current_time()).astimezone(SHANGHAI).date() - timedelta(days=1)
    [fine, refused] = await _run(temporal_env)
    after = (await temporal_env.get_current_time()).astimezone(SHANGHAI).date() - timedelta(days=1)
    assert refused.day in (before.isoformat(), after.isoformat()) and fine.day == refused.day
    assert refused.gateway == "wechatpay" and refused.error and "NO_STATEMENT_EXIST" in refused.error
    assert fine.error is None
    assert db.scalar(select(func.count()).select_from(PaymentOrder)) == 0


def _refund(db: Session, booking: int, order_id: str, amount: int, *, posted: bool = True) -> str:
    row = Refund(booking_id=booking, step=f"refund-{order_id}-{amount}", amount=amount, status="succeeded",
                 succeeded_at=utc_now(), attempts=1)
    db.add(row)
    db.flush()
    no = f"R{row.id}-deposit"
    row.parts = [{"refund_no": no, "order_id": order_id, "gateway": "wechatpay", "amount": amount,
                  "state": "succeeded", "gateway_refund_id": f"5030{row.id:010d}"}]
    if posted:
        post(db, kind="refund", ref=f"{row.id}:{order_id}", booking_id=booking, artist_id=None,
             lines=[(accounts.ESCROW, amount), (accounts.gateway("wechatpay"), -amount)])
    db.commit()
    return no


async def test_refunds_are_matched_by_refund_number_on_both_sides(
        db: Session, temporal_env: Any, gateways: tuple[BillGateway, BillGateway]) -> None:
    wechat, _ = gateways
    client, artist = user_row(db).id, artist_row(db)
    first, second = insert_booking(db, client, artist), insert_booking(db, client, artist)
    first_order, second_order = _paid(db, first, "deposit", 300_000), _paid(db, second, "deposit", 200_000)
    matched = _refund(db, first, first_order, 100_000)
    unbilled = _refund(db, second, second_order, 50_000)
    unposted = _refund(db, second, second_order, 20_000, posted=False)
    today = utc_now().astimezone(SHANGHAI).date()
    refund_line = lambda no, order, amount, fee=0: BillLine(  # noqa: E731
        "wechatpay", "refund", order, no, f"5030{no}", amount, fee, utc_now())
    wechat.lines[today] = [_line(first_order, 300_000, fee=1_800), _line(second_order, 200_000, fee=1_200),
                           refund_line(matched, first_order, 100_000, fee=-600),
                           refund_line(unposted, second_order, 20_000),
                           refund_line("R999999-deposit", first_order, 10_000)]
    [summary] = await _run(temporal_env, day=today.isoformat(), gateways=["wechatpay"])
    assert (summary.bill_lines, summary.matched, summary.differences) == (5, 3, 3)
    rows = db.scalars(select(ReconciliationDifference).order_by(ReconciliationDifference.kind)).all()
    assert [(r.kind, r.line_kind, r.refund_no, r.booking_id, r.our_amount, r.gateway_amount) for r in rows] == [
        ("ledger_missing", "refund", unposted, second, 20_000, 20_000),
        ("missing_at_gateway", "refund", unbilled, second, 50_000, None),
        ("missing_on_our_side", "refund", "R999999-deposit", None, None, 10_000),
    ]
    assert balance(db, accounts.GATEWAY_FEES) == 1_800 + 1_200 - 600  # a refund gives part of the fee back
