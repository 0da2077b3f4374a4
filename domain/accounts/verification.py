"""Real-name verification (实名认证): submissions are encrypted at rest and checked by a workflow."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.accounts import rules
from domain.accounts.crypto import FieldCipher, mask_id_number, mask_name
from domain.accounts.schemas import VerificationIn
from domain.artists.changes import artist_changed
from domain.errors import AppError, Conflict
from domain.models import RealNameVerification, Upload, User
from domain.time import utc_now
from integrations.realname.base import RealNameResult
from integrations.realname.idcard import validate_id_number

ID_CONTEXT = b"real_name_verifications.id_number"
NAME_CONTEXT = b"real_name_verifications.legal_name"


class InvalidIdNumber(AppError):
    status, code, message = 422, "id_number_invalid", "身份证号码无效，请检查后重新输入"


def submit(session: Session, cipher: FieldCipher, user: User, data: VerificationIn) -> RealNameVerification:
    if user.verification_status == "pending":
        raise Conflict("实名认证正在审核中，请耐心等待结果", code="verification_pending")
    if user.verification_status == "verified":
        raise Conflict("已完成实名认证，无需重复提交", code="already_verified")
    if not validate_id_number(data.id_number):
        raise InvalidIdNumber()
    if data.subject.value == "organisation" and not data.licence_upload_id and \
            rules.get_rule(session, "verification.organisation_licence_required"):
        raise AppError("机构认证需要上传营业执照", code="licence_required", status=422)
    if data.licence_upload_id:  # checked whenever sent: an unknown id would break the foreign key (a 500)
        upload = session.get(Upload, data.licence_upload_id)
        if upload is None or upload.user_id != user.id or upload.purpose != "licence":
            raise AppError("营业执照文件不存在，请重新上传", code="licence_not_found", status=422)
    digest = cipher.lookup_hash(data.id_number)
    taken = session.scalar(select(RealNameVerification.id).where(
        RealNameVerification.id_number_hash == digest, RealNameVerification.user_id != user.id,
        RealNameVerification.status.in_(["pending", "verified"])))
    if taken:
        raise Conflict("该身份证号已被其他账号认证", code="id_number_taken")
    row = RealNameVerification(
        user_id=user.id, subject=data.subject.value,
        legal_name_cipher=cipher.encrypt(data.legal_name, context=NAME_CONTEXT),
        legal_name_masked=mask_name(data.legal_name),
        id_number_cipher=cipher.encrypt(data.id_number, context=ID_CONTEXT),
        id_number_hash=digest, id_number_masked=mask_id_number(data.id_number),
        licence_upload_id=data.licence_upload_id, status="pending",
    )
    session.add(row)
    user.verification_status = "pending"
    session.flush()
    return row


def decrypted_identity(cipher: FieldCipher, row: RealNameVerification) -> tuple[str, str]:
    return (cipher.decrypt(row.legal_name_cipher, context=NAME_CONTEXT),
            cipher.decrypt(row.id_number_cipher, context=ID_CONTEXT))


def record_result(session: Session, row: RealNameVerification, result: RealNameResult, provider: str) -> None:
    """Idempotent: a decided submission is never decided again."""
    if row.status != "pending":
        return
    row.status = "verified" if result.verified else "rejected"
    row.reason = None if result.verified else (result.reason or "实名信息核验未通过")
    row.provider, row.decided_at = provider, utc_now()
    user = session.get(User, row.user_id)
    if user is not None:
        user.verification_status = row.status
        artist_changed(session, user.id)  # the 已实名 badge
    session.flush()
