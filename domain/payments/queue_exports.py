"""Excel exports of the operators' two money queues: 结算审批 (settlements) and 对账差异 (reconciliation
differences). Each reads the queue's own list function with the same filters, every page, so the file holds
exactly the rows the console lists."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from domain.ledger import settlements
from domain.ledger.schemas import SettlementOut
from domain.payments.records import gateway_label
from domain.reconciliation import service as reconciliation
from domain.reconciliation.schemas import DifferenceOut
from domain.xlsx import Column, workbook

MAX_EXPORT_ROWS = 50_000

SETTLEMENT_COLUMNS = [
    Column("预约编号", "int", 10, total=False), Column("艺人", width=14), Column("订单状态", width=10),
    Column("演出结束", "datetime", 20), Column("结算总额(元)", "money", 13), Column("佣金比例(%)", width=11),
    Column("佣金(元)", "money", 12), Column("打款金额(元)", "money", 13), Column("结算状态", width=12),
    Column("打款单号", width=14), Column("打款渠道", width=12), Column("自动审核时间", "datetime", 20),
    Column("审核时间", "datetime", 20), Column("失败/驳回原因", width=28), Column("到账时间", "datetime", 20),
]

DIFFERENCE_COLUMNS = [
    Column("差异编号", "int", 10, total=False), Column("对账日期", "datetime", 12), Column("支付渠道", width=10),
    Column("差异类型", width=26), Column("流水类型", width=8), Column("订单号", width=30), Column("退款单号", width=20),
    Column("渠道交易号", width=32), Column("预约编号", "int", 10, total=False), Column("平台金额(元)", "money", 13),
    Column("渠道金额(元)", "money", 13), Column("说明", width=36), Column("状态", width=8),
    Column("处理说明", width=30), Column("处理时间", "datetime", 20),
]


def settlements_workbook(session: Session, *, status: list[str] | None, artist_id: int | None,
                         booking_id: int | None) -> bytes:
    page = settlements.list_settlements(session, status=status, artist_id=artist_id, booking_id=booking_id,
                                        page=1, page_size=MAX_EXPORT_ROWS)
    rows = [_settlement_cells(s) for s in page.items]
    return workbook("结算审批", SETTLEMENT_COLUMNS, rows)


def _settlement_cells(s: SettlementOut) -> list[object]:
    return [s.booking_id, s.artist_name or "", s.booking_status_label, s.show_end_at, s.gross_amount,
            f"{s.commission_rate_bp / 100:g}", s.commission_amount, s.payout_amount, s.status_label, s.payout_no,
            s.channel_label or s.channel or "", s.auto_approve_at, s.approved_at, s.failure_reason, s.paid_at]


def differences_workbook(session: Session, *, status: str | None, kind: str | None, gateway: str | None,
                         day_from: date | None, day_to: date | None, booking_id: int | None) -> bytes:
    page = reconciliation.list_differences(session, status=status, kind=kind, gateway=gateway, day_from=day_from,
                                           day_to=day_to, booking_id=booking_id, page=1,
                                           page_size=MAX_EXPORT_ROWS)
    rows = [_difference_cells(d) for d in page.items]
    return workbook("对账差异", DIFFERENCE_COLUMNS, rows)


def _difference_cells(d: DifferenceOut) -> list[object]:
    return [d.id, d.day, gateway_label(d.gateway), d.kind_label, "支付" if d.line_kind == "payment" else "退款",
            d.order_id, d.refund_no, d.gateway_txn_id, d.booking_id, d.our_amount, d.gateway_amount, d.detail,
            "已处理" if d.status == "resolved" else "待处理", d.resolution_note, d.resolved_at]
