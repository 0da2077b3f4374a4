"""投诉与反馈: a user's complaint tickets and the console's handling of them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import Ctx, Db, Me, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.inputs import Text
from domain.models import Operator
from domain.pages import Page as PageOf
from domain.support import complaints as svc
from domain.support.complaints import (
    AdminComplaintOut,
    AdminComplaintSummary,
    AssigneeOut,
    ComplaintAssignIn,
    ComplaintIn,
    ComplaintOut,
    ComplaintReplyIn,
    ComplaintResolveIn,
    ComplaintStatus,
    ComplaintSummary,
    TargetType,
)

router = APIRouter(tags=["complaints"])
ComplaintOp = Annotated[Operator, Depends(require_permission(Permission.COMPLAINT_HANDLE))]


@router.post("/complaints", response_model=ComplaintOut, status_code=201,
             summary="提交投诉（订单、艺人、需求方或聊天消息，最多 6 张图片）")
def file_complaint(body: ComplaintIn, me: Me, db: Db, ctx: Ctx) -> ComplaintOut:
    return svc.file_complaint(db, ctx.storage, me.user.id, body)


@router.get("/complaints", response_model=PageOf[ComplaintSummary], summary="我的投诉")
def my_complaints(me: Me, db: Db, page: Page = 1, page_size: PageSize = 20) -> PageOf[ComplaintSummary]:
    return svc.my_complaints(db, me.user.id, page, page_size)


@router.get("/complaints/{complaint_id}", response_model=ComplaintOut, summary="投诉详情（处理进度、回复与结果）")
def my_complaint(complaint_id: PathId, me: Me, db: Db, ctx: Ctx) -> ComplaintOut:
    return svc.my_complaint(db, ctx.storage, me.user.id, complaint_id)


@router.post("/complaints/{complaint_id}/replies", response_model=ComplaintOut, status_code=201,
             summary="补充说明（处理完毕前）")
def reply(complaint_id: PathId, body: ComplaintReplyIn, me: Me, db: Db, ctx: Ctx) -> ComplaintOut:
    return svc.user_reply(db, ctx.storage, me.user.id, complaint_id, body)


# --- the console


@router.get("/admin/complaints", response_model=PageOf[AdminComplaintSummary],
            summary="投诉工单列表（未处理的在前）", tags=["admin"])
def admin_list(
    op: ComplaintOp, db: Db,
    status: ComplaintStatus | None = None,
    target_type: TargetType | None = None,
    assignee: Annotated[Literal["me", "none"] | None, Query(description="me 指派给我，none 未指派")] = None,
    keyword: Annotated[Annotated[str, Text(50)] | None, Query(description="投诉号、对象 id 或内容")] = None,
    page: Page = 1, page_size: PageSize = 20,
) -> PageOf[AdminComplaintSummary]:
    return svc.admin_list(db, status=status, target_type=target_type, assignee=assignee, operator_id=op.id,
                          keyword=keyword or None, page=page, page_size=page_size)


@router.get("/admin/complaints/assignees", response_model=list[AssigneeOut], summary="可指派的运营账号",
            tags=["admin"])
def assignees(op: ComplaintOp, db: Db) -> list[AssigneeOut]:
    return svc.assignees(db)


@router.get("/admin/complaints/{complaint_id}", response_model=AdminComplaintOut, summary="投诉工单详情",
            tags=["admin"])
def admin_detail(complaint_id: PathId, op: ComplaintOp, db: Db, ctx: Ctx) -> AdminComplaintOut:
    return svc.admin_detail(db, ctx.storage, complaint_id)


@router.post("/admin/complaints/{complaint_id}/assign", response_model=AdminComplaintOut, summary="指派投诉工单",
             tags=["admin"])
def assign(complaint_id: PathId, body: ComplaintAssignIn, op: ComplaintOp, db: Db, ctx: Ctx) -> AdminComplaintOut:
    return svc.assign(db, ctx.storage, complaint_id, body)


@router.post("/admin/complaints/{complaint_id}/replies", response_model=AdminComplaintOut, status_code=201,
             summary="回复投诉用户", tags=["admin"])
def admin_reply(complaint_id: PathId, body: ComplaintReplyIn, op: ComplaintOp, db: Db, ctx: Ctx) -> AdminComplaintOut:
    return svc.operator_reply(db, ctx.storage, op, complaint_id, body)


@router.post("/admin/complaints/{complaint_id}/resolve", response_model=AdminComplaintOut,
             summary="处理完毕（已解决或已关闭，附处理结果）", tags=["admin"])
def resolve(complaint_id: PathId, body: ComplaintResolveIn, op: ComplaintOp, db: Db, ctx: Ctx) -> AdminComplaintOut:
    return svc.resolve(db, ctx.storage, op, complaint_id, body)
