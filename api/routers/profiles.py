"""Artist profile editing with review, privacy settings, operator tags and private qualifications.

Artists act on their own profile (no artist id in their paths); a member of the artist's team (经纪人/助理)
acts for the artist with the `X-Artist-Id` header (api.deps.ActingArtist) on the draft and qualifications, while
the privacy settings stay the artist's own (ArtistSelf). Operators review drafts and
qualifications and manage tags. Anything that changes what the public sees re-syncs the artist's search entry
in the same transaction.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import ActingArtist, ArtistSelf, Ctx, Db, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.models import Operator
from domain.profiles import service
from domain.profiles.schemas import (
    ArtistTagsOut,
    DecisionIn,
    DeletedOut,
    DraftOut,
    PrivacyIn,
    PrivacyOut,
    ProfileData,
    ProfileRejectIn,
    ProfileReviewPage,
    QualificationIn,
    QualificationOut,
    QualificationPage,
    RejectIn,
    TagIn,
    TagOut,
)
from domain.uploads import service as uploads
from domain.uploads.schemas import UrlOut

router = APIRouter(tags=["profiles"])
ContentProfileOp = Annotated[Operator, Depends(require_permission(Permission.CONTENT_PROFILE))]
ContentTagOp = Annotated[Operator, Depends(require_permission(Permission.CONTENT_TAG))]
ContentQualificationOp = Annotated[Operator, Depends(require_permission(Permission.CONTENT_QUALIFICATION))]


# --- the artist's own profile (or the artist's, acted for by a team member)


@router.get("/me/artist/profile", response_model=DraftOut, summary="我的艺人主页资料（草稿或已发布版本）")
def get_profile_draft(me: ActingArtist, db: Db, ctx: Ctx) -> DraftOut:
    return service.get_draft(db, ctx.storage, me.artist_id)


@router.put("/me/artist/profile", response_model=DraftOut, summary="保存主页资料修改（提交审核后才会公开）")
def save_profile_draft(body: ProfileData, me: ActingArtist, db: Db, ctx: Ctx) -> DraftOut:
    service.save_draft(db, me.artist_id, body, actor_id=me.user.id)
    return service.get_draft(db, ctx.storage, me.artist_id)


@router.post("/me/artist/profile/submit", response_model=DraftOut, summary="提交主页资料修改审核")
def submit_profile_draft(me: ActingArtist, db: Db, ctx: Ctx) -> DraftOut:
    service.submit_draft(db, me.artist_id)
    return service.get_draft(db, ctx.storage, me.artist_id)


@router.put("/me/artist/profile/privacy", response_model=PrivacyOut,
            summary="隐私设置：隐藏价格（显示面议）、隐藏联系方式（立即生效，无需审核；仅艺人本人）")
def put_privacy(body: PrivacyIn, me: ArtistSelf, db: Db) -> PrivacyOut:
    return service.set_privacy(db, me.artist_id, body)


@router.get("/me/artist/qualifications", response_model=list[QualificationOut],
            summary="我的资质文件（仅本人及其经纪人/助理可见；文件用 /uploads/{upload_id}/url 由上传者查看）")
def my_qualifications(me: ActingArtist, db: Db) -> list[QualificationOut]:
    return service.my_qualifications(db, me.artist_id)


@router.post("/me/artist/qualifications", response_model=QualificationOut, status_code=201,
             summary="提交资质文件（证书、营业性演出许可证；私密，仅运营审核可见）")
def add_qualification(body: QualificationIn, me: ActingArtist, db: Db) -> QualificationOut:
    return service.add_qualification(db, me.artist_id, body, actor_id=me.user.id)


# --- operators: profile review


@router.get("/admin/profile-reviews", response_model=ProfileReviewPage, summary="艺人主页资料审核队列（修改前后对比）")
def review_queue(op: ContentProfileOp, db: Db, ctx: Ctx,
                 status: Literal["pending", "approved", "rejected"] = "pending",
                 kind: Annotated[service.ReviewKind, Query(
                     description="onboarding 入驻申请（新艺人，通过后公开）/ edit 资料修改 / all 全部")] = "all",
                 page: Page = 1, page_size: PageSize = 20) -> ProfileReviewPage:
    items, total = service.review_queue(db, ctx.storage, status, page, page_size, kind)
    return ProfileReviewPage(items=items, total=total, page=page, page_size=page_size)


@router.post("/admin/profile-reviews/{artist_id}/approve", response_model=DraftOut,
             summary="通过艺人主页资料修改或入驻申请（立即公开）")
def approve_profile(artist_id: PathId, op: ContentProfileOp, db: Db, ctx: Ctx,
                    body: DecisionIn | None = None) -> DraftOut:
    service.approve_draft(db, op.id, artist_id, body.submitted_at if body else None)
    return service.get_draft(db, ctx.storage, artist_id)


@router.post("/admin/profile-reviews/{artist_id}/reject", response_model=DraftOut,
             summary="驳回艺人主页资料修改或入驻申请（需填写原因，公开主页不变；新艺人仍不公开）")
def reject_profile(artist_id: PathId, body: ProfileRejectIn, op: ContentProfileOp, db: Db, ctx: Ctx) -> DraftOut:
    service.reject_draft(db, op.id, artist_id, body.reason, body.submitted_at)
    return service.get_draft(db, ctx.storage, artist_id)


# --- operators: tags


@router.get("/admin/tags", response_model=list[TagOut], summary="标签列表")
def list_tags(op: ContentTagOp, db: Db) -> list[TagOut]:
    return service.list_tags(db)


@router.post("/admin/tags", response_model=TagOut, status_code=201, summary="新建标签（如 热门艺人、本地艺人）")
def create_tag(body: TagIn, op: ContentTagOp, db: Db) -> TagOut:
    return service.create_tag(db, op.id, body.name)


@router.patch("/admin/tags/{tag_id}", response_model=TagOut, summary="重命名标签")
def rename_tag(tag_id: PathId, body: TagIn, op: ContentTagOp, db: Db) -> TagOut:
    return service.rename_tag(db, tag_id, body.name)


@router.delete("/admin/tags/{tag_id}", response_model=DeletedOut, summary="删除标签（同时从艺人身上移除）")
def delete_tag(tag_id: PathId, op: ContentTagOp, db: Db) -> DeletedOut:
    service.delete_tag(db, tag_id)
    return DeletedOut(id=tag_id, deleted=True)


@router.get("/admin/artists/{artist_id}/tags", response_model=ArtistTagsOut, summary="艺人当前的标签")
def artist_tags(artist_id: PathId, op: ContentTagOp, db: Db) -> ArtistTagsOut:
    return service.artist_tags_of(db, artist_id)


@router.put("/admin/artists/{artist_id}/tags/{tag_id}", response_model=ArtistTagsOut, summary="给艺人打标签")
def assign_tag(artist_id: PathId, tag_id: PathId, op: ContentTagOp, db: Db) -> ArtistTagsOut:
    return service.assign_tag(db, artist_id, tag_id)


@router.delete("/admin/artists/{artist_id}/tags/{tag_id}", response_model=ArtistTagsOut, summary="移除艺人标签")
def unassign_tag(artist_id: PathId, tag_id: PathId, op: ContentTagOp, db: Db) -> ArtistTagsOut:
    return service.unassign_tag(db, artist_id, tag_id)


# --- operators: qualifications


@router.get("/admin/qualifications", response_model=QualificationPage, summary="资质审核队列")
def qualification_queue(op: ContentQualificationOp, db: Db,
                        status: Literal["pending", "approved", "rejected", "all"] = "pending",
                        page: Page = 1, page_size: PageSize = 20) -> QualificationPage:
    items, total = service.qualification_queue(db, None if status == "all" else status, page, page_size)
    return QualificationPage(items=items, total=total, page=page, page_size=page_size)


@router.post("/admin/qualifications/{qualification_id}/approve", response_model=QualificationOut,
             summary="资质审核通过")
def approve_qualification(qualification_id: PathId, op: ContentQualificationOp, db: Db) -> QualificationOut:
    return service.decide_qualification(db, op.id, qualification_id, approve=True)


@router.post("/admin/qualifications/{qualification_id}/reject", response_model=QualificationOut,
             summary="驳回资质（需填写原因）")
def reject_qualification(qualification_id: PathId, body: RejectIn, op: ContentQualificationOp,
                         db: Db) -> QualificationOut:
    return service.decide_qualification(db, op.id, qualification_id, approve=False, reason=body.reason)


@router.get("/admin/qualifications/{qualification_id}/url", response_model=UrlOut,
            summary="查看资质文件（临时链接，仅运营）")
def qualification_url(qualification_id: PathId, op: ContentQualificationOp, db: Db, ctx: Ctx) -> UrlOut:
    return uploads.file_links(ctx.storage, service.qualification_upload(db, qualification_id))


@router.get("/me/artist/qualifications/{qualification_id}/url", response_model=UrlOut,
            summary="查看本艺人的资质文件（临时链接，艺人及其团队）")
def my_qualification_url(qualification_id: PathId, me: ActingArtist, db: Db, ctx: Ctx) -> UrlOut:
    # Whoever on the team uploaded it, the artist and the team may look at the artist's own documents.
    return uploads.file_links(ctx.storage, service.qualification_upload(db, qualification_id, me.artist_id))


