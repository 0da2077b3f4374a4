"""The console's dashboards: GMV, orders, funnel, demand, top artists, new users.

Each route takes a date range in China (Asia/Shanghai) calendar days, both ends included; by default the 30 days
ending today. How each figure is counted: domain.dashboard.service."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import Db, require_permission
from domain.accounts.permissions import Permission
from domain.dashboard import service as dashboard
from domain.dashboard.schemas import (
    DashboardDemandOut,
    DashboardFunnelOut,
    DashboardNewUsersOut,
    DashboardOverviewOut,
    DashboardTopArtistsOut,
)
from domain.inputs import InputDate
from domain.models import Operator

router = APIRouter(prefix="/admin/dashboard", tags=["admin"])
DashboardOp = Annotated[Operator, Depends(require_permission(Permission.DASHBOARD_VIEW))]
Start = Annotated[InputDate | None, Query(description="起始日期（含，北京时间），默认截止日期前29天")]
End = Annotated[InputDate | None, Query(description="截止日期（含，北京时间），默认今天")]


def _range(start: Start = None, end: End = None) -> tuple[date, date]:
    return dashboard.date_range(start, end)


Range = Annotated[tuple[date, date], Depends(_range)]


@router.get("/overview", response_model=DashboardOverviewOut,
            summary="数据看板：成交额、订单数、完成率、纠纷率、佣金收入（区间合计、今日/近7天/近30天、每日趋势）")
def overview(_: DashboardOp, db: Db, days: Range) -> DashboardOverviewOut:
    return dashboard.overview(db, *days)


@router.get("/funnel", response_model=DashboardFunnelOut, summary="数据看板：预约→签约→支付→演出→结算 转化漏斗")
def funnel(_: DashboardOp, db: Db, days: Range) -> DashboardFunnelOut:
    return dashboard.funnel(db, *days)


@router.get("/demand", response_model=DashboardDemandOut, summary="数据看板：需求分布（艺人类型、城市、活动类型）")
def demand(_: DashboardOp, db: Db, days: Range) -> DashboardDemandOut:
    return dashboard.demand(db, *days)


@router.get("/top-artists", response_model=DashboardTopArtistsOut, summary="数据看板：热门艺人（按成交额）")
def top_artists(_: DashboardOp, db: Db, days: Range,
                limit: Annotated[int, Query(ge=1, le=50, description="条数")] = 10) -> DashboardTopArtistsOut:
    return dashboard.top_artists(db, *days, limit)


@router.get("/new-users", response_model=DashboardNewUsersOut, summary="数据看板：新增用户（按身份）")
def new_users(_: DashboardOp, db: Db, days: Range) -> DashboardNewUsersOut:
    return dashboard.new_users(db, *days)
