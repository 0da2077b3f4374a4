"""execute_payout through the sandbox channel and the bank-transfer channel: status, ledger, idempotency, two
bookings so a global key would show."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.ledger import accounts
from domain.ledger.service import balance
from domain.models import Booking, JournalEntry, Payout
from domain.payouts import bank
from domain.payouts.errors import PayoutBatchEmpty
from domain.payouts.sandbox import SandboxPayoutChannel
from domain.payouts.schemas import BatchResultIn
from domain.payouts.service import execute_payout, retry_payout, transfer_no
from tests.factories import artist_row
from tests.payouts.helpers import CIPHER, bank_account, settled_booking


def test_sandbox_pays_each_booking_once_and_posts_the_payout(db: Session) -> None:
    artist = artist_row(db)
    first, second = settled_booking(db, artist_id=artist), settled_booking(db, artist_id=artist, paid=500_000)
    channel = SandboxPayoutChannel()
    for payout in (first, second):
        assert execute_payout(db, channel, payout.booking_id, cipher=CIPHER) == "paid"
        assert execute_payout(db, channel, payout.booking_id, cipher=CIPHER) == "paid"  # again: nothing new
    db.commit()
    for payout, amount in ((first, 900_000), (second, 450_000)):
        db.refresh(payout)
        assert (payout.status, payout.channel, payout.attempts) == ("paid", "sandbox", 1)
        assert payout.paid_at is not None and payout.provider_id == f"sandbox-payout-PO{payout.booking_id}"
        assert balance(db, accounts.ARTIST_PAYABLE, booking_id=payout.booking_id) == 0
        assert balance(db, accounts.payout("sandbox"), booking_id=payout.booking_id) == -amount
    refs = db.scalars(select(JournalEntry.ref).where(JournalEntry.kind == "payout")).all()
    assert sorted(refs) == sorted([f"PO{first.booking_id}", f"PO{second.booking_id}"])


def test_payouts_not_approved_are_left_alone(db: Session) -> None:
    waiting = settled_booking(db, status="pending_approval")
    assert execute_payout(db, SandboxPayoutChannel(), waiting.booking_id, cipher=CIPHER) == "pending_approval"
    assert db.scalar(select(JournalEntry).where(JournalEntry.kind == "payout")) is None


def test_bank_batch_file_adds_up_and_finance_settles_each_line(db: Session) -> None:
    artist, other = artist_row(db), artist_row(db)
    bank_account(db, artist)
    bank_account(db, other, name="周子墨", no="6214830100998877", bank="招商银行上海分行")
    first, second = settled_booking(db, artist_id=artist), settled_booking(db, artist_id=other, paid=333_333)
    no_account = settled_booking(db)
    channel = bank.BankTransferChannel()
    assert execute_payout(db, channel, first.booking_id, cipher=CIPHER) == "paying"
    assert execute_payout(db, channel, second.booking_id, cipher=CIPHER) == "paying"
    assert execute_payout(db, channel, no_account.booking_id, cipher=CIPHER) == "failed"
    assert db.get(Booking, no_account.booking_id).needs_operator.startswith("结算出款失败")  # type: ignore[union-attr]
    db.commit()

    batch = bank.create_batch(db, None)
    db.commit()
    name, data = bank.batch_file(db, CIPHER, batch.id)
    assert name == f"{batch.batch_no}.xlsx"
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("序号", "收款户名", "账号", "开户行", "金额(元)", "用途", "商户单号", "结果(成功/失败)",
                       "失败原因")
    lines = rows[1:-1]
    assert [(r[1], r[2], r[3], r[6]) for r in lines] == [
        ("林晚晴", "6222020200112233445", "中国工商银行北京朝阳支行", f"PO{first.booking_id}"),
        ("周子墨", "6214830100998877", "招商银行上海分行", f"PO{second.booking_id}")]
    assert [r[4] for r in lines] == [9000.0, 3000.0]  # 333,333 fen less 10 % commission (33,333) = 3,000.00 yuan
    assert rows[-1][0] == "合计" and round(sum(r[4] for r in lines), 2) == rows[-1][4] == 12000.0
    assert ws.cell(row=2, column=5).number_format == "0.00"

    # Nothing new to batch: the same payouts are never exported twice.
    with pytest.raises(PayoutBatchEmpty):
        bank.create_batch(db, None)
    db.rollback()
    view = bank.batch_view(db, CIPHER, batch.id)
    assert [line.account_no_masked for line in view.lines] == ["6222 **** 3445", "6214 **** 8877"]
    line_of = {line.booking_id: line.id for line in view.lines}
    bank.settle_line(db, batch.id, line_of[first.booking_id], BatchResultIn(status="paid"), operator_id=None)  # type: ignore[arg-type]
    bank.settle_line(db, batch.id, line_of[second.booking_id], BatchResultIn(status="failed", reason="户名不符"),
                     operator_id=None)  # type: ignore[arg-type]
    db.commit()
    db.refresh(first)
    db.refresh(second)
    assert first.status == "paid" and balance(db, accounts.payout("bank"), booking_id=first.booking_id) == -900_000
    assert second.status == "failed" and "户名不符" in (second.failure_reason or "")
    assert balance(db, accounts.ARTIST_PAYABLE, booking_id=second.booking_id) == -300_000

    # The operator retries after the artist fixed the account: a new transfer number, in the next batch.
    retry_payout(db, channel, second.booking_id, cipher=CIPHER)
    db.commit()
    db.refresh(second)
    assert (second.status, second.attempts, transfer_no(second)) == ("paying", 2, f"PO{second.booking_id}A2")
    again = bank.create_batch(db, None)
    assert [line.transfer_no for line in bank.batch_view(db, CIPHER, again.id).lines] == [f"PO{second.booking_id}A2"]
    assert db.scalar(select(Payout.status).where(Payout.booking_id == first.booking_id)) == "paid"


def test_payee_data_under_another_key_fails_the_payout_with_a_reason_not_a_crash(db: Session) -> None:
    from domain.accounts.crypto import FieldCipher

    artist = artist_row(db)
    bank_account(db, artist)  # encrypted with the test key
    payout = settled_booking(db, artist_id=artist)
    other = FieldCipher("another-key", "another-hash")
    assert execute_payout(db, bank.BankTransferChannel(), payout.booking_id, cipher=other) == "failed"
    db.refresh(payout)
    assert "收款账户" in (payout.failure_reason or "")
