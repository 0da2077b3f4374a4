"""Payouts: the artist's 收款账户 (bank transfers; shown masked), operators' payout list, and finance's
bank-transfer batches (make a batch, download its Excel file, record each line's result). A failed payout is
retried through the booking's workflow (POST /admin/settlements/{booking_id}/retry), which calls
domain.payouts.service.retry_payout, so the workflow always knows where its payout is."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response, UploadFile

from api.deps import ArtistSelf, Ctx, Db, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.models import Operator
from domain.payouts import accounts, bank, service, views
from domain.payouts.errors import PayoutResultFileInvalid
from domain.payouts.factory import payout_channel_from_settings
from domain.payouts.schemas import (
    BatchOut,
    BatchResultIn,
    PayoutAccountIn,
    PayoutAccountOut,
    TransferConfirmationOut,
)

router = APIRouter(tags=["payouts"])
FinancePayoutOp = Annotated[Operator, Depends(require_permission(Permission.FINANCE_PAYOUT))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/me/artist/payout-account", response_model=PayoutAccountOut | None,
            summary="我的收款账户（银行卡，脱敏显示；未填写为 null；仅艺人本人）")
def get_payout_account(me: ArtistSelf, db: Db) -> PayoutAccountOut | None:
    return accounts.find_account(db, me.artist_id)


@router.put("/me/artist/payout-account", response_model=PayoutAccountOut,
            summary="填写/修改收款账户（户名须与实名一致；仅艺人本人）")
def put_payout_account(body: PayoutAccountIn, me: ArtistSelf, db: Db, ctx: Ctx) -> PayoutAccountOut:
    return accounts.save_account(db, ctx.cipher, me.artist_id, body)


@router.get("/me/artist/payouts/{booking_id}/wechat-confirmation", response_model=TransferConfirmationOut,
            summary="微信转账确认收款参数（wx.requestMerchantTransfer；仅待确认收款时；仅艺人本人）")
def wechat_confirmation(booking_id: PathId, me: ArtistSelf, db: Db, ctx: Ctx) -> TransferConfirmationOut:
    return service.transfer_confirmation(db, payout_channel_from_settings(ctx.settings), me.artist_id, booking_id)


@router.get("/admin/payouts", response_model=views.PayoutPage, tags=["admin"], summary="结算出款列表")
def list_payouts(
    op: FinancePayoutOp, db: Db,
    status: Literal["pending_approval", "approved", "paying", "paid", "failed", "rejected"] | None = None,
    channel: Literal["sandbox", "wechat_transfer", "bank"] | None = None,
    artist_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> views.PayoutPage:
    return views.list_payouts(db, status=status, channel=channel, artist_id=artist_id, page=page,
                              page_size=page_size)


@router.post("/admin/payouts/bank-batches", response_model=BatchOut, status_code=201, tags=["admin"],
             summary="生成银行转账批次（收集所有待银行付款的出款）")
def create_batch(op: FinancePayoutOp, db: Db, ctx: Ctx) -> BatchOut:
    batch = bank.create_batch(db, op.id)
    return bank.batch_view(db, ctx.cipher, batch.id)


@router.get("/admin/payouts/bank-batches", response_model=list[BatchOut], tags=["admin"],
            summary="银行转账批次（最近 50 个）")
def list_batches(op: FinancePayoutOp, db: Db, ctx: Ctx) -> list[BatchOut]:
    return bank.list_batches(db, ctx.cipher)


@router.get("/admin/payouts/bank-batches/{batch_id}", response_model=BatchOut, tags=["admin"], summary="批次详情")
def get_batch(batch_id: PathId, op: FinancePayoutOp, db: Db, ctx: Ctx) -> BatchOut:
    return bank.batch_view(db, ctx.cipher, batch_id)


@router.get("/admin/payouts/bank-batches/{batch_id}/file", tags=["admin"], response_class=Response,
            responses={200: {"content": {XLSX: {}},
                             "description": "批量付款 Excel（收款户名、账号、开户行、金额(元)、用途、商户单号）"}},
            summary="下载批量付款文件（Excel）")
def batch_file(batch_id: PathId, op: FinancePayoutOp, db: Db, ctx: Ctx) -> Response:
    name, data = bank.batch_file(db, ctx.cipher, batch_id)
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"})


@router.post("/admin/payouts/bank-batches/{batch_id}/lines/{line_id}/result", response_model=BatchOut,
             tags=["admin"], summary="登记银行付款结果（成功 / 失败及原因）")
def settle_line(batch_id: PathId, line_id: PathId, body: BatchResultIn, op: FinancePayoutOp, db: Db,
                ctx: Ctx) -> BatchOut:
    bank.settle_line(db, batch_id, line_id, body, op.id)
    return bank.batch_view(db, ctx.cipher, batch_id)


@router.post("/admin/payouts/bank-batches/{batch_id}/results", response_model=BatchOut, tags=["admin"],
             # The generated body model is named after the operation id; the default one repeats the path.
             generate_unique_id_function=lambda route: "upload_bank_batch_results",
             summary="上传付款结果（在批次 Excel 的“结果(成功/失败)”“失败原因”列填写后上传）")
def upload_results(batch_id: PathId, file: UploadFile, op: FinancePayoutOp, db: Db, ctx: Ctx) -> BatchOut:
    data = file.file.read(bank.RESULT_FILE_MAX_BYTES + 1)
    if len(data) > bank.RESULT_FILE_MAX_BYTES:
        raise PayoutResultFileInvalid("文件过大：结果文件不超过5MB")
    bank.apply_result_file(db, batch_id, data, op.id)
    return bank.batch_view(db, ctx.cipher, batch_id)
