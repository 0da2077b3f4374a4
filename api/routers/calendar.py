"""The artist's own calendar (档期): view, batch-set rest/unavailable/available, delete a mark.

Acting as artist, or as a member of the artist's team with the `X-Artist-Id` header (api.deps.ActingArtist);
no artist id in any path. The public month view lives with the public artist pages.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActingArtist, Db, PathId
from domain.calendar import service as calendar
from domain.calendar.schemas import CalendarOut, DeletedOut, RangeIn, RangeOut
from domain.inputs import InputDate

router = APIRouter(prefix="/calendar", tags=["calendar"])

@router.get("/me", response_model=CalendarOut, summary="我的档期（艺人）")
def my_calendar(
    me: ActingArtist,
    db: Db,
    start: Annotated[InputDate | None, Query(description="开始日期（含），默认30天前")] = None,
    end: Annotated[InputDate | None, Query(description="结束日期（含），默认90天后；最多400天")] = None,
) -> CalendarOut:
    return calendar.my_calendar(db, me.artist_id, start, end)


@router.put("/me/range", response_model=RangeOut, summary="批量设置档期（艺人）",
            responses={409: {"description": "所选时段与已预留或已预订的档期冲突；detail 列出冲突的档期"}})
def set_range(body: RangeIn, me: ActingArtist, db: Db) -> RangeOut:
    return calendar.set_range(db, me.artist_id, body)


@router.delete("/me/slots/{slot_id}", response_model=DeletedOut, summary="删除一条档期标记（艺人）")
def delete_slot(slot_id: PathId, me: ActingArtist, db: Db) -> DeletedOut:
    calendar.delete_slot(db, me.artist_id, slot_id)
    return DeletedOut(id=slot_id, deleted=True)
