"""What the dashboard routes answer. Money in fen, days are China (Asia/Shanghai) calendar days, rates are
fractions 0..1 (0 when nothing was there to count: an empty range answers zeros, never an error)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

PeriodKey = Literal["today", "7d", "30d"]


class DashboardFigures(BaseModel):
    """The headline figures of a range (see domain.dashboard.service for how each is counted)."""

    paid_amount: int              # client money received (fen)
    refunded_amount: int          # refunds paid back to clients (fen)
    gmv_amount: int               # 成交额 = paid_amount − refunded_amount
    commission_amount: int        # platform commission income (fen)
    orders: int                   # bookings created
    final_bookings: int           # bookings that reached a final state
    completed_bookings: int       # … of which COMPLETED
    completion_rate: float        # completed_bookings / final_bookings
    paid_shows: int               # paid bookings whose show started in the range
    disputed_shows: int           # … of which ever disputed
    dispute_rate: float           # disputed_shows / paid_shows


class DashboardDayFigures(DashboardFigures):
    day: date


class DashboardPeriodFigures(DashboardFigures):
    key: PeriodKey
    label: str                    # 今日 / 近7天 / 近30天
    start: date
    end: date


class DashboardOverviewOut(BaseModel):
    start: date
    end: date
    totals: DashboardFigures                        # the requested range
    periods: list[DashboardPeriodFigures]           # today / last 7 days / last 30 days, each ending on `end`
    daily: list[DashboardDayFigures]                # every day of the requested range, oldest first


class DashboardFunnelStep(BaseModel):
    key: Literal["booking", "contract", "payment", "show", "settlement"]
    label: str                    # 预约 / 签约 / 支付 / 演出 / 结算
    count: int                    # bookings of the cohort that got at least this far
    rate: float                   # count / the first step's count


class DashboardFunnelOut(BaseModel):
    start: date
    end: date
    steps: list[DashboardFunnelStep]


class DashboardDemandItem(BaseModel):
    key: str
    label: str
    bookings: int                 # booking requests (one per artist asked)
    inquiries: int                # client inquiries (one inquiry may ask several artists)


class DashboardDemandOut(BaseModel):
    start: date
    end: date
    by_artist_type: list[DashboardDemandItem]
    by_city: list[DashboardDemandItem]
    by_event_type: list[DashboardDemandItem]


class DashboardTopArtist(BaseModel):
    artist_id: int
    stage_name: str
    gmv_amount: int               # this artist's bookings' client money received − refunded in the range (fen)
    bookings: int                 # booking requests to this artist created in the range
    completed: int                # this artist's bookings completed in the range


class DashboardTopArtistsOut(BaseModel):
    start: date
    end: date
    items: list[DashboardTopArtist]


class DashboardRoleCount(BaseModel):
    role: Literal["client", "artist", "agent", "none"]
    label: str                    # 需求方 / 艺人 / 经纪团队 / 未选身份
    count: int


class DashboardNewUsersDay(BaseModel):
    day: date
    client: int
    artist: int
    agent: int
    none: int


class DashboardNewUsersOut(BaseModel):
    start: date
    end: date
    total: int                    # accounts registered in the range (a user with two roles counts once here)
    by_role: list[DashboardRoleCount]      # … by the roles they hold now (a user with two roles counts under each)
    daily: list[DashboardNewUsersDay]
