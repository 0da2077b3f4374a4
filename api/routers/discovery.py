"""Favorites (clients save artists, artists save demands) and demand posts (需求): publish, moderate, list to
artists, close, and respond with a quote that opens a booking. Browsing artists stays public (public.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import ArtistMe, ClientMe, ContentChecker, Ctx, Db, Me, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.bookings import commands
from domain.discovery import service
from domain.discovery.schemas import (
    DemandAnswerOut,
    DemandIn,
    DemandOut,
    DemandPage,
    DemandRespondIn,
    DemandRespondOut,
    DemandReviewIn,
    FavoriteArtistPage,
    FavoriteOut,
)
from domain.enums import ArtistType
from domain.errors import NotFound
from domain.inputs import InputDate, Text
from domain.models import Demand, Operator
from domain.time import SHANGHAI

router = APIRouter(tags=["discovery"])
ContentDemandOp = Annotated[Operator, Depends(require_permission(Permission.CONTENT_DEMAND))]




# --- favorites


@router.post("/favorites/artists/{artist_id}", response_model=FavoriteOut, summary="收藏艺人（意向艺人）")
def favorite_artist(artist_id: PathId, me: ClientMe, db: Db) -> FavoriteOut:
    service.favorite_artist(db, me.user.id, artist_id)
    return FavoriteOut(favorited=True)


@router.delete("/favorites/artists/{artist_id}", response_model=FavoriteOut, summary="取消收藏艺人")
def unfavorite_artist(artist_id: PathId, me: ClientMe, db: Db) -> FavoriteOut:
    service.unfavorite_artist(db, me.user.id, artist_id)
    return FavoriteOut(favorited=False)


@router.get("/favorites/artists", response_model=FavoriteArtistPage, summary="我的意向艺人")
def list_favorite_artists(me: ClientMe, db: Db, ctx: Ctx, page: Page = 1,
                          page_size: PageSize = 20) -> FavoriteArtistPage:
    items, total = service.favorite_artists(db, ctx.storage, me.user.id, page, page_size)
    return FavoriteArtistPage(items=items, total=total, page=page, page_size=page_size)


@router.post("/favorites/demands/{demand_id}", response_model=FavoriteOut, summary="收藏需求")
def favorite_demand(demand_id: PathId, me: ArtistMe, db: Db) -> FavoriteOut:
    service.favorite_demand(db, me.user.id, demand_id)
    return FavoriteOut(favorited=True)


@router.delete("/favorites/demands/{demand_id}", response_model=FavoriteOut, summary="取消收藏需求")
def unfavorite_demand(demand_id: PathId, me: ArtistMe, db: Db) -> FavoriteOut:
    service.unfavorite_demand(db, me.user.id, demand_id)
    return FavoriteOut(favorited=False)


@router.get("/favorites/demands", response_model=DemandPage, summary="我收藏的需求")
def list_favorite_demands(me: ArtistMe, db: Db, page: Page = 1, page_size: PageSize = 20) -> DemandPage:
    items, total = service.favorite_demands(db, me.user.id, page, page_size)
    return DemandPage(items=items, total=total, page=page, page_size=page_size)


# --- demand posts


@router.post("/demands", response_model=DemandOut, status_code=201, summary="发布需求（审核通过后艺人可见）")
def create_demand(body: DemandIn, me: ClientMe, db: Db, checker: ContentChecker) -> DemandOut:
    demand = service.create_demand(db, me.user, body, checker)
    return service.demand_views(db, [demand], viewer="owner")[0]


@router.get("/demands/mine", response_model=DemandPage, summary="我发布的需求（含审核中/未通过/已关闭）")
def my_demands(me: ClientMe, db: Db, page: Page = 1, page_size: PageSize = 20) -> DemandPage:
    rows, total = service.list_demands(db, client_id=me.user.id, page=page, page_size=page_size)
    return DemandPage(items=service.demand_views(db, rows, viewer="owner"), total=total, page=page,
                      page_size=page_size)


@router.get("/demands", response_model=DemandPage, summary="需求大厅（艺人）：按类型、城市、日期筛选")
def list_demands(
    me: ArtistMe, db: Db,
    artist_type: ArtistType | None = None,
    city: Annotated[Annotated[str, Text(30)] | None, Query()] = None,
    on: Annotated[InputDate | None, Query(alias="date")] = None,
    page: Page = 1, page_size: PageSize = 20,
) -> DemandPage:
    day_from = datetime.combine(on, time(), SHANGHAI) if on else None
    day_to = day_from + timedelta(days=1) if day_from else None
    rows, total = service.list_demands(db, listed_only=True, artist_type=artist_type.value if artist_type else None,
                                       city=city.strip() if city else None, day_from=day_from, day_to=day_to,
                                       page=page, page_size=page_size)
    return DemandPage(items=service.demand_views(db, rows, viewer="artist", artist_id=me.user.id), total=total,
                      page=page, page_size=page_size)


@router.get("/demands/{demand_id}", response_model=DemandOut, summary="需求详情")
def get_demand(demand_id: PathId, me: Me, db: Db) -> DemandOut:
    demand = db.get(Demand, demand_id)
    if demand is not None and me.acting_role == "client" and demand.client_id == me.user.id:
        return service.demand_views(db, [demand], viewer="owner")[0]
    if demand is None or me.acting_role != "artist" or demand.moderation_status != "approved":
        raise NotFound("需求不存在或已下架")
    return service.demand_views(db, [demand], viewer="artist", artist_id=me.user.id)[0]


@router.get("/demands/{demand_id}/answers", response_model=list[DemandAnswerOut],
            summary="需求的艺人报价（仅发布者）：每位报价艺人的预约与留言")
def demand_answers(demand_id: PathId, me: ClientMe, db: Db, ctx: Ctx) -> list[DemandAnswerOut]:
    return service.demand_answers(db, ctx.storage, me.user.id, demand_id)


@router.post("/demands/{demand_id}/close", response_model=DemandOut, summary="关闭需求")
def close_demand(demand_id: PathId, me: ClientMe, db: Db) -> DemandOut:
    demand = service.close_demand(db, me.user.id, demand_id)
    return service.demand_views(db, [demand], viewer="owner")[0]


@router.post("/demands/{demand_id}/respond", response_model=DemandRespondOut, status_code=201,
             summary="艺人报价：向需求方发起预约并附上报价")
async def respond(demand_id: PathId, body: DemandRespondIn, me: ArtistMe, db: Db, ctx: Ctx) -> DemandRespondOut:
    return await commands.respond_to_demand(ctx, db, me.user, demand_id, body)


# --- moderation (operators)


@router.get("/admin/demands", response_model=DemandPage, summary="需求审核队列")
def admin_demands(op: ContentDemandOp, db: Db,
                  moderation_status: Literal["pending", "approved", "rejected"] | None = "pending",
                  page: Page = 1, page_size: PageSize = 20) -> DemandPage:
    rows, total = service.list_demands(db, moderation_status=moderation_status, page=page, page_size=page_size)
    return DemandPage(items=service.demand_views(db, rows, viewer="operator"), total=total, page=page,
                      page_size=page_size)


@router.post("/admin/demands/{demand_id}/review", response_model=DemandOut, summary="审核需求（通过/驳回并说明原因）")
def review_demand(demand_id: PathId, body: DemandReviewIn, op: ContentDemandOp, db: Db) -> DemandOut:
    demand = service.review_demand(db, op.id, demand_id, body.status, body.reason)
    return service.demand_views(db, [demand], viewer="operator")[0]
