"""Operators and bookings: list/filter all bookings, the timeline, and interventions that send the same
validated updates as users (cancel with a refund choice, resolve a dispute, extend a deadline)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import Ctx, Db, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.bookings import commands, service
from domain.bookings.schemas import ActionIn, ActionOut, BookingDetail, BookingPage
from domain.bookings.states import BookingStatus
from domain.models import Operator

router = APIRouter(prefix="/admin/bookings", tags=["admin"])
OrderListOp = Annotated[Operator, Depends(require_permission(Permission.ORDER_LIST))]
OrderInterveneOp = Annotated[Operator, Depends(require_permission(Permission.ORDER_INTERVENE))]


@router.get("", response_model=BookingPage, summary="全部预约")
def list_all(
    op: OrderListOp, db: Db, ctx: Ctx,
    status: BookingStatus | None = None,
    needs_operator: bool | None = None,
    artist_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    client_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> BookingPage:
    rows, total = service.list_bookings(db, client_id=client_id, artist_id=artist_id,
                                        status=status.value if status else None, needs_operator=needs_operator,
                                        page=page, page_size=page_size)
    return BookingPage(items=service.booking_views(db, rows, "operator", ctx.storage), total=total, page=page,
                       page_size=page_size)


@router.get("/{booking_id}", response_model=BookingDetail, summary="预约详情与时间线")
def detail(booking_id: PathId, op: OrderListOp, db: Db, ctx: Ctx) -> BookingDetail:
    return service.booking_detail(db, service.get_booking(db, booking_id), "operator", ctx.storage)


@router.post("/{booking_id}/actions/{action}", response_model=ActionOut, summary="运营干预")
async def intervene(booking_id: PathId, action: commands.OperatorAction, body: ActionIn, op: OrderInterveneOp, db: Db,
                    ctx: Ctx) -> ActionOut:
    return await commands.intervene(ctx, db, op.id, booking_id, action, body)
