"""Inquiries, bookings (list, detail with allowed actions and timeline, one endpoint per action) and the
notification centre. Clients and artists see only their own bookings."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool

from api.booking_actions import action_request, send_action, start_booking
from api.deps import ClientMe, Ctx, Db, Me, Page, PageSize, PathId
from domain.bookings import service
from domain.bookings.schemas import (
    ActionIn,
    ActionOut,
    BookingDetail,
    BookingPage,
    InquiryIn,
    InquiryOut,
    NotificationPage,
    ProceedIn,
)
from domain.bookings.states import Action, BookingStatus
from domain.errors import AppError, NotFound, RoleRequired
from domain.inputs import InputDate
from domain.models import Inquiry
from domain.time import SHANGHAI

router = APIRouter(tags=["bookings"])
USER_ACTIONS = {a.value for a in Action} - {"resolve_dispute", "extend_deadline"}



@router.post("/inquiries", response_model=InquiryOut, status_code=201, summary="发起询价/预约（可同时邀请1-10位艺人）")
async def create_inquiry(body: InquiryIn, me: ClientMe, db: Db, ctx: Ctx) -> InquiryOut:
    inquiry, bookings = await run_in_threadpool(service.create_inquiry, db, me.user, body)
    inputs = await run_in_threadpool(lambda: [service.workflow_input(db, b) for b in bookings])
    # Started before the commit: if Temporal is down nothing is saved (activities retry until the rows appear).
    for inp in inputs:
        await start_booking(ctx, inp)
    return await run_in_threadpool(_inquiry_view, db, inquiry)


def _inquiry_view(db: Db, inquiry: Inquiry) -> InquiryOut:
    rows, _ = service.list_bookings(db, inquiry_id=inquiry.id, page_size=10)
    return InquiryOut(id=inquiry.id, event_type=inquiry.event_type, start_at=inquiry.start_at, end_at=inquiry.end_at,
                      city=inquiry.city, bookings=service.booking_views(db, rows, "client"))


@router.get("/inquiries/{inquiry_id}", response_model=InquiryOut, summary="询价详情：各艺人答复并排对比")
def get_inquiry(inquiry_id: PathId, me: ClientMe, db: Db) -> InquiryOut:
    inquiry = db.get(Inquiry, inquiry_id)
    if inquiry is None or inquiry.client_id != me.user.id:
        raise NotFound("询价不存在")
    return _inquiry_view(db, inquiry)


@router.post("/inquiries/{inquiry_id}/proceed", response_model=InquiryOut, summary="选定艺人，其余自动撤回")
async def proceed(inquiry_id: PathId, body: ProceedIn, me: ClientMe, db: Db, ctx: Ctx) -> InquiryOut:
    inquiry = await run_in_threadpool(db.get, Inquiry, inquiry_id)
    if inquiry is None or inquiry.client_id != me.user.id:
        raise NotFound("询价不存在")
    rows, _ = await run_in_threadpool(lambda: service.list_bookings(db, inquiry_id=inquiry_id, page_size=10))
    chosen = set(body.booking_ids)
    if not chosen <= {b.id for b in rows}:
        raise AppError("所选预约不属于该询价", code="booking_not_in_inquiry", status=422)
    await run_in_threadpool(db.commit)  # read-only so far: free the connection while the workflows work
    for b in rows:
        if b.id not in chosen and b.status in (BookingStatus.REQUESTED, BookingStatus.CONFIRMED):
            req = action_request(ctx, b.id, "withdraw", "client", me.user.id, ActionIn(reason="需求方已选择其他艺人"))
            await send_action(ctx, b.id, req)
    db.expire_all()
    return await run_in_threadpool(_inquiry_view, db, inquiry)


@router.get("/bookings", response_model=BookingPage, summary="我的预约")
def list_bookings(
    me: Me, db: Db,
    status: BookingStatus | None = None,
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
        status=status.value if status else None, inquiry_id=inquiry_id, start_from=start_from, start_to=start_to,
        page=page, page_size=page_size)
    return BookingPage(items=service.booking_views(db, rows, role), total=total, page=page, page_size=page_size)


@router.get("/bookings/{booking_id}", response_model=BookingDetail, summary="预约详情（含可执行操作与时间线）")
def get_booking(booking_id: PathId, me: Me, db: Db) -> BookingDetail:
    booking = service.get_booking(db, booking_id)
    role = service.role_on(booking, me.user.id, me.acting_role)
    return service.booking_detail(db, booking, role)


@router.post("/bookings/{booking_id}/actions/{action}", response_model=ActionOut, summary="对预约执行操作")
async def act(booking_id: PathId, action: Annotated[str, Path(max_length=40)], body: ActionIn, me: Me, db: Db,
              ctx: Ctx) -> ActionOut:
    if action not in USER_ACTIONS:
        raise NotFound("不支持的操作")
    booking = await run_in_threadpool(service.get_booking, db, booking_id)
    role = service.role_on(booking, me.user.id, me.acting_role)
    service.check_action(booking, action, role)  # before a signature image is stored
    if action in ("confirm", "sign", "countersign"):
        await run_in_threadpool(service.check_may_book, db, me.user)
    req = await run_in_threadpool(action_request, ctx, booking_id, action, role, me.user.id, body)
    # Nothing written yet: end the read transaction so no pooled connection waits on the workflow.
    await run_in_threadpool(db.commit)
    result = await send_action(ctx, booking_id, req)
    db.expire_all()
    detail = await run_in_threadpool(service.booking_detail, db, booking, role)
    return ActionOut(status=result.status, payment_order_id=result.payment_order_id, pay_url=result.pay_url,
                     booking=detail)


@router.get("/notifications", response_model=NotificationPage, summary="通知中心")
def list_notifications(me: Me, db: Db, unread_only: bool = False,
                       limit: Annotated[int, Query(ge=1, le=100)] = 50) -> NotificationPage:
    return service.notifications(db, me.user.id, unread_only=unread_only, limit=limit)


@router.get("/notifications/unread-count", summary="未读通知数")
def unread(me: Me, db: Db) -> dict[str, int]:
    return {"unread": service.unread_count(db, me.user.id)}


@router.post("/notifications/{notification_id}/read", summary="标记已读")
def read_one(notification_id: PathId, me: Me, db: Db) -> dict[str, int]:
    service.mark_one_read(db, me.user.id, notification_id)
    return {"unread": service.unread_count(db, me.user.id)}


@router.post("/notifications/read-all", summary="全部标记已读")
def read_all(me: Me, db: Db) -> dict[str, int]:
    service.mark_all_read(db, me.user.id)
    return {"unread": 0}
