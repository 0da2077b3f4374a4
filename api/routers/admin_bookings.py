"""Operators and bookings: list/filter all bookings, the timeline, and interventions that send the same
validated updates as users (cancel with a refund choice, resolve a dispute, extend a deadline)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.booking_actions import action_request, send_action
from api.deps import Ctx, CurrentOperator, Db, Page, PageSize, PathId
from domain.bookings import service
from domain.bookings.schemas import ActionIn, ActionOut, BookingDetail, BookingPage
from domain.bookings.states import BookingStatus

router = APIRouter(prefix="/admin/bookings", tags=["admin"])


@router.get("", response_model=BookingPage, summary="全部预约")
def list_all(
    op: CurrentOperator, db: Db,
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
    return BookingPage(items=service.booking_views(db, rows, "operator"), total=total, page=page,
                       page_size=page_size)


@router.get("/{booking_id}", response_model=BookingDetail, summary="预约详情与时间线")
def detail(booking_id: PathId, op: CurrentOperator, db: Db) -> BookingDetail:
    return service.booking_detail(db, service.get_booking(db, booking_id), "operator")


@router.post("/{booking_id}/actions/{action}", response_model=ActionOut, summary="运营干预")
async def intervene(booking_id: PathId, action: Literal["cancel", "resolve_dispute", "extend_deadline"], body: ActionIn,
                    op: CurrentOperator, db: Db, ctx: Ctx) -> ActionOut:
    booking = await run_in_threadpool(service.get_booking, db, booking_id)
    service.check_action(booking, action, "operator")
    req = action_request(ctx, booking_id, action, "operator", op.id, body)
    await run_in_threadpool(db.commit)  # read-only so far: free the connection while the workflow works
    result = await send_action(ctx, booking_id, req)
    db.expire_all()
    return ActionOut(status=result.status, payment_order_id=result.payment_order_id, pay_url=result.pay_url,
                     booking=await run_in_threadpool(service.booking_detail, db, booking, "operator"))
