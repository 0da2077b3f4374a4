"""Excel exports of the operators' 结算审批 and 对账差异 queues: `.xlsx` siblings of their list routes
(GET /admin/settlements, GET /admin/reconciliation/differences) taking the same filters, as every money list does
(see api/routers/money_records.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import Db, require_permission
from domain.accounts.permissions import Permission
from domain.ledger.schemas import SettlementStatus
from domain.models import Operator
from domain.payments import queue_exports
from domain.reconciliation.schemas import DifferenceKind
from domain.xlsx import XLSX_MEDIA_TYPE, attachment_headers

router = APIRouter(tags=["admin"])
FinanceSettlementOp = Annotated[Operator, Depends(require_permission(Permission.FINANCE_SETTLEMENT))]
FinanceReconciliationOp = Annotated[Operator, Depends(require_permission(Permission.FINANCE_RECONCILIATION))]

IdFilter = Annotated[int | None, Query(ge=1, le=2**62)]
XLSX_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "Excel 文件（.xlsx）"}}


def _xlsx(content: bytes, name: str) -> Response:
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers=attachment_headers(name))


@router.get("/admin/settlements.xlsx", response_class=Response, responses=XLSX_RESPONSE,
            summary="导出结算审批列表 Excel")
def settlements_export(op: FinanceSettlementOp, db: Db,
                       status: Annotated[list[SettlementStatus] | None, Query(max_length=6)] = None,
                       artist_id: IdFilter = None, booking_id: IdFilter = None) -> Response:
    content = queue_exports.settlements_workbook(db, status=list(status) if status else None, artist_id=artist_id,
                                                 booking_id=booking_id)
    return _xlsx(content, "结算审批")


@router.get("/admin/reconciliation/differences.xlsx", response_class=Response, responses=XLSX_RESPONSE,
            summary="导出对账差异 Excel")
def differences_export(
    op: FinanceReconciliationOp, db: Db,
    status: Annotated[Literal["open", "resolved"] | None, Query(description="open 待处理 / resolved 已处理")] = None,
    kind: DifferenceKind | None = None,
    gateway: Annotated[str | None, Query(max_length=20, pattern="^[a-z_]+$")] = None,
    day_from: Annotated[date | None, Query(description="对账日期起（含）")] = None,
    day_to: Annotated[date | None, Query(description="对账日期止（含）")] = None,
    booking_id: IdFilter = None,
) -> Response:
    content = queue_exports.differences_workbook(db, status=status, kind=kind, gateway=gateway, day_from=day_from,
                                                 day_to=day_to, booking_id=booking_id)
    return _xlsx(content, "对账差异")
