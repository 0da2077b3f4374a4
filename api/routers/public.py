"""Public browsing: no login needed (WeChat review rejects mini-programs that force one)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import Cards, Ctx, Db, Page, PathId, ViewerId
from domain.artists import service as artists
from domain.artists.schemas import ArtistDetail, ArtistPage, MonthCalendar
from domain.enums import ARTIST_TYPE_LABELS, CITIES, INDUSTRY_LABELS, ArtistType, Industry
from domain.errors import AppError
from domain.inputs import InputDate, Text
from domain.time import SHANGHAI, utc_now
from search.base import InvalidSearchQuery, SearchQuery

router = APIRouter(tags=["public"])
Month = Annotated[str | None, Query(pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$",
                                    description="月份，如 2025-06；默认本月（北京时间）")]


class IndustryOption(BaseModel):
    value: Industry
    label: str


class ArtistTypeOption(BaseModel):
    value: ArtistType
    label: str


class Options(BaseModel):
    industries: list[IndustryOption]
    artist_types: list[ArtistTypeOption]
    cities: list[str]
    sms_sandbox: bool


@router.get("/meta/options", response_model=Options, summary="表单选项")
def options(ctx: Ctx) -> Options:
    return Options(industries=[IndustryOption(value=Industry(k), label=v) for k, v in INDUSTRY_LABELS.items()],
                   artist_types=[ArtistTypeOption(value=ArtistType(k), label=v) for k, v in ARTIST_TYPE_LABELS.items()],
                   cities=CITIES, sms_sandbox=ctx.sms.is_sandbox)


@router.get("/artists", response_model=ArtistPage, summary="找艺人：关键词、筛选、排序（公开）")
def list_artists(
    db: Db, ctx: Ctx, cards: Cards,
    q: Annotated[Annotated[str, Text(50)] | None, Query(description="关键词：艺名、风格、简介")] = None,
    city: Annotated[list[Annotated[str, Text(30)]] | None, Query(max_length=20)] = None,
    artist_type: Annotated[list[ArtistType] | None, Query(max_length=8)] = None,
    price_min: Annotated[int | None, Query(ge=0, le=10**11, description="分")] = None,
    price_max: Annotated[int | None, Query(ge=0, le=10**11, description="分")] = None,
    min_rating: Annotated[float | None, Query(ge=0, le=5)] = None,
    tag: Annotated[list[Annotated[str, Text(20)]] | None,
                   Query(max_length=10, description="标签，如 热门艺人")] = None,
    verified_only: bool = False,
    available_on: InputDate | None = None,
    sort: Literal["relevance", "popularity", "rating", "price_asc", "price_desc", "newest"] | None = None,
    page: Page = 1,
    page_size: Annotated[int, Query(ge=1, le=50)] = 20,
) -> ArtistPage:
    try:
        query = SearchQuery(keyword=q.strip() if q and q.strip() else None, cities=tuple(city or ()),
                            artist_types=tuple(t.value for t in artist_type or ()), price_min=price_min,
                            price_max=price_max, min_rating=min_rating, tags=tuple(tag or ()),
                            verified_only=verified_only,
                            available_on=available_on, sort=sort, page=page, page_size=page_size)
    except InvalidSearchQuery as exc:
        raise AppError("筛选条件有误：最低价不能高于最高价", code="search_invalid", status=422) from exc
    result = ctx.search.search(query)
    return ArtistPage(items=cards.cards(db, ctx.storage, result.ids, query.cities), total=result.total, page=page,
                      page_size=page_size, facets=result.facets)


@router.get("/artists/{artist_id}", response_model=ArtistDetail, summary="艺人详情（公开；登录可选）")
def get_artist(artist_id: PathId, db: Db, ctx: Ctx, viewer_id: ViewerId) -> ArtistDetail:
    return artists.artist_detail(db, ctx.storage, artist_id, viewer_id)


@router.get("/artists/{artist_id}/calendar", response_model=MonthCalendar,
            summary="艺人月档期（公开：仅显示可约/不可约）")
def get_artist_calendar(artist_id: PathId, db: Db, month: Month = None) -> MonthCalendar:
    if month is None:
        today = utc_now().astimezone(SHANGHAI)
        year, mon = today.year, today.month
    else:
        year, mon = (int(p) for p in month.split("-"))
    return artists.public_month(db, artist_id, year, mon)
