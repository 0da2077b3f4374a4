"""Payouts and reconciliation through the API: the artist's masked 收款账户, a failed bank payout retried by an
operator, finance's batch file and results, and the reconciliation queue (filter, resolve once)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.ledger import accounts
from domain.ledger.service import balance
from domain.models import Booking, Payout, ReconciliationDifference, User
from domain.payouts.bank import BankTransferChannel
from domain.payouts.errors import PayoutNotRetryable
from domain.payouts.service import execute_payout, retry_payout
from domain.time import SHANGHAI, utc_now
from tests.factories import artist_row
from tests.helpers import V1, bearer, operator_token, register_artist
from tests.payouts.helpers import CIPHER, bank_account, settled_booking

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _artist(api: httpx.AsyncClient, db: Session, phone: str) -> tuple[str, int]:
    token = await register_artist(api, phone)
    user = db.scalar(select(User).where(User.phone == phone))
    assert user is not None
    return token, user.id


async def test_the_artist_keeps_a_masked_payout_account(api: httpx.AsyncClient, db: Session) -> None:
    token, _ = await _artist(api, db, "13800000101")
    res = await api.get(f"{V1}/me/artist/payout-account", headers=bearer(token))
    assert res.status_code == 200 and res.json() is None
    bad = await api.put(f"{V1}/me/artist/payout-account", headers=bearer(token),
                        json={"account_name": "林晚晴", "account_no": "6222-0202", "bank_name": "工商银行"})
    assert bad.status_code == 422
    res = await api.put(f"{V1}/me/artist/payout-account", headers=bearer(token), json={
        "account_name": "林晚晴", "account_no": "6222020200112233445", "bank_name": "中国工商银行北京朝阳支行"})
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["account_name_masked"], body["account_no_masked"]) == ("林**", "6222 **** 3445")
    assert "6222020200112233445" not in (await api.get(f"{V1}/me/artist/payout-account", headers=bearer(token))).text


async def test_failed_bank_payouts_are_retried_batched_and_settled_by_finance(
        api: httpx.AsyncClient, db: Session) -> None:
    ops = bearer(await operator_token(api, db))
    (first_token, first_artist), (second_token, second_artist) = (await _artist(api, db, "13800000102"),
                                                                  await _artist(api, db, "13800000103"))
    first, second = settled_booking(db, artist_id=first_artist), settled_booking(db, artist_id=second_artist,
                                                                                 paid=250_050)
    for payout in (first, second):  # neither artist has a bank account yet
        assert execute_payout(db, BankTransferChannel(), payout.booking_id, cipher=CIPHER) == "failed"
    db.commit()
    failed = (await api.get(f"{V1}/admin/payouts", headers=ops, params={"status": "failed"})).json()
    assert {p["booking_id"] for p in failed["items"]} == {first.booking_id, second.booking_id}
    assert all(p["status_label"] == "出款失败" and "收款账户" in p["failure_reason"] for p in failed["items"])
    # The operator's retry (POST /admin/settlements/{id}/retry) reaches retry_payout through the workflow's
    # PAY_OUT activity: still no account, so it fails again.
    assert retry_payout(db, BankTransferChannel(), first.booking_id, cipher=CIPHER).status == "failed"
    db.commit()

    for token, no in ((first_token, "6222020200112233445"), (second_token, "6214830100998877")):
        res = await api.put(f"{V1}/me/artist/payout-account", headers=bearer(token),
                            json={"account_name": "林晚晴", "account_no": no, "bank_name": "招商银行北京分行"})
        assert res.status_code == 200, res.text
    for payout in (first, second):
        assert retry_payout(db, BankTransferChannel(), payout.booking_id, cipher=CIPHER).status == "paying"
    db.commit()
    paying = (await api.get(f"{V1}/admin/payouts", headers=ops, params={"status": "paying", "channel": "bank"})).json()
    assert {(p["booking_id"], p["status_label"]) for p in paying["items"]} == {
        (first.booking_id, "出款中"), (second.booking_id, "出款中")}
    assert all(p["transfer_no"].startswith(f"PO{p['booking_id']}A") for p in paying["items"])
    with pytest.raises(PayoutNotRetryable):
        retry_payout(db, BankTransferChannel(), first.booking_id, cipher=CIPHER)
    db.rollback()

    made = await api.post(f"{V1}/admin/payouts/bank-batches", headers=ops)
    assert made.status_code == 201, made.text
    batch = made.json()
    assert (batch["line_count"], batch["total_amount"]) == (2, 900_000 + 225_045)
    assert (await api.post(f"{V1}/admin/payouts/bank-batches", headers=ops)).json()["code"] == "payout_batch_empty"
    file = await api.get(f"{V1}/admin/payouts/bank-batches/{batch['id']}/file", headers=ops)
    assert file.status_code == 200 and file.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(file.content)).active.iter_rows(values_only=True))
    assert [r[2] for r in rows[1:-1]] == ["6222020200112233445", "6214830100998877"]
    assert [r[4] for r in rows[1:-1]] == [9000.0, 2250.45] and rows[-1][4] == 11250.45

    lines = {line["booking_id"]: line["id"] for line in batch["lines"]}
    paid = await api.post(f"{V1}/admin/payouts/bank-batches/{batch['id']}/lines/{lines[first.booking_id]}/result",
                          headers=ops, json={"status": "paid"})
    assert paid.status_code == 200, paid.text
    bounced = await api.post(f"{V1}/admin/payouts/bank-batches/{batch['id']}/lines/{lines[second.booking_id]}/result",
                             headers=ops, json={"status": "failed", "reason": "账号已销户"})
    assert [line["status"] for line in bounced.json()["lines"]] == ["paid", "failed"]
    clash = await api.post(f"{V1}/admin/payouts/bank-batches/{batch['id']}/lines/{lines[first.booking_id]}/result",
                           headers=ops, json={"status": "failed"})
    assert clash.status_code == 409
    db.expire_all()
    assert db.get(Payout, first.booking_id).status == "paid"  # type: ignore[union-attr]
    assert balance(db, accounts.payout("bank"), booking_id=first.booking_id) == -900_000
    assert db.get(Payout, second.booking_id).status == "failed"  # type: ignore[union-attr]
    assert "账号已销户" in (db.get(Booking, second.booking_id).needs_operator or "")  # type: ignore[union-attr]
    missing = await api.get(f"{V1}/admin/payouts/bank-batches/999999", headers=ops)
    assert missing.status_code == 404


async def test_operators_work_the_reconciliation_queue(api: httpx.AsyncClient, db: Session) -> None:
    ops = bearer(await operator_token(api, db))
    day = date(2026, 11, 30)
    for i, kind in enumerate(("amount_mismatch", "missing_at_gateway", "missing_on_our_side")):
        db.add(ReconciliationDifference(gateway="wechatpay" if i else "alipay", day=day + timedelta(days=i),
                                        key=f"payment:P{i}", kind=kind, line_kind="payment", order_id=f"P{i}",
                                        our_amount=100 * i, gateway_amount=99 * i, detail=f"差异 {i}"))
    db.commit()
    res = await api.get(f"{V1}/admin/reconciliation/differences", headers=ops,
                        params={"gateway": "wechatpay", "status": "open"})
    assert res.status_code == 200, res.text
    page = res.json()
    assert page["total"] == 2 and [d["kind"] for d in page["items"]] == ["missing_on_our_side", "missing_at_gateway"]
    assert page["items"][0]["kind_label"] == "平台漏记（渠道有、平台无）"
    ranged = await api.get(f"{V1}/admin/reconciliation/differences", headers=ops,
                           params={"day_from": "2026-11-30", "day_to": "2026-12-01"})
    assert ranged.json()["total"] == 2
    target = page["items"][0]["id"]
    blank = await api.post(f"{V1}/admin/reconciliation/differences/{target}/resolve", headers=ops, json={"note": " "})
    assert blank.status_code == 422
    done = await api.post(f"{V1}/admin/reconciliation/differences/{target}/resolve", headers=ops,
                          json={"note": "渠道次日补单，已核实"})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    twice = await api.post(f"{V1}/admin/reconciliation/differences/{target}/resolve", headers=ops,
                           json={"note": "再次处理"})
    assert twice.status_code == 409 and twice.json()["code"] == "reconciliation_difference_resolved"
    resolved = (await api.get(f"{V1}/admin/reconciliation/differences", headers=ops,
                              params={"status": "resolved"})).json()
    assert [d["id"] for d in resolved["items"]] == [target] and resolved["items"][0]["resolution_note"]
    today = utc_now().astimezone(SHANGHAI).date().isoformat()
    early = await api.post(f"{V1}/admin/reconciliation/runs", headers=ops, json={"day": today})
    assert early.status_code == 422 and early.json()["code"] == "reconciliation_day_invalid"


async def test_finance_uploads_the_batch_file_with_results_filled_in(api: httpx.AsyncClient, db: Session) -> None:
    ops = bearer(await operator_token(api, db))
    artist = artist_row(db)
    bank_account(db, artist)
    first, second = settled_booking(db, artist_id=artist), settled_booking(db, artist_id=artist, paid=120_000)
    for payout in (first, second):
        assert execute_payout(db, BankTransferChannel(), payout.booking_id, cipher=CIPHER) == "paying"
    db.commit()
    batch = (await api.post(f"{V1}/admin/payouts/bank-batches", headers=ops)).json()
    file = await api.get(f"{V1}/admin/payouts/bank-batches/{batch['id']}/file", headers=ops)
    wb = load_workbook(io.BytesIO(file.content))
    ws = wb.active
    assert [c.value for c in ws[1]][-2:] == ["结果(成功/失败)", "失败原因"]

    def upload(content: bytes) -> Any:
        return api.post(f"{V1}/admin/payouts/bank-batches/{batch['id']}/results", headers=ops,
                        files={"file": ("结果.xlsx", content, XLSX)})

    assert (await upload(b"not a spreadsheet")).json()["code"] == "payout_result_file_invalid"
    ws.cell(row=2, column=8, value="成功")
    ws.cell(row=3, column=8, value="失败")
    ws.cell(row=3, column=9, value="户名与账号不符")
    ws.cell(row=4, column=7, value="PO-not-in-batch")
    ws.cell(row=4, column=8, value="成功")
    out = io.BytesIO()
    wb.save(out)
    wrong = await upload(out.getvalue())
    assert wrong.status_code == 422 and "不在本批次" in wrong.json()["message"]
    db.expire_all()
    assert db.get(Payout, first.booking_id).status == "paying"  # type: ignore[union-attr]  # nothing recorded
    ws.cell(row=4, column=8).value = None  # the totals row again
    out = io.BytesIO()
    wb.save(out)
    done = await upload(out.getvalue())
    assert done.status_code == 200, done.text
    assert [(line["status"], line["failure_reason"]) for line in done.json()["lines"]] == [
        ("paid", None), ("failed", "户名与账号不符")]
    db.expire_all()
    assert db.get(Payout, first.booking_id).status == "paid"  # type: ignore[union-attr]
    assert db.get(Payout, second.booking_id).status == "failed"  # type: ignore[union-attr]
    assert (await upload(out.getvalue())).status_code == 200  # the same file again changes nothing


async def test_a_result_file_with_a_reason_over_several_lines_is_recorded(api: httpx.AsyncClient,
                                                                          db: Session) -> None:
    """失败原因 typed over two lines in Excel (Alt+Enter), or with a stray control character from the bank's
    portal, is recorded on one line — never a 500."""
    ops = bearer(await operator_token(api, db))
    artist = artist_row(db)
    bank_account(db, artist)
    first, second = settled_booking(db, artist_id=artist), settled_booking(db, artist_id=artist, paid=120_000)
    for payout in (first, second):
        assert execute_payout(db, BankTransferChannel(), payout.booking_id, cipher=CIPHER) == "paying"
    db.commit()
    batch = (await api.post(f"{V1}/admin/payouts/bank-batches", headers=ops)).json()
    file = await api.get(f"{V1}/admin/payouts/bank-batches/{batch['id']}/file", headers=ops)
    wb = load_workbook(io.BytesIO(file.content))
    ws = wb.active
    ws.cell(row=2, column=8, value="失败")
    ws.cell(row=2, column=9, value="户名不符\n请核实")
    ws.cell(row=3, column=8, value="失败")
    ws.cell(row=3, column=9, value="账号\t已销户")
    out = io.BytesIO()
    wb.save(out)
    done = await api.post(f"{V1}/admin/payouts/bank-batches/{batch['id']}/results", headers=ops,
                          files={"file": ("结果.xlsx", out.getvalue(), XLSX)})
    assert done.status_code == 200, done.text
    assert [line["failure_reason"] for line in done.json()["lines"]] == ["户名不符 请核实", "账号 已销户"]
