"""Reconciling one gateway's bill of one day (Asia/Shanghai) against our books.

Each bill line is matched to our record of it — a paid payment order (by out_trade_no), a succeeded refund part
(by out_refund_no) — and to its ledger entry; our payments and refund parts of that day at that gateway that the
bill lacks are the other side. What disagrees lands in `reconciliation_differences`, once per gateway, day and
key, so rerunning a day adds nothing twice; an operator resolves each with a note. Gateway fees on the bill are
posted to the ledger (kind "gateway_fee", once per bill line)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from domain.ledger import accounts
from domain.ledger.service import post
from domain.models import JournalEntry, JournalLine, PaymentOrder, ReconciliationDifference, ReconciliationRun, Refund
from domain.payments.gateway import BillLine
from domain.reconciliation.errors import DifferenceNotFound, DifferenceResolved
from domain.reconciliation.messages import RunSummary
from domain.reconciliation.schemas import KIND_LABELS, DifferenceOut, DifferencePage, ResolveIn
from domain.time import shanghai_day_bounds, utc_now

log = logging.getLogger(__name__)

_REFUND_ID = re.compile(r"R(\d{1,18})-")


@dataclass(frozen=True)
class Difference:
    key: str
    kind: str
    line_kind: str
    detail: str
    order_id: str | None = None
    refund_no: str | None = None
    gateway_txn_id: str | None = None
    booking_id: int | None = None
    our_amount: int | None = None
    gateway_amount: int | None = None


def _ledger_amount(session: Session, kind: str, ref: str, account: str) -> int | None:
    """What the entry (kind, ref) moved on `account` (absolute fen), or None when it was never posted."""
    entry = session.scalar(select(JournalEntry.id).where(JournalEntry.kind == kind, JournalEntry.ref == ref))
    if entry is None:
        return None
    total = session.scalar(select(func.coalesce(func.sum(JournalLine.amount), 0)).where(
        JournalLine.entry_id == entry, JournalLine.account == account))
    return abs(int(total or 0))


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else f"{fen / 100:.2f} 元"


def _payment(session: Session, gateway: str, line: BillLine) -> list[Difference]:
    order = session.get(PaymentOrder, line.order_id)
    base: dict[str, Any] = dict(line_kind="payment", order_id=line.order_id, gateway_txn_id=line.gateway_txn_id,
                                gateway_amount=line.amount)
    if order is None or order.gateway != gateway or order.paid_at is None or not order.gateway_txn_id:
        return [Difference(key=f"payment:{line.order_id}:{line.gateway_txn_id}"[:120], kind="missing_on_our_side",
                           booking_id=order.booking_id if order else None,
                           detail=f"渠道收款 {_yuan(line.amount)}（交易号 {line.gateway_txn_id}），"
                                  "平台无此笔已支付订单", **base)]
    base["booking_id"] = order.booking_id
    if order.amount != line.amount:
        return [Difference(key=f"payment:{order.id}", kind="amount_mismatch", our_amount=order.amount,
                           detail=f"订单金额 {_yuan(order.amount)}，渠道账单 {_yuan(line.amount)}", **base)]
    posted = _ledger_amount(session, "payment", order.id, accounts.gateway(gateway))
    if posted is None:
        return [Difference(key=f"ledger:payment:{order.id}", kind="ledger_missing", our_amount=order.amount,
                           detail="订单已支付，但账簿没有这笔收款分录", **base)]
    if posted != line.amount:
        return [Difference(key=f"ledger:payment:{order.id}", kind="amount_mismatch", our_amount=posted,
                           detail=f"账簿收款 {_yuan(posted)}，渠道账单 {_yuan(line.amount)}", **base)]
    return []


def _refund_part(session: Session, refund_no: str) -> tuple[Refund, dict[str, Any]] | None:
    match = _REFUND_ID.match(refund_no)
    row = session.get(Refund, int(match.group(1))) if match else None
    part = next((p for p in (row.parts or []) if p.get("refund_no") == refund_no), None) if row else None
    return (row, part) if row is not None and part is not None else None


def _refund(session: Session, gateway: str, line: BillLine) -> list[Difference]:
    no = line.refund_no or ""
    found = _refund_part(session, no)
    base: dict[str, Any] = dict(line_kind="refund", order_id=line.order_id, refund_no=no or None,
                                gateway_txn_id=line.gateway_txn_id or None, gateway_amount=line.amount)
    if found is None or found[1].get("state") != "succeeded" or found[1].get("gateway") != gateway:
        return [Difference(key=f"refund:{no or line.gateway_txn_id}"[:120], kind="missing_on_our_side",
                           booking_id=found[0].booking_id if found else None,
                           detail=f"渠道退款 {_yuan(line.amount)}（退款单 {no}），平台无此笔成功退款", **base)]
    row, part = found
    base["booking_id"] = row.booking_id
    amount = int(part.get("amount") or 0)
    if amount != line.amount:
        return [Difference(key=f"refund:{no}", kind="amount_mismatch", our_amount=amount,
                           detail=f"退款金额 {_yuan(amount)}，渠道账单 {_yuan(line.amount)}", **base)]
    posted = _ledger_amount(session, "refund", f"{row.id}:{part.get('order_id')}", accounts.gateway(gateway))
    if posted is None:
        return [Difference(key=f"ledger:refund:{no}", kind="ledger_missing", our_amount=amount,
                           detail="退款已成功，但账簿没有这笔退款分录", **base)]
    if posted != line.amount:
        return [Difference(key=f"ledger:refund:{no}", kind="amount_mismatch", our_amount=posted,
                           detail=f"账簿退款 {_yuan(posted)}，渠道账单 {_yuan(line.amount)}", **base)]
    return []


def _ours_missing_at_gateway(session: Session, gateway: str, start: datetime, end: datetime,
                             lines: list[BillLine]) -> list[Difference]:
    billed_orders = {ln.order_id for ln in lines if ln.kind == "payment"}
    billed_refunds = {ln.refund_no for ln in lines if ln.kind == "refund"}
    out = []
    for order in session.scalars(select(PaymentOrder).where(
            PaymentOrder.gateway == gateway, PaymentOrder.paid_at >= start, PaymentOrder.paid_at < end,
            PaymentOrder.gateway_txn_id.is_not(None)).order_by(PaymentOrder.paid_at)):
        if order.id not in billed_orders:
            out.append(Difference(key=f"payment:{order.id}", kind="missing_at_gateway", line_kind="payment",
                                  order_id=order.id, gateway_txn_id=order.gateway_txn_id, booking_id=order.booking_id,
                                  our_amount=order.amount,
                                  detail=f"平台记录已支付 {_yuan(order.amount)}，渠道账单没有这笔收款"))
    for row in session.scalars(select(Refund).where(Refund.succeeded_at >= start, Refund.succeeded_at < end)
                               .order_by(Refund.id)):
        for part in row.parts or []:
            no = part.get("refund_no")
            if part.get("gateway") == gateway and part.get("state") == "succeeded" and no not in billed_refunds:
                out.append(Difference(key=f"refund:{no}", kind="missing_at_gateway", line_kind="refund",
                                      order_id=part.get("order_id"), refund_no=no, booking_id=row.booking_id,
                                      our_amount=int(part.get("amount") or 0),
                                      detail=f"平台记录已退款 {_yuan(part.get('amount'))}，渠道账单没有这笔退款"))
    return out


def _post_fee(session: Session, gateway: str, line: BillLine) -> int:
    if not line.fee:
        return 0
    booking = session.scalar(select(PaymentOrder.booking_id).where(PaymentOrder.id == line.order_id))
    ident = line.refund_no if line.kind == "refund" else line.gateway_txn_id
    post(session, kind="gateway_fee", ref=f"{gateway}:{line.kind}:{ident}"[:120], booking_id=booking, artist_id=None,
         lines=[(accounts.GATEWAY_FEES, line.fee), (accounts.gateway(gateway), -line.fee)],
         memo=f"{gateway} 手续费 {line.order_id}")
    return line.fee


def reconcile_day(session: Session, gateway: str, day: date, lines: list[BillLine]) -> RunSummary:
    """Compare `lines` (the gateway's bill of `day`) with our books; queue the differences, post the fees.
    Idempotent per gateway and day. Flushes only (the caller commits)."""
    start, end = shanghai_day_bounds(day)
    found: list[Difference] = []
    matched, fees = 0, 0
    for line in lines:
        diffs = _payment(session, gateway, line) if line.kind == "payment" else _refund(session, gateway, line)
        found.extend(diffs)
        matched += not diffs
        fees += _post_fee(session, gateway, line)
    found.extend(_ours_missing_at_gateway(session, gateway, start, end, lines))
    new = 0
    for d in found:
        inserted = session.execute(pg_insert(ReconciliationDifference).values(
            gateway=gateway, day=day, key=d.key, kind=d.kind, line_kind=d.line_kind, order_id=d.order_id,
            refund_no=d.refund_no, gateway_txn_id=d.gateway_txn_id, booking_id=d.booking_id, our_amount=d.our_amount,
            gateway_amount=d.gateway_amount, detail=d.detail[:300], status="open", created_at=utc_now(),
        ).on_conflict_do_nothing(constraint="uq_reconciliation_differences_key")
            .returning(ReconciliationDifference.id)).scalar_one_or_none()
        new += inserted is not None
    now = utc_now()
    values = dict(bill_lines=len(lines), matched=matched, differences=len(found), fee_amount=fees, finished_at=now)
    session.execute(pg_insert(ReconciliationRun).values(gateway=gateway, day=day, runs=1, started_at=now, **values)
                    .on_conflict_do_update(constraint="uq_reconciliation_runs_gateway_day",
                                           set_={"runs": ReconciliationRun.runs + 1, **values}))
    session.flush()
    log.info("reconciliation %s %s: %s lines, %s matched, %s differences (%s new), fees %s fen", gateway, day,
             len(lines), matched, len(found), new, fees)
    return RunSummary(gateway=gateway, day=day.isoformat(), bill_lines=len(lines), matched=matched,
                      differences=len(found), new_differences=new, fee_amount=fees)


# --- the operators' queue


def _out(row: ReconciliationDifference) -> DifferenceOut:
    return DifferenceOut(id=row.id, gateway=row.gateway, day=row.day, kind=row.kind,
                         kind_label=KIND_LABELS.get(row.kind, row.kind), line_kind=row.line_kind,
                         order_id=row.order_id, refund_no=row.refund_no, gateway_txn_id=row.gateway_txn_id,
                         booking_id=row.booking_id, our_amount=row.our_amount, gateway_amount=row.gateway_amount,
                         detail=row.detail, status=row.status,
                         resolution_note=row.resolution_note, resolved_by=row.resolved_by, resolved_at=row.resolved_at,
                         created_at=row.created_at)


def list_differences(session: Session, *, status: str | None = None, kind: str | None = None,
                     gateway: str | None = None, day_from: date | None = None, day_to: date | None = None,
                     booking_id: int | None = None, page: int = 1, page_size: int = 20) -> DifferencePage:
    query = select(ReconciliationDifference)
    for column, value in ((ReconciliationDifference.status, status), (ReconciliationDifference.kind, kind),
                          (ReconciliationDifference.gateway, gateway),
                          (ReconciliationDifference.booking_id, booking_id)):
        if value is not None:
            query = query.where(column == value)
    if day_from is not None:
        query = query.where(ReconciliationDifference.day >= day_from)
    if day_to is not None:
        query = query.where(ReconciliationDifference.day <= day_to)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ReconciliationDifference.day.desc(), ReconciliationDifference.id.desc())
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return DifferencePage(items=[_out(r) for r in rows], total=total, page=page, page_size=page_size)


def resolve(session: Session, difference_id: int, data: ResolveIn, operator_id: int) -> DifferenceOut:
    row = session.get(ReconciliationDifference, difference_id, with_for_update=True)
    if row is None:
        raise DifferenceNotFound()
    if row.status == "resolved":
        raise DifferenceResolved(detail={"resolved_at": row.resolved_at.isoformat() if row.resolved_at else None})
    row.status, row.resolution_note, row.resolved_by, row.resolved_at = "resolved", data.note, operator_id, utc_now()
    session.flush()
    return _out(row)
