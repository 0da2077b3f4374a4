"""Media cases (演出案例): the artist's own cases, the operators' review queue, and WeChat's media-check push.

The artist's routes also serve a member of the artist's team acting with the `X-Artist-Id` header
(api.deps.ActingArtist): every call is keyed by the acted-for artist.

Public reads go through the artist detail page (`domain.cases.service.public_cases`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from api.deps import ActingArtist, ContentChecker, Ctx, Db, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.cases import service
from domain.cases.schemas import (
    AdminCaseOut,
    AdminCasePage,
    ArtistCaseOut,
    CaseDecisionIn,
    CaseIn,
    CaseOrderIn,
    CasePatch,
    CaseRejectIn,
)
from domain.models import Operator
from integrations.wechat.security import parse_media_push, verify_push

router = APIRouter(tags=["cases"])
ContentCaseOp = Annotated[Operator, Depends(require_permission(Permission.CONTENT_CASE))]


# --- the artist's own cases


@router.get("/me/artist/cases", response_model=list[ArtistCaseOut], summary="我的演出案例（含审核状态）")
def my_cases(me: ActingArtist, db: Db, ctx: Ctx) -> list[ArtistCaseOut]:
    return service.artist_cases(db, ctx.storage, me.artist_id)


@router.post("/me/artist/cases", response_model=ArtistCaseOut, status_code=201,
             summary="添加演出案例（内容安全检测后进入人工审核）")
def create_case(body: CaseIn, me: ActingArtist, db: Db, ctx: Ctx, checker: ContentChecker) -> ArtistCaseOut:
    case = service.create_case(db, ctx.storage, checker, me.artist_id, me.user, body)
    return service.artist_case_views(db, ctx.storage, [case])[0]


@router.put("/me/artist/cases/order", response_model=list[ArtistCaseOut], summary="调整演出案例顺序（传入全部案例 id）")
def reorder_cases(body: CaseOrderIn, me: ActingArtist, db: Db, ctx: Ctx) -> list[ArtistCaseOut]:
    service.reorder_cases(db, me.artist_id, body.ids)
    return service.artist_cases(db, ctx.storage, me.artist_id)


@router.patch("/me/artist/cases/{case_id}", response_model=ArtistCaseOut, summary="修改演出案例（修改后重新审核）")
def update_case(case_id: PathId, body: CasePatch, me: ActingArtist, db: Db, ctx: Ctx,
                checker: ContentChecker) -> ArtistCaseOut:
    case = service.update_case(db, ctx.storage, checker, me.artist_id, me.user, case_id, body)
    return service.artist_case_views(db, ctx.storage, [case])[0]


@router.delete("/me/artist/cases/{case_id}", status_code=204, response_class=Response, summary="删除演出案例")
def delete_case(case_id: PathId, me: ActingArtist, db: Db) -> Response:
    service.delete_case(db, me.artist_id, case_id)
    return Response(status_code=204)


# --- operators


@router.get("/admin/cases", response_model=AdminCasePage, summary="演出案例审核队列（待审核按提交先后）")
def admin_cases(op: ContentCaseOp, db: Db, ctx: Ctx,
                status: Literal["pending", "approved", "rejected"] = "pending",
                page: Page = 1, page_size: PageSize = 20) -> AdminCasePage:
    items, total = service.admin_cases(db, ctx.storage, status, page, page_size)
    return AdminCasePage(items=items, total=total, page=page, page_size=page_size)


@router.post("/admin/cases/{case_id}/approve", response_model=AdminCaseOut, summary="通过演出案例")
def approve_case(case_id: PathId, op: ContentCaseOp, db: Db, ctx: Ctx,
                 body: CaseDecisionIn | None = None) -> AdminCaseOut:
    case = service.approve_case(db, op.id, case_id, body.updated_at if body else None)
    return service.admin_case_views(db, ctx.storage, [case])[0]


@router.post("/admin/cases/{case_id}/reject", response_model=AdminCaseOut, summary="驳回演出案例（需填写原因）")
def reject_case(case_id: PathId, body: CaseRejectIn, op: ContentCaseOp, db: Db, ctx: Ctx) -> AdminCaseOut:
    case = service.reject_case(db, op.id, case_id, body.reason, body.updated_at)
    return service.admin_case_views(db, ctx.storage, [case])[0]


# --- WeChat message push (消息推送): media-check verdicts


@router.get("/wechat/media-check", response_class=PlainTextResponse, include_in_schema=False)
def verify_push_url(request: Request, checker: ContentChecker) -> PlainTextResponse:
    """The server-URL check WeChat makes when the push address is configured: echo `echostr` if signed."""
    verify_push(checker.push_token, request.query_params)
    return PlainTextResponse(request.query_params.get("echostr", ""))


@router.post("/wechat/media-check", response_class=PlainTextResponse, include_in_schema=False)
async def media_check_push(request: Request, db: Db, checker: ContentChecker) -> PlainTextResponse:
    """`wxa_media_check` events: record the verdict by trace_id. Repeats and unknown ids are acknowledged."""
    verify_push(checker.push_token, request.query_params)
    verdict = parse_media_push(await request.body())
    if verdict is not None:
        await run_in_threadpool(service.apply_media_verdict, db, verdict)
    return PlainTextResponse("success")
