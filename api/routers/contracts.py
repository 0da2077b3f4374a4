"""E-contracts: the contract of a booking as the mini-program shows it, the SMS code that confirms a signer's
intent, a signed short-lived link to the PDF (the booking's parties and operators), checking any PDF against the
platform's record (anyone), and the operators' template versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, UploadFile

from api.deps import Ctx, Db, Me, PathId, client_ip, require_permission
from domain.accounts.permissions import Permission
from domain.bookings import service as bookings
from domain.contracts import intent, service, templates
from domain.contracts.documents import ContractPapers
from domain.contracts.errors import PdfInvalid
from domain.contracts.schemas import (
    ContractView,
    DownloadLinkOut,
    SignCodeOut,
    TemplateIn,
    TemplateList,
    TemplateOut,
    VerifyOut,
)
from domain.errors import raises
from domain.models import Operator

router = APIRouter(tags=["contracts"])
OrderListOp = Annotated[Operator, Depends(require_permission(Permission.ORDER_LIST))]
ContractTemplateOp = Annotated[Operator, Depends(require_permission(Permission.CONTRACT_TEMPLATE))]


def _papers(ctx: Ctx) -> ContractPapers:
    return ContractPapers(ctx.storage, ctx.cipher, ctx.settings)


@router.get("/bookings/{booking_id}/contract", response_model=ContractView,
            summary="合同详情：正文、签署状态、文件哈希与签署证据")
@raises((409, "contract_not_sent"), (503, "contract_font_missing"))
def get_contract(booking_id: PathId, me: Me, db: Db, ctx: Ctx) -> ContractView:
    booking = bookings.get_booking(db, booking_id)
    role = bookings.role_on(booking, me.user.id, me.acting_role)
    return service.view(db, _papers(ctx), booking, role)


@router.post("/bookings/{booking_id}/contract/sign-code", response_model=SignCodeOut,
             summary="发送签署验证码（发到本人手机，签署合同时填写）")
@raises((409, "not_your_turn_to_sign"), (422, "phone_required"), (429, "sms_too_frequent"),
        (429, "sms_limit_reached"), (503, "sms_unavailable"))
def send_sign_code(booking_id: PathId, request: Request, me: Me, db: Db, ctx: Ctx) -> SignCodeOut:
    booking = bookings.get_booking(db, booking_id)
    role = bookings.role_on(booking, me.user.id, me.acting_role)
    sent = intent.send_code(db, ctx.sms, ctx.settings.secret("jwt_secret"), booking, me.user, role,
                            client_ip(request), echo_sandbox_code=ctx.settings.sms_sandbox_echo_code)
    return SignCodeOut(sent=True, phone_masked=sent.phone_masked, cooldown_seconds=sent.cooldown_seconds,
                       sandbox_code=sent.sandbox_code)


@router.post("/bookings/{booking_id}/contract/download-link", response_model=DownloadLinkOut,
             summary="合同PDF下载链接（签名短链接，10分钟有效）")
@raises((409, "contract_not_sent"), (503, "contract_font_missing"))
def contract_link(booking_id: PathId, me: Me, db: Db, ctx: Ctx) -> DownloadLinkOut:
    booking = bookings.get_booking(db, booking_id)
    bookings.role_on(booking, me.user.id, me.acting_role)
    return service.download_link(db, _papers(ctx), booking.id)


@router.post("/admin/bookings/{booking_id}/contract/download-link", response_model=DownloadLinkOut,
             summary="合同PDF下载链接（运营）", tags=["admin"])
@raises((409, "contract_not_sent"), (503, "contract_font_missing"))
def admin_contract_link(booking_id: PathId, op: OrderListOp, db: Db, ctx: Ctx) -> DownloadLinkOut:
    return service.download_link(db, _papers(ctx), bookings.get_booking(db, booking_id).id)


@router.post("/contracts/verify", response_model=VerifyOut, summary="验证合同PDF：与平台记录比对并校验电子签章")
@raises((422, "pdf_invalid"))
def verify_contract(file: UploadFile, db: Db, ctx: Ctx) -> VerifyOut:
    data = file.file.read(service.VERIFY_MAX_BYTES + 1)
    if len(data) > service.VERIFY_MAX_BYTES:
        raise PdfInvalid("文件过大：合同PDF不超过20MB")
    if not data.startswith(b"%PDF-"):
        raise PdfInvalid()
    return service.verify(db, _papers(ctx), data)


@router.get("/admin/contract-templates", response_model=TemplateList, summary="合同模板版本列表", tags=["admin"])
def list_templates(op: ContractTemplateOp, db: Db) -> TemplateList:
    rows = templates.list_versions(db)
    return TemplateList(items=[service.template_out(r, rows[0].version) for r in rows],
                        placeholders=service.template_placeholders())


@router.post("/admin/contract-templates", response_model=TemplateOut, status_code=201,
             summary="新建合同模板版本（已发送的合同保留原版本）", tags=["admin"])
@raises((422, "contract_template_invalid"))
def create_template(body: TemplateIn, op: ContractTemplateOp, db: Db) -> TemplateOut:
    row = templates.create_version(db, op.id, body.title, body.body, body.note)
    return service.template_out(row, row.version)


@router.get("/admin/contract-templates/{template_id}", response_model=TemplateOut, summary="合同模板详情",
            tags=["admin"])
@raises((404, "contract_template_not_found"))
def get_template(template_id: PathId, op: ContractTemplateOp, db: Db) -> TemplateOut:
    row = templates.get(db, template_id)
    return service.template_out(row, templates.latest(db).version)
