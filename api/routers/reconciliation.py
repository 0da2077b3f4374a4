"""Operators and the daily reconciliation: the differences queue (filter, resolve with a note) and a run of a
day now."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import Ctx, Db, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.models import Operator
from domain.reconciliation import commands, service
from domain.reconciliation.schemas import DifferenceKind, DifferenceOut, DifferencePage, ResolveIn, RunIn, RunsOut

router = APIRouter(prefix="/admin/reconciliation", tags=["admin"])
FinanceReconciliationOp = Annotated[Operator, Depends(require_permission(Permission.FINANCE_RECONCILIATION))]


@router.get("/differences", response_model=DifferencePage, summary="对账差异（运营处理队列）")
def list_differences(
    op: FinanceReconciliationOp, db: Db,
    status: Annotated[Literal["open", "resolved"] | None, Query(description="open 待处理 / resolved 已处理")] = None,
    kind: DifferenceKind | None = None,
    gateway: Annotated[str | None, Query(max_length=20, pattern="^[a-z_]+$")] = None,
    day_from: Annotated[date | None, Query(description="对账日期起（含）")] = None,
    day_to: Annotated[date | None, Query(description="对账日期止（含）")] = None,
    booking_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> DifferencePage:
    return service.list_differences(db, status=status, kind=kind, gateway=gateway, day_from=day_from, day_to=day_to,
                                    booking_id=booking_id, page=page, page_size=page_size)


@router.post("/differences/{difference_id}/resolve", response_model=DifferenceOut, summary="处理对账差异（填写说明）")
def resolve(difference_id: PathId, body: ResolveIn, op: FinanceReconciliationOp, db: Db) -> DifferenceOut:
    return service.resolve(db, difference_id, body, op.id)


@router.post("/runs", response_model=RunsOut, summary="立即对账某一天（默认全部支付渠道）")
async def run_day(body: RunIn, op: FinanceReconciliationOp, ctx: Ctx) -> RunsOut:
    return await commands.run_day(ctx, body)
