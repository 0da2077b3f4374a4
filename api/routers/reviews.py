"""Verified reviews: the client of a completed booking rates it once, the artist replies once (editable), the
public reads visible reviews, operators hide and restore. Rating changes reach the artist's search entry."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import ArtistMe, ClientMe, Ctx, Db, Me, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.errors import PermissionDenied
from domain.models import Operator
from domain.reviews import service
from domain.reviews.schemas import HideIn, ReplyIn, ReviewDetail, ReviewDetailPage, ReviewIn, ReviewPage

router = APIRouter(tags=["reviews"])
ContentReviewOp = Annotated[Operator, Depends(require_permission(Permission.CONTENT_REVIEW))]


@router.post("/bookings/{booking_id}/review", response_model=ReviewDetail, status_code=201,
             summary="评价已完成的预约（每个预约一次，仅限该预约的需求方）")
def create_review(booking_id: PathId, body: ReviewIn, me: ClientMe, db: Db, ctx: Ctx) -> ReviewDetail:
    review = service.create_review(db, me.user.id, booking_id, body)
    return service.detail_views(db, ctx.storage, [review], viewer="client")[0]


@router.get("/bookings/{booking_id}/review", response_model=ReviewDetail, summary="查看预约的评价（双方可见）")
def get_booking_review(booking_id: PathId, me: Me, db: Db, ctx: Ctx) -> ReviewDetail:
    review = service.booking_review(db, booking_id, me.user.id, me.acting_role)
    viewer = "client" if me.acting_role == "client" else "artist"
    return service.detail_views(db, ctx.storage, [review], viewer=viewer)[0]


@router.put("/reviews/{review_id}/reply", response_model=ReviewDetail, summary="艺人回复评价（可修改）")
def reply_review(review_id: PathId, body: ReplyIn, me: ArtistMe, db: Db, ctx: Ctx) -> ReviewDetail:
    review = service.reply(db, me.user.id, review_id, body.reply)
    return service.detail_views(db, ctx.storage, [review], viewer="artist")[0]


@router.get("/artists/{artist_id}/reviews", response_model=ReviewPage, summary="艺人的评价（公开，最新在前）")
def artist_reviews(artist_id: PathId, db: Db, ctx: Ctx, page: Page = 1, page_size: PageSize = 20) -> ReviewPage:
    rows, total = service.public_reviews(db, artist_id, page, page_size)
    return ReviewPage(items=service.public_views(db, ctx.storage, rows), total=total, page=page,
                      page_size=page_size, summary=service.rating_summary(db, artist_id))


@router.get("/me/reviews", response_model=ReviewDetailPage,
            summary="我的评价（需求方：我写的评价；艺人：收到的评价，含被隐藏的及原因）")
def my_reviews(me: Me, db: Db, ctx: Ctx, page: Page = 1, page_size: PageSize = 20) -> ReviewDetailPage:
    if me.acting_role == "client":
        rows, total = service.list_reviews(db, client_id=me.user.id, page=page, page_size=page_size)
    elif me.acting_role == "artist":
        rows, total = service.list_reviews(db, artist_id=me.user.id, page=page, page_size=page_size)
    else:
        raise PermissionDenied("请先选择身份（需求方或艺人）")
    return ReviewDetailPage(items=service.detail_views(db, ctx.storage, rows, viewer=me.acting_role), total=total,
                            page=page, page_size=page_size)


# --- moderation (operators)


@router.get("/admin/reviews", response_model=ReviewDetailPage, summary="评价管理列表")
def admin_reviews(op: ContentReviewOp, db: Db, ctx: Ctx, status: Literal["visible", "hidden"] | None = None,
                  artist_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
                  page: Page = 1, page_size: PageSize = 20) -> ReviewDetailPage:
    rows, total = service.list_reviews(db, artist_id=artist_id, status=status, page=page, page_size=page_size)
    return ReviewDetailPage(items=service.detail_views(db, ctx.storage, rows, viewer="operator"), total=total,
                            page=page, page_size=page_size)


@router.post("/admin/reviews/{review_id}/hide", response_model=ReviewDetail, summary="隐藏违规评价（需填写原因）")
def hide_review(review_id: PathId, body: HideIn, op: ContentReviewOp, db: Db, ctx: Ctx) -> ReviewDetail:
    review = service.hide(db, op.id, review_id, body.reason)
    return service.detail_views(db, ctx.storage, [review], viewer="operator")[0]


@router.post("/admin/reviews/{review_id}/unhide", response_model=ReviewDetail, summary="恢复展示评价")
def unhide_review(review_id: PathId, op: ContentReviewOp, db: Db, ctx: Ctx) -> ReviewDetail:
    review = service.unhide(db, review_id)
    return service.detail_views(db, ctx.storage, [review], viewer="operator")[0]
