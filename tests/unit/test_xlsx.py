"""domain.xlsx: headers, yuan amounts as numbers formatted 0.00 from integer fen, and a totals row that adds up."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from domain.xlsx import Column, workbook


def test_money_is_a_number_in_yuan_and_the_totals_row_adds_up() -> None:
    columns = [Column("订单号"), Column("金额(元)", "money"), Column("次数", "int"), Column("时间", "datetime"),
               Column("比例", "money", total=False)]
    rows = [["P1", 1, 2, datetime(2026, 1, 1, 16, 0, tzinfo=UTC), 10], ["P2", 123_456_789, 3, None, None],
            ["P3", 99, 0, None, 5]]
    data = workbook("支付流水/测试:很长很长很长很长很长很长很长很长的标题", columns, rows)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0] == ["订单号", "金额(元)", "次数", "时间", "比例"]
    assert values[1] == ["P1", 0.01, 2, "2026-01-02 00:00:00", 0.1]  # Asia/Shanghai wall clock
    assert values[2][1] == 1_234_567.89 and values[3][1] == 0.99
    assert values[4] == ["合计（3条）", 1_234_568.89, 5, None, None]
    assert ws["B2"].number_format == "0.00" and ws["B5"].number_format == "0.00"
    assert ws.column_dimensions["A"].width == 14 and ws.freeze_panes == "A2"
    assert len(ws.title) <= 31


def test_no_totals_row_without_summed_columns() -> None:
    ws = load_workbook(io.BytesIO(workbook("x", [Column("a"), Column("b")], [["1", "2"]]))).active
    assert ws is not None and ws.max_row == 2
