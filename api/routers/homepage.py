"""首页推荐, banners and announcements: managed in the console, shown on the mini-program home."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, UploadFile

from api.deps import Ctx, Db, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.homepage import service
from domain.homepage.schemas import (
    AnnouncementIn,
    AnnouncementOut,
    AnnouncementPage,
    ArtistOption,
    BannerImageOut,
    BannerIn,
    BannerOrderIn,
    BannerOut,
    HomeOut,
    RecommendationOut,
    RecommendationsIn,
)
from domain.inputs import Text
from domain.models import Operator

router = APIRouter(tags=["admin"])
HomeOp = Annotated[Operator, Depends(require_permission(Permission.CONTENT_HOME))]
AnnouncementOp = Annotated[Operator, Depends(require_permission(Permission.CONTENT_ANNOUNCEMENT))]


# --- the mini-program home (public)


@router.get("/home", response_model=HomeOut, tags=["public"], summary="小程序首页：横幅、推荐艺人、公告（公开）")
def home(db: Db, ctx: Ctx) -> HomeOut:
    return service.home(db, ctx.storage)


# --- 首页推荐


@router.get("/admin/homepage/recommendations", response_model=list[RecommendationOut],
            summary="首页推荐艺人（按展示顺序）")
def get_recommendations(op: HomeOp, db: Db, ctx: Ctx) -> list[RecommendationOut]:
    return service.recommendations(db, ctx.storage)


@router.put("/admin/homepage/recommendations", response_model=list[RecommendationOut],
            summary="设置首页推荐艺人（传入全部艺人 id，按展示顺序；新增的须为公开艺人）")
def put_recommendations(body: RecommendationsIn, op: HomeOp, db: Db, ctx: Ctx) -> list[RecommendationOut]:
    service.set_recommendations(db, ctx.storage, op.id, body.artist_ids)
    return service.recommendations(db, ctx.storage)


@router.get("/admin/homepage/artist-options", response_model=list[ArtistOption],
            summary="可推荐的公开艺人（按艺名搜索）")
def artist_options(op: HomeOp, db: Db, ctx: Ctx,
                   q: Annotated[Annotated[str, Text(40)] | None, Query(description="艺名关键词")] = None,
                   ) -> list[ArtistOption]:
    return service.artist_options(db, ctx.storage, q or None)


# --- banners


@router.get("/admin/homepage/banners", response_model=list[BannerOut], summary="首页横幅（按展示顺序）")
def get_banners(op: HomeOp, db: Db, ctx: Ctx) -> list[BannerOut]:
    return service.banners(db, ctx.storage)


@router.post("/admin/homepage/banner-images", response_model=BannerImageOut, status_code=201,
             summary="上传横幅图片（JPG/PNG/WebP，不超过5MB；建议 750×300）")
def upload_banner_image(file: UploadFile, op: HomeOp, ctx: Ctx) -> BannerImageOut:
    # Judged by content like every upload; the spooled request file is streamed to storage.
    return service.store_banner_image(ctx.storage, file.file)


@router.post("/admin/homepage/banners", response_model=BannerOut, status_code=201, summary="新增首页横幅")
def create_banner(body: BannerIn, op: HomeOp, db: Db, ctx: Ctx) -> BannerOut:
    row = service.create_banner(db, ctx.storage, op.id, body)
    return service.banner_view(db, ctx.storage, row.id)


@router.put("/admin/homepage/banners/order", response_model=list[BannerOut], summary="调整横幅顺序（传入全部横幅 id）")
def reorder_banners(body: BannerOrderIn, op: HomeOp, db: Db, ctx: Ctx) -> list[BannerOut]:
    service.reorder_banners(db, body.ids)
    return service.banners(db, ctx.storage)


@router.put("/admin/homepage/banners/{banner_id}", response_model=BannerOut, summary="修改首页横幅")
def update_banner(banner_id: PathId, body: BannerIn, op: HomeOp, db: Db, ctx: Ctx) -> BannerOut:
    service.update_banner(db, ctx.storage, banner_id, body)
    return service.banner_view(db, ctx.storage, banner_id)


@router.delete("/admin/homepage/banners/{banner_id}", status_code=204, response_class=Response, summary="删除首页横幅")
def delete_banner(banner_id: PathId, op: HomeOp, db: Db, ctx: Ctx) -> Response:
    service.delete_banner(db, ctx.storage, banner_id)
    return Response(status_code=204)


# --- 公告


@router.get("/admin/announcements", response_model=AnnouncementPage, summary="公告列表（按开始时间倒序）")
def get_announcements(op: AnnouncementOp, db: Db, page: Page = 1, page_size: PageSize = 20) -> AnnouncementPage:
    items, total = service.announcements(db, page, page_size)
    return AnnouncementPage(items=items, total=total, page=page, page_size=page_size)


@router.post("/admin/announcements", response_model=AnnouncementOut, status_code=201, summary="发布公告")
def create_announcement(body: AnnouncementIn, op: AnnouncementOp, db: Db) -> AnnouncementOut:
    return service.save_announcement(db, op.id, body)


@router.put("/admin/announcements/{announcement_id}", response_model=AnnouncementOut, summary="修改公告")
def update_announcement(announcement_id: PathId, body: AnnouncementIn, op: AnnouncementOp, db: Db) -> AnnouncementOut:
    return service.save_announcement(db, op.id, body, announcement_id)


@router.delete("/admin/announcements/{announcement_id}", status_code=204, response_class=Response, summary="删除公告")
def delete_announcement(announcement_id: PathId, op: AnnouncementOp, db: Db) -> Response:
    service.delete_announcement(db, announcement_id)
    return Response(status_code=204)
