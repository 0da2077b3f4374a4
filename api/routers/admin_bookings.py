"""订单管理: operators list and filter every booking (with its progress 预约—签约—支付—演出—结算), read an order's
detail (timeline, quote, contract, payments, refunds, notifications sent, disputes, the Temporal UI link), and
intervene with the same validated updates as users (cancel with a refund choice, resolve a dispute, extend a
deadline)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from api.deps import Auth, Ctx, Db, Page, PageSize, PathId, get_auth, get_operator, require_permission
from domain.accounts import temporal_ui
from domain.accounts.permissions import Permission, operator_may
from domain.bookings import commands, operator_views
from domain.bookings.operator_views import OrderDetail, OrderFilters, OrderPage
from domain.bookings.schemas import ActionIn, ActionOut
from domain.bookings.states import BookingStatus, Stage
from domain.errors import PermissionDenied
from domain.inputs import InputDate, Text
from domain.models import Operator

router = APIRouter(prefix="/admin/bookings", tags=["admin"])
OrderListOp = Annotated[Operator, Depends(require_permission(Permission.ORDER_LIST))]
TemporalUiOp = Annotated[Operator, Depends(require_permission(Permission.SYSTEM_TEMPORAL_UI))]
OrderInterveneOp = Annotated[Operator, Depends(require_permission(Permission.ORDER_INTERVENE))]
Filter = Annotated[str | None, Text(50)]


@router.get("", response_model=OrderPage, summary="订单管理：全部订单")
def list_all(
    op: OrderListOp, db: Db, ctx: Ctx,
    status: BookingStatus | None = None,
    stage: Annotated[Stage | None, Query(description="进度：booking/contract/payment/show/settlement/done/closed")]
    = None,
    city: Annotated[Filter, Query(description="城市（包含）")] = None,
    artist: Annotated[Filter, Query(description="艺人：ID 或艺名（包含）")] = None,
    client: Annotated[Filter, Query(description="需求方：ID、机构名称（包含）或手机号（包含）")] = None,
    date_from: Annotated[InputDate | None, Query(description="演出日期起（含，北京时间）")] = None,
    date_to: Annotated[InputDate | None, Query(description="演出日期止（含，北京时间）")] = None,
    needs_operator: Annotated[bool | None, Query(description="true：待运营处理（含纠纷中）；false：其余")] = None,
    keyword: Annotated[Filter, Query(description="关键词：订单号、艺人、需求方、城市、场地、活动类型、联系人")] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> OrderPage:
    filters = OrderFilters(status=status.value if status else None, stage=stage.value if stage else None, city=city,
                           artist=artist, client=client, date_from=date_from, date_to=date_to,
                           needs_operator=needs_operator, keyword=keyword)
    return operator_views.list_orders(db, ctx.storage, filters, page=page, page_size=page_size)


class TemporalUiSessionOut(BaseModel):
    url: str  # the Temporal UI (TEMPORAL_UI_URL)
    expires_at: datetime


@router.post("/temporal-ui/session", response_model=TemporalUiSessionOut,
             summary="进入 Temporal UI：为本次登录签发 Temporal UI 访问凭证（HttpOnly Cookie）")
def temporal_ui_session(op: TemporalUiOp, auth: Auth, request: Request, response: Response,
                        ctx: Ctx) -> TemporalUiSessionOut:
    ticket, expires = temporal_ui.issue(ctx.tokens, auth)
    secure = request.url.scheme == "https"  # behind nginx: the scheme it forwarded (TRUSTED_PROXIES)
    response.set_cookie(temporal_ui.COOKIE, ticket, max_age=temporal_ui.TICKET_HOURS * 3600,
                        path=temporal_ui.COOKIE_PATH, httponly=True, samesite="lax", secure=secure)
    return TemporalUiSessionOut(url=operator_views.temporal_ui_base(ctx.settings), expires_at=expires)


def temporal_ui_operator(request: Request, db: Db, ctx: Ctx) -> Operator:
    """The Temporal UI ticket (cookie) of a request the reverse proxy forwards; or, without one, the console's own
    bearer login."""
    ticket = request.cookies.get(temporal_ui.COOKIE)
    if ticket:
        return temporal_ui.operator_for(db, ctx.tokens, ticket)
    return temporal_ui.allowed(db, get_operator(get_auth(request, ctx, db), db))


temporal_ui_operator.permission = Permission.SYSTEM_TEMPORAL_UI  # type: ignore[attr-defined]  # read by the route checks


@router.get("/temporal-ui/auth", status_code=204, response_class=Response,
            summary="Temporal UI 访问校验（反向代理 auth_request 调用）")
def temporal_ui_auth(op: Annotated[Operator, Depends(temporal_ui_operator)]) -> Response:
    return Response(status_code=204)


@router.get("/{booking_id}", response_model=OrderDetail, summary="订单详情：时间线、报价、合同、款项、通知、纠纷")
def detail(booking_id: PathId, op: OrderListOp, db: Db, ctx: Ctx) -> OrderDetail:
    return operator_views.order_detail(db, ctx.storage, ctx.settings, booking_id)


@router.post("/{booking_id}/actions/{action}", response_model=ActionOut, summary="运营干预")
async def intervene(booking_id: PathId, action: commands.OperatorAction, body: ActionIn, op: OrderInterveneOp, db: Db,
                    ctx: Ctx) -> ActionOut:
    if action == "resolve_dispute" and not operator_may(db, op, Permission.DISPUTE_RESOLVE):
        raise PermissionDenied("当前角色没有处理纠纷的权限")
    return await commands.intervene(ctx, db, op.id, booking_id, action, body)
