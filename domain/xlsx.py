"""Excel exports (openpyxl): one sheet with a Chinese header row, the rows, and a totals row.

Money arrives as integer fen and is written as a yuan *number* (fen / 100) formatted '0.00', so a spreadsheet
sums it; the totals row sums the fen first, so it is exact whatever the cell arithmetic. Times are written as
Asia/Shanghai wall-clock text (Excel has no time zones)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from domain.time import SHANGHAI, utc_now

Kind = Literal["text", "money", "int", "datetime"]
MONEY_FORMAT = "0.00"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FILL = PatternFill("solid", fgColor="F2F3F5")
_MAX_TITLE = 31  # Excel's limit on a sheet title


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    width: int = 14
    total: bool = True  # money and int columns are summed in the totals row unless False


def attachment_headers(name: str) -> dict[str, str]:
    """Download headers for an export named `name` (Chinese allowed: RFC 5987 filename*, an ASCII fallback),
    stamped with the Beijing time it was made."""
    stamp = utc_now().astimezone(SHANGHAI).strftime("%Y%m%d%H%M")
    return {"Content-Disposition": f"attachment; filename=\"export-{stamp}.xlsx\"; "
                                   f"filename*=UTF-8''{quote(f'{name}-{stamp}.xlsx')}",
            "Cache-Control": "no-store"}


def yuan(fen: int) -> float:
    """A fen amount as yuan for a cell: exact to two decimals for any amount a booking can hold."""
    return fen / 100


def _cell(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    if kind == "money":
        return yuan(int(value))
    if kind == "datetime" and isinstance(value, datetime):
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    if kind == "datetime" and isinstance(value, date):
        return value.isoformat()
    return value


def workbook(title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
             totals_label: str = "合计") -> bytes:
    """The .xlsx bytes of one sheet titled `title`: headers, rows (one value per column; money in fen) and,
    when any column is summed, a last row labelled `totals_label` in the first column."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = re.sub(r"[\\/*?:\[\]]", "-", title)[:_MAX_TITLE] or "Sheet1"  # characters Excel refuses
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    sums = [0] * len(columns)
    count = 0
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"row has {len(row)} values for {len(columns)} columns")
        ws.append([_cell(c.kind, v) for c, v in zip(columns, row, strict=True)])
        count += 1
        for i, (c, v) in enumerate(zip(columns, row, strict=True)):
            if c.kind in ("money", "int") and c.total and v is not None:
                sums[i] += int(v)
    summed = [i for i, c in enumerate(columns) if c.kind in ("money", "int") and c.total]
    if summed:
        totals: list[Any] = [None] * len(columns)
        for i in summed:
            totals[i] = _cell(columns[i].kind, sums[i])
        if totals[0] is None:  # the label goes in the first column unless that column is summed
            totals[0] = f"{totals_label}（{count}条）"
        ws.append(totals)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
        if c.kind == "money":
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = MONEY_FORMAT
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
