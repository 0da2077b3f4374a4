"""Artists in the console: the artist list with each artist's figures for a period, one artist's statistics, and
the user and artist lists as Excel files (`.xlsx` siblings taking the list's filters).

New artists' 入驻审核 goes through the profile review queue (/admin/profile-reviews?kind=onboarding, approve /
reject there): the first profile is a draft like every later edit (domain.artists.onboarding).
Phone numbers, real names and ID numbers are masked unless the operator's role grants admin:pii:view."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import Ctx, Db, Page, PageSize, PathId, require_permission
from domain.accounts import exports
from domain.accounts.permissions import Permission, operator_may
from domain.artists import stats
from domain.artists.stats import AdminArtistPage, ArtistFilter, ArtistSort, ArtistStatsOut, ListedFilter
from domain.enums import ArtistType
from domain.errors import AppError
from domain.inputs import InputDate, Text
from domain.models import Operator
from domain.xlsx import XLSX_MEDIA_TYPE, attachment_headers

router = APIRouter(tags=["admin"])
ArtistListOp = Annotated[Operator, Depends(require_permission(Permission.ARTIST_LIST))]
ArtistExportOp = Annotated[Operator, Depends(require_permission(Permission.ARTIST_EXPORT))]
UserExportOp = Annotated[Operator, Depends(require_permission(Permission.USER_EXPORT))]

Start = Annotated[InputDate | None, Query(description="统计起始日期（含，北京时间）")]
End = Annotated[InputDate | None, Query(description="统计截止日期（含，北京时间）")]
XLSX_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "Excel 文件（.xlsx）"}}


class DateRangeInvalid(AppError):
    status, code, message = 422, "date_range_invalid", "起始日期不能晚于截止日期"


def artist_filter(
    start: Start = None,
    end: End = None,
    keyword: Annotated[Annotated[str, Text(50)] | None, Query(description="艺名、手机号或艺人ID")] = None,
    city: Annotated[Annotated[str, Text(30)] | None, Query()] = None,
    artist_type: ArtistType | None = None,
    status: Literal["active", "warned", "banned"] | None = None,
    listed: Annotated[ListedFilter | None, Query(description="listed 已公开 / pending 入驻待审核")] = None,
    sort: Annotated[ArtistSort, Query(description="排序：newest 最新入驻 / bookings / completed_shows / revenue / "
                                                  "rating / cancellations（均为统计期内，从高到低）")] = "newest",
) -> ArtistFilter:
    if start is not None and end is not None and start > end:
        raise DateRangeInvalid()
    return ArtistFilter(start=start, end=end, keyword=keyword or None, city=city or None,
                        artist_type=artist_type.value if artist_type else None, status=status, listed=listed,
                        sort=sort)


Filters = Annotated[ArtistFilter, Depends(artist_filter)]


def _xlsx(content: bytes, name: str) -> Response:
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers=attachment_headers(name))


@router.get("/admin/artists", response_model=AdminArtistPage,
            summary="艺人列表：统计期内的预约、完成演出、成交额（分）、响应率、评分、取消数（可筛选、排序、分页）")
def list_artists(op: ArtistListOp, db: Db, f: Filters, page: Page = 1, page_size: PageSize = 20) -> AdminArtistPage:
    return stats.list_artists(db, f, page, page_size, pii=operator_may(db, op, Permission.PII_VIEW))


@router.get("/admin/artists.xlsx", response_class=Response, responses=XLSX_RESPONSE,
            summary="导出艺人列表及统计 Excel（与列表相同的筛选；手机号按权限脱敏）")
def export_artists(op: ArtistExportOp, db: Db, f: Filters) -> Response:
    return _xlsx(stats.artists_workbook(db, f, pii=operator_may(db, op, Permission.PII_VIEW)), "艺人列表")


@router.get("/admin/artists/{artist_id}/stats", response_model=ArtistStatsOut,
            summary="单个艺人的统计（统计期合计与按月明细）")
def artist_stats(artist_id: PathId, op: ArtistListOp, db: Db,
                 start: Start = None,
                 end: End = None) -> ArtistStatsOut:
    if start is not None and end is not None and start > end:
        raise DateRangeInvalid()
    return stats.artist_stats(db, artist_id, ArtistFilter(start=start, end=end),
                              pii=operator_may(db, op, Permission.PII_VIEW))


@router.get("/admin/users.xlsx", response_class=Response, responses=XLSX_RESPONSE,
            summary="导出用户列表 Excel（与用户列表相同的筛选；手机号、实名姓名、证件号按权限脱敏）")
def export_users(
    op: UserExportOp, db: Db, ctx: Ctx,
    phone: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9]*$")] = None,
    role: Literal["client", "artist"] | None = None,
    status: Literal["active", "warned", "banned"] | None = None,
) -> Response:
    content = exports.users_workbook(db, ctx.cipher, phone=phone or None, role=role, status=status,
                                     pii=operator_may(db, op, Permission.PII_VIEW))
    return _xlsx(content, "用户列表")
