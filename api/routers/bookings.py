"""Inquiries and bookings (list, detail with allowed actions and timeline, one endpoint per action). Clients and
artists see only their own bookings."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from api.deps import ClientMe, Ctx, Db, Me, Page, PageSize, PathId, client_ip
from domain.bookings import commands, service
from domain.bookings.schemas import (
    ActionIn,
    ActionOut,
    BookingDetail,
    BookingPage,
    InquiryIn,
    InquiryOut,
    ProceedIn,
)
from domain.bookings.states import BookingStatus, Stage
from domain.contracts.signing import Origin
from domain.errors import RoleRequired
from domain.inputs import InputDate
from domain.time import SHANGHAI

router = APIRouter(tags=["bookings"])


@router.post("/inquiries", response_model=InquiryOut, status_code=201, summary="发起询价/预约（可同时邀请1-10位艺人）")
async def create_inquiry(body: InquiryIn, me: ClientMe, db: Db, ctx: Ctx) -> InquiryOut:
    return await commands.create_inquiry(ctx, db, me.user, body)


@router.get("/inquiries/{inquiry_id}", response_model=InquiryOut, summary="询价详情：各艺人答复并排对比")
def get_inquiry(inquiry_id: PathId, me: ClientMe, db: Db, ctx: Ctx) -> InquiryOut:
    return service.inquiry_view(db, service.client_inquiry(db, me.user.id, inquiry_id), ctx.storage)


@router.post("/inquiries/{inquiry_id}/proceed", response_model=InquiryOut, summary="选定艺人，其余自动撤回")
async def proceed(inquiry_id: PathId, body: ProceedIn, me: ClientMe, db: Db, ctx: Ctx) -> InquiryOut:
    return await commands.proceed(ctx, db, me.user, inquiry_id, body)


@router.get("/bookings", response_model=BookingPage, summary="我的预约")
def list_bookings(
    me: Me, db: Db, ctx: Ctx,
    status: BookingStatus | None = None,
    stage: Annotated[Stage | None, Query(description="进度：booking/contract/payment/show/settlement/done/closed")]
    = None,
    inquiry_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    date_from: InputDate | None = None, date_to: InputDate | None = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> BookingPage:
    role = me.acting_role
    if role not in ("client", "artist"):
        raise RoleRequired("需求方或艺人")
    start_from = datetime.combine(date_from, time(), SHANGHAI) if date_from else None
    start_to = datetime.combine(date_to, time(), SHANGHAI) + timedelta(days=1) if date_to else None
    rows, total = service.list_bookings(
        db, client_id=me.user.id if role == "client" else None, artist_id=me.user.id if role == "artist" else None,
        status=status.value if status else None, stage=stage.value if stage else None, inquiry_id=inquiry_id,
        start_from=start_from, start_to=start_to, page=page, page_size=page_size)
    return BookingPage(items=service.booking_views(db, rows, role, ctx.storage), total=total, page=page,
                       page_size=page_size)


@router.get("/bookings/{booking_id}", response_model=BookingDetail, summary="预约详情（含可执行操作与时间线）")
def get_booking(booking_id: PathId, me: Me, db: Db, ctx: Ctx) -> BookingDetail:
    booking = service.get_booking(db, booking_id)
    role = service.role_on(booking, me.user.id, me.acting_role)
    return service.booking_detail(db, booking, role, ctx.storage)


@router.post("/bookings/{booking_id}/actions/{action}", response_model=ActionOut, summary="对预约执行操作")
async def act(booking_id: PathId, action: Annotated[str, Path(max_length=40)], body: ActionIn, me: Me, db: Db,
              ctx: Ctx, request: Request) -> ActionOut:
    origin = Origin(client_ip(request), request.headers.get("user-agent", ""))
    return await commands.act(ctx, db, me.user, me.acting_role, booking_id, action, body, origin)
