"""Money records: the client's 支付记录 and 支付凭证, the artist's 收入明细 (+ Excel), and the operators' 资金流水
(payments, refunds, payouts, commission; each + Excel).

Exports are `.xlsx` siblings of their list route with the same filters (`GET /admin/money/payments.xlsx`), sent
with the caller's own login like every other request (the console and the mini-program download them with the
Authorization header), so a file never reaches anyone the list would not."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from api.deps import ArtistSelf, ClientMe, Db, Page, PageSize, require_permission
from domain.accounts.permissions import Permission
from domain.bookings import income
from domain.bookings.income import IncomeBookingsOut
from domain.errors import AppError
from domain.models import Operator
from domain.pages import Page as PageOf
from domain.payments import flows, records
from domain.payments.flows import (
    CommissionFlowPage,
    FlowFilter,
    PaymentFlowPage,
    PayoutFlowPage,
    RefundFlowPage,
)
from domain.payments.records import PaymentRecordOut, ReceiptOut
from domain.xlsx import XLSX_MEDIA_TYPE, attachment_headers

router = APIRouter(tags=["money"])
FinanceFlowOp = Annotated[Operator, Depends(require_permission(Permission.FINANCE_FLOW))]

OrderId = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_\-|*]{1,40}$")]
Start = Annotated[date | None, Query(description="起始日期（含，北京时间）")]
End = Annotated[date | None, Query(description="截止日期（含，北京时间）")]
IdFilter = Annotated[int | None, Query(ge=1, le=2**62)]
Gateway = Annotated[str | None, Query(max_length=20, pattern=r"^[a-z_]*$",
                                      description="支付渠道：sandbox / wechatpay / alipay")]
Status = Annotated[str | None, Query(max_length=20, pattern=r"^[a-z_]*$")]
XLSX_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "Excel 文件（.xlsx）"}}


class DateRangeInvalid(AppError):
    status, code, message = 422, "date_range_invalid", "起始日期不能晚于截止日期"


def _range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise DateRangeInvalid()


def _xlsx(content: bytes, name: str) -> Response:
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers=attachment_headers(name))


# --- the client


@router.get("/me/payments", response_model=PageOf[PaymentRecordOut],
            summary="我的支付记录（本人预约的每笔支付与退款，最新在前）")
def my_payments(me: ClientMe, db: Db, page: Page = 1, page_size: PageSize = 20) -> PageOf[PaymentRecordOut]:
    return records.client_payments(db, me.user.id, page, page_size)


@router.get("/me/payments/{order_id}", response_model=ReceiptOut, summary="支付凭证（仅付款的需求方本人）")
def my_receipt(order_id: OrderId, me: ClientMe, db: Db) -> ReceiptOut:
    return records.receipt(db, me.user.id, order_id)


# --- the artist


@router.get("/me/artist/income/bookings", response_model=IncomeBookingsOut,
            summary="收入明细（仅艺人本人；按演出日期筛选，含区间合计，单位分）")
def my_income_bookings(me: ArtistSelf, db: Db, start: Start = None, end: End = None, page: Page = 1,
                       page_size: PageSize = 20) -> IncomeBookingsOut:
    _range(start, end)
    return income.income_bookings(db, me.artist_id, start=start, end=end, page=page, page_size=page_size)


@router.get("/me/artist/income/bookings.xlsx", response_class=Response, responses=XLSX_RESPONSE,
            summary="导出收入明细 Excel（仅艺人本人）")
def my_income_export(me: ArtistSelf, db: Db, start: Start = None, end: End = None) -> Response:
    _range(start, end)
    return _xlsx(income.income_workbook(db, me.artist_id, start=start, end=end), "收入明细")


# --- operators: 资金流水
# Each list and its export take the same filters; a kind without a gateway (payouts) or a status (commissions)
# does not offer that filter. The date range is checked in the route, after every parameter was validated.


def _gateway_flows(start: Start = None, end: End = None, gateway: Gateway = None, status: Status = None,
                   booking_id: IdFilter = None, artist_id: IdFilter = None) -> FlowFilter:
    return FlowFilter(start=start, end=end, gateway=gateway or None, status=status or None, booking_id=booking_id,
                      artist_id=artist_id)


def _payout_flows(start: Start = None, end: End = None, status: Status = None, booking_id: IdFilter = None,
                  artist_id: IdFilter = None) -> FlowFilter:
    return _gateway_flows(start, end, None, status, booking_id, artist_id)


def _commission_flows(start: Start = None, end: End = None, booking_id: IdFilter = None,
                      artist_id: IdFilter = None) -> FlowFilter:
    return _gateway_flows(start, end, None, None, booking_id, artist_id)


def _paging(page: Page = 1, page_size: PageSize = 20) -> tuple[int, int]:
    # A dependency after the filters, so the page parameters stay last in the API description.
    return page, page_size


GatewayFlows = Annotated[FlowFilter, Depends(_gateway_flows)]
PayoutFlows = Annotated[FlowFilter, Depends(_payout_flows)]
CommissionFlows = Annotated[FlowFilter, Depends(_commission_flows)]
Paging = Annotated[tuple[int, int], Depends(_paging)]


def _page(db: Db, kind: flows.FlowKind, f: FlowFilter, paging: tuple[int, int]) -> dict[str, Any]:
    _range(f.start, f.end)
    return flows.flow_page(db, kind, f, *paging)


def _export(db: Db, kind: flows.FlowKind, f: FlowFilter) -> Response:
    _range(f.start, f.end)
    return _xlsx(flows.flow_workbook(db, kind, f), flows.FLOW_TITLES[kind])


@router.get("/admin/money/payments", response_model=PaymentFlowPage, summary="资金流水：支付", tags=["admin"])
def admin_payments(op: FinanceFlowOp, db: Db, f: GatewayFlows, paging: Paging) -> PaymentFlowPage:
    return PaymentFlowPage.model_validate(_page(db, "payments", f, paging))


@router.get("/admin/money/payments.xlsx", response_class=Response, responses=XLSX_RESPONSE,
            summary="导出支付流水 Excel", tags=["admin"])
def admin_payments_export(op: FinanceFlowOp, db: Db, f: GatewayFlows) -> Response:
    return _export(db, "payments", f)


@router.get("/admin/money/refunds", response_model=RefundFlowPage, summary="资金流水：退款", tags=["admin"])
def admin_refunds(op: FinanceFlowOp, db: Db, f: GatewayFlows, paging: Paging) -> RefundFlowPage:
    return RefundFlowPage.model_validate(_page(db, "refunds", f, paging))


@router.get("/admin/money/refunds.xlsx", response_class=Response, responses=XLSX_RESPONSE,
            summary="导出退款流水 Excel", tags=["admin"])
def admin_refunds_export(op: FinanceFlowOp, db: Db, f: GatewayFlows) -> Response:
    return _export(db, "refunds", f)


@router.get("/admin/money/payouts", response_model=PayoutFlowPage, summary="资金流水：结算打款", tags=["admin"])
def admin_payouts(op: FinanceFlowOp, db: Db, f: PayoutFlows, paging: Paging) -> PayoutFlowPage:
    return PayoutFlowPage.model_validate(_page(db, "payouts", f, paging))


@router.get("/admin/money/payouts.xlsx", response_class=Response, responses=XLSX_RESPONSE,
            summary="导出结算打款 Excel", tags=["admin"])
def admin_payouts_export(op: FinanceFlowOp, db: Db, f: PayoutFlows) -> Response:
    return _export(db, "payouts", f)


@router.get("/admin/money/commissions", response_model=CommissionFlowPage, summary="资金流水：平台佣金",
            tags=["admin"])
def admin_commissions(op: FinanceFlowOp, db: Db, f: CommissionFlows, paging: Paging) -> CommissionFlowPage:
    return CommissionFlowPage.model_validate(_page(db, "commissions", f, paging))


@router.get("/admin/money/commissions.xlsx", response_class=Response, responses=XLSX_RESPONSE,
            summary="导出平台佣金 Excel", tags=["admin"])
def admin_commissions_export(op: FinanceFlowOp, db: Db, f: CommissionFlows) -> Response:
    return _export(db, "commissions", f)
