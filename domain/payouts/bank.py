"""银行转账 (bank-transfer batch): payouts wait as "paying" until finance pays them from the bank's corporate
online banking with a batch file we produce, and records each line's result (paid / failed) in the console."""

from __future__ import annotations

import io
import logging
import re
import secrets

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.accounts.crypto import FieldCipher, mask_name
from domain.models import ArtistPayoutAccount, Payout, PayoutBatch, PayoutBatchLine
from domain.payouts.accounts import ACCOUNT_NAME_CONTEXT, ACCOUNT_NO_CONTEXT, mask_account_no
from domain.payouts.channel import Payee, TransferResult
from domain.payouts.errors import (
    PayoutBatchEmpty,
    PayoutBatchLineNotFound,
    PayoutBatchLineSettled,
    PayoutBatchNotFound,
    PayoutResultFileInvalid,
)
from domain.payouts.schemas import BatchLineOut, BatchOut, BatchResultIn
from domain.payouts.service import apply_result, transfer_no
from domain.time import SHANGHAI, utc_now

log = logging.getLogger(__name__)

BATCH_HEADERS = ["序号", "收款户名", "账号", "开户行", "金额(元)", "用途", "商户单号", "结果(成功/失败)", "失败原因"]
RESULT_FILE_MAX_BYTES = 5 * 1024 * 1024
_PAID_WORDS, _FAILED_WORDS = {"成功", "已付款", "已支付", "付款成功", "paid", "success"}, {"失败", "退回", "退票",
                                                                                   "付款失败", "failed", "fail"}
PURPOSE = "演出费结算"
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class BankTransferChannel:
    """Nothing is sent anywhere: a transfer is accepted as "processing" and waits for the next batch file."""

    name = "bank"
    is_sandbox = False
    label = "银行转账（财务批量付款）"

    def transfer(self, payout_no: str, amount: int, payee: Payee, memo: str) -> TransferResult:
        if payee.bank_account is None:
            return TransferResult("failed", failure_reason="艺人尚未填写收款账户（银行卡），请提醒艺人补充后重新出款")
        return TransferResult("processing")

    def query(self, payout_no: str) -> TransferResult:
        # The result is recorded by finance (`settle_line`), never learnt from the bank by the platform.
        return TransferResult("processing")


def create_batch(session: Session, operator_id: int | None) -> PayoutBatch:
    """Collect every bank payout in flight that is not in a batch yet into a new batch."""
    payouts = session.scalars(select(Payout).where(Payout.channel == "bank", Payout.status == "paying")
                              .order_by(Payout.booking_id).with_for_update(skip_locked=True)).all()
    batched = set(session.scalars(select(PayoutBatchLine.transfer_no).where(
        PayoutBatchLine.booking_id.in_([p.booking_id for p in payouts]))).all())
    todo = []
    for payout in payouts:
        account = session.get(ArtistPayoutAccount, payout.artist_id)
        if transfer_no(payout) in batched or account is None:
            continue
        todo.append((payout, account))
    if not todo:
        raise PayoutBatchEmpty()
    now = utc_now()
    batch = PayoutBatch(batch_no=f"PB{now.astimezone(SHANGHAI):%Y%m%d%H%M%S}{secrets.token_hex(3).upper()}",
                        created_by=operator_id, line_count=len(todo),
                        total_amount=sum(p.payout_amount for p, _ in todo), created_at=now)
    session.add(batch)
    session.flush()
    session.add_all([PayoutBatchLine(batch_id=batch.id, booking_id=p.booking_id, transfer_no=transfer_no(p),
                                     amount=p.payout_amount, account_name_cipher=a.account_name_cipher,
                                     account_no_cipher=a.account_no_cipher, bank_name=a.bank_name, status="exported")
                     for p, a in todo])
    session.flush()
    log.info("bank payout batch %s: %s lines, %s fen", batch.batch_no, batch.line_count, batch.total_amount)
    return batch


def _batch(session: Session, batch_id: int) -> PayoutBatch:
    batch = session.get(PayoutBatch, batch_id)
    if batch is None:
        raise PayoutBatchNotFound()
    return batch


def _lines(session: Session, batch_id: int) -> list[PayoutBatchLine]:
    return list(session.scalars(select(PayoutBatchLine).where(PayoutBatchLine.batch_id == batch_id)
                                .order_by(PayoutBatchLine.id)).all())


def batch_view(session: Session, cipher: FieldCipher, batch_id: int) -> BatchOut:
    batch = _batch(session, batch_id)
    lines = [BatchLineOut(
        id=line.id, booking_id=line.booking_id, transfer_no=line.transfer_no, amount=line.amount,
        account_name_masked=mask_name(cipher.decrypt(line.account_name_cipher, context=ACCOUNT_NAME_CONTEXT)),
        account_no_masked=mask_account_no(cipher.decrypt(line.account_no_cipher, context=ACCOUNT_NO_CONTEXT)),
        bank_name=line.bank_name, status=line.status,
        failure_reason=line.failure_reason, settled_at=line.settled_at) for line in _lines(session, batch_id)]
    return BatchOut(id=batch.id, batch_no=batch.batch_no, line_count=batch.line_count,
                    total_amount=batch.total_amount, created_at=batch.created_at, lines=lines)


def list_batches(session: Session, cipher: FieldCipher, limit: int = 50) -> list[BatchOut]:
    ids = session.scalars(select(PayoutBatch.id).order_by(PayoutBatch.id.desc()).limit(limit)).all()
    return [batch_view(session, cipher, batch_id) for batch_id in ids]


def batch_file(session: Session, cipher: FieldCipher, batch_id: int) -> tuple[str, bytes]:
    """The batch as an Excel sheet in the common layout of banks' batch-payment templates (one line per
    transfer, amounts in yuan with two decimals, our transfer number for matching the bank's result)."""
    batch = _batch(session, batch_id)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "批量付款"
    ws.append(BATCH_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    lines = _lines(session, batch_id)
    for i, line in enumerate(lines, start=1):
        ws.append([i, cipher.decrypt(line.account_name_cipher, context=ACCOUNT_NAME_CONTEXT),
                   cipher.decrypt(line.account_no_cipher, context=ACCOUNT_NO_CONTEXT), line.bank_name,
                   line.amount / 100, PURPOSE, line.transfer_no])
        ws.cell(row=i + 1, column=3).number_format = "@"  # a long account number stays text, not 6.2E+18
        ws.cell(row=i + 1, column=5).number_format = "0.00"
    ws.append(["合计", f"{len(lines)} 笔", None, None, batch.total_amount / 100, None, batch.batch_no, None, None])
    ws.cell(row=len(lines) + 2, column=5).number_format = "0.00"
    for col, width in zip("ABCDEFGHI", (6, 14, 24, 28, 12, 14, 20, 16, 24), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return f"{batch.batch_no}.xlsx", out.getvalue()


def settle_line(session: Session, batch_id: int, line_id: int, data: BatchResultIn, operator_id: int) -> None:
    """Finance records the bank's result of one line: the payout becomes paid (ledger entry) or failed
    (flagged for an operator, who retries it after the account is fixed)."""
    line = session.scalar(select(PayoutBatchLine).where(PayoutBatchLine.id == line_id,
                                                        PayoutBatchLine.batch_id == batch_id).with_for_update())
    if line is None:
        raise PayoutBatchLineNotFound()
    if line.status != "exported":
        if line.status == data.status:
            return  # the same result again: nothing to do
        raise PayoutBatchLineSettled(detail={"status": line.status})
    line.status, line.settled_by, line.settled_at = data.status, operator_id, utc_now()
    line.failure_reason = (data.reason or "银行退回")[:300] if data.status == "failed" else None
    payout = session.scalar(select(Payout).where(Payout.booking_id == line.booking_id).with_for_update())
    if payout is not None and payout.status == "paying" and transfer_no(payout) == line.transfer_no:
        result = TransferResult("succeeded", provider_id=line.transfer_no) if data.status == "paid" else \
            TransferResult("failed", failure_reason=f"银行转账失败：{line.failure_reason}")
        apply_result(session, payout, "bank", result)
    session.flush()


def _cell(row: tuple[object, ...], i: int | None) -> str:
    return str(row[i]).strip() if i is not None and i < len(row) and row[i] is not None else ""


def apply_result_file(session: Session, batch_id: int, data: bytes, operator_id: int) -> int:
    """Finance uploads the batch file back with 结果 filled in (成功 / 失败, and 失败原因): each line is recorded as
    by `settle_line`; blank results are skipped. Returns how many lines were recorded."""
    _batch(session, batch_id)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
    except Exception as exc:  # not an xlsx (zip/xml errors of every kind)
        raise PayoutResultFileInvalid() from exc
    header = [str(c).strip() if c is not None else "" for c in (rows[0] if rows else [])]
    if "商户单号" not in header or "结果(成功/失败)" not in header:
        raise PayoutResultFileInvalid("结果文件缺少“商户单号”或“结果(成功/失败)”列，请在下载的批次文件上填写")
    no_col, result_col = header.index("商户单号"), header.index("结果(成功/失败)")
    reason_col = header.index("失败原因") if "失败原因" in header else None
    lines = {line.transfer_no: line for line in _lines(session, batch_id)}
    recorded, problems = 0, []
    for number, row in enumerate(rows[1:], start=2):
        transfer, result = _cell(row, no_col), _cell(row, result_col).lower()
        if not result:
            continue
        if transfer not in lines:
            problems.append(f"第{number}行：商户单号 {transfer[:40]} 不在本批次")
            continue
        if result not in _PAID_WORDS | _FAILED_WORDS:
            problems.append(f"第{number}行：结果“{result[:10]}”应为 成功 或 失败")
            continue
        status = "paid" if result in _PAID_WORDS else "failed"
        line = lines[transfer]
        if line.status != "exported" and line.status != status:
            problems.append(f"第{number}行：{transfer} 已登记为{'成功' if line.status == 'paid' else '失败'}")
            continue
        # Excel's Alt+Enter line breaks and stray control characters of the bank's portal become one space.
        reason = " ".join(_CONTROLS.sub(" ", _cell(row, reason_col)).split())[:200] or None
        try:
            result_in = BatchResultIn(status=status, reason=reason)
        except ValidationError:  # invisible or broken characters the per-line route refuses too
            problems.append(f"第{number}行：失败原因包含无法识别的字符")
            continue
        settle_line(session, batch_id, line.id, result_in, operator_id)
        recorded += 1
    if problems:
        raise PayoutResultFileInvalid("；".join(problems[:10]), detail={"problems": problems})
    return recorded
