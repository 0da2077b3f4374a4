"""Public browsing: no login needed (WeChat review rejects mini-programs that force one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.deps import Ctx, Db
from domain.artists import service as artists
from domain.artists.schemas import ArtistDetail, ArtistPage
from domain.enums import ARTIST_TYPE_LABELS, CITIES, INDUSTRY_LABELS, ArtistType

router = APIRouter(tags=["public"])


class Option(BaseModel):
    value: str
    label: str


class Options(BaseModel):
    industries: list[Option]
    artist_types: list[Option]
    cities: list[str]
    sms_sandbox: bool


@router.get("/meta/options", response_model=Options, summary="表单选项")
def options(ctx: Ctx) -> Options:
    return Options(industries=[Option(value=k, label=v) for k, v in INDUSTRY_LABELS.items()],
                   artist_types=[Option(value=k, label=v) for k, v in ARTIST_TYPE_LABELS.items()],
                   cities=CITIES, sms_sandbox=ctx.sms.is_sandbox)


@router.get("/artists", response_model=ArtistPage, summary="艺人列表（公开）")
def list_artists(
    db: Db,
    q: Annotated[str | None, Query(max_length=50)] = None,
    city: Annotated[str | None, Query(max_length=30)] = None,
    artist_type: ArtistType | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=50)] = 20,
) -> ArtistPage:
    items, total = artists.list_artists(db, q=artists.escape_like(q.strip()) if q and q.strip() else None,
                                        city=city, artist_type=artist_type.value if artist_type else None,
                                        page=page, page_size=page_size)
    return ArtistPage(items=items, total=total, page=page, page_size=page_size)


@router.get("/artists/{artist_id}", response_model=ArtistDetail, summary="艺人详情（公开）")
def get_artist(artist_id: Annotated[int, Path(ge=1, le=2**62)], db: Db) -> ArtistDetail:
    return artists.artist_detail(db, artist_id)
