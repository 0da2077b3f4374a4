"""The dispute workbench: both sides, evidence, contract, money and timeline (the ruling is the booking's
`resolve_dispute` intervention), and the parties' statements on their own booking's open dispute."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import Ctx, Db, Me, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.bookings import disputes, service
from domain.inputs import InputDate, Text
from domain.models import Operator

router = APIRouter()
DisputeOp = Annotated[Operator, Depends(require_permission(Permission.DISPUTE_RESOLVE))]


@router.get("/admin/disputes", response_model=disputes.DisputePage, summary="纠纷列表（待处理在前）", tags=["admin"])
def list_disputes(
    op: DisputeOp, db: Db,
    state: disputes.DisputeState | None = None,
    keyword: Annotated[Annotated[str, Text(50)] | None, Query(description="预约号、艺名、需求方或原因")] = None,
    opened_from: Annotated[InputDate | None, Query(description="发起日期起（北京时间）")] = None,
    opened_to: Annotated[InputDate | None, Query(description="发起日期止（含当天）")] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> disputes.DisputePage:
    return disputes.list_disputes(db, state=state, keyword=keyword or None, opened_from=opened_from,
                                  opened_to=opened_to, page=page, page_size=page_size)


@router.get("/admin/disputes/{booking_id}", response_model=disputes.WorkbenchOut,
            summary="纠纷工作台：双方陈述、凭证、合同、款项与时间线", tags=["admin"])
def workbench(booking_id: PathId, op: DisputeOp, db: Db, ctx: Ctx) -> disputes.WorkbenchOut:
    return disputes.workbench(db, ctx.storage, booking_id)


@router.post("/bookings/{booking_id}/dispute/statements", response_model=disputes.StatementOut, status_code=201,
             summary="提交纠纷陈述与凭证（预约双方，每方一次）", tags=["bookings"])
def add_statement(booking_id: PathId, body: disputes.StatementIn, me: Me, db: Db,
                  ctx: Ctx) -> disputes.StatementOut:
    booking = service.get_booking(db, booking_id)
    role = service.role_on(booking, me.user.id, me.acting_role)
    return disputes.add_statement(db, ctx.storage, booking, role, me.user.id, body)
