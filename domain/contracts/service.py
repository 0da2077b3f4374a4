"""What the contract routes ask: the contract as the mini-program shows it, a signed download link, checking an
uploaded PDF against the platform's record, and the template versions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.contracts import templates
from domain.contracts.documents import SIDES, ContractPapers, mask_ip, sha256
from domain.contracts.errors import ContractNotSent
from domain.contracts.intent import TURNS
from domain.contracts.schemas import (
    ContractView,
    DownloadLinkOut,
    EvidenceOut,
    SealCheckOut,
    SignatureOut,
    TemplateOut,
    VerifyOut,
)
from domain.contracts.terms import PLACEHOLDERS
from domain.errors import AppError
from domain.models import Booking, Contract, ContractDocument, ContractTemplate, SignatureEvidence
from domain.time import utc_now

LINK_TTL = timedelta(minutes=10)
VERIFY_MAX_BYTES = 20 * 1024 * 1024


def _contract(session: Session, booking_id: int) -> Contract:
    contract = session.get(Contract, booking_id)
    if contract is None:
        raise ContractNotSent()
    return contract


def view(session: Session, papers: ContractPapers, booking: Booking, role: str) -> ContractView:
    contract = _contract(session, booking.id)
    doc = papers.prepare(session, booking.id)  # a contract sent before documents existed gets one now
    if contract.client_signature_key and contract.artist_signature_key and not doc.sealed_key:
        try:  # not sealed when both signed (see activities.bookings): try again, the view shows either way
            with session.begin_nested():
                papers.finish(session, booking.id)
        except AppError:
            pass
    evidence = {e.side: e for e in session.scalars(select(SignatureEvidence).where(
        SignatureEvidence.booking_id == booking.id))}
    signatures, shown = [], []
    for side, label in SIDES:
        signed_at = contract.client_signed_at if side == "client" else contract.artist_signed_at
        key = contract.client_signature_key if side == "client" else contract.artist_signature_key
        signatures.append(SignatureOut(side=side, label=label, name=doc.terms.get(f"{side}_name", ""),
                                       signed_at=signed_at,
                                       signature_url=papers.storage.download_url(key, expires=LINK_TTL)
                                       if key else None))
        e = evidence.get(side)
        if e is not None and signed_at is not None:  # a confirmation the workflow refused is no evidence
            shown.append(EvidenceOut(side=side, signed_at=e.signed_at, ip_masked=mask_ip(e.ip),
                                     user_agent=e.user_agent, document_sha256=e.document_sha256,
                                     sms_confirmation_id=e.sms_confirmation_id, phone_masked=e.phone_masked))
    my_side = role if role in ("client", "artist") else None
    return ContractView(
        booking_id=booking.id, booking_status=booking.status, contract_no=doc.terms.get("contract_no", ""),
        title=doc.terms.get("title", templates.DEFAULT_TITLE), template_version=doc.template_version,
        body=doc.body, terms={k: str(v) for k, v in doc.terms.items()}, sent_at=contract.sent_at,
        document_sha256=doc.unsigned_sha256, sealed_sha256=doc.sealed_sha256, sealed_at=doc.sealed_at,
        signatures=signatures, evidence=shown, my_side=my_side,
        can_sign=TURNS.get((booking.status, role)) is not None)


def download_link(session: Session, papers: ContractPapers, booking_id: int) -> DownloadLinkOut:
    _contract(session, booking_id)
    doc = papers.finish(session, booking_id) or papers.prepare(session, booking_id)
    key, digest, kind = ((doc.sealed_key, doc.sealed_sha256, "sealed") if doc.sealed_key and doc.sealed_sha256
                         else (doc.unsigned_key, doc.unsigned_sha256, "unsigned"))
    return DownloadLinkOut(url=papers.storage.download_url(key, expires=LINK_TTL), expires_at=utc_now() + LINK_TTL,
                           kind=kind, sha256=digest)


def verify(session: Session, papers: ContractPapers, pdf: bytes) -> VerifyOut:
    digest = sha256(pdf)
    doc = session.scalar(select(ContractDocument).where(ContractDocument.sealed_sha256 == digest).limit(1))
    check = papers.seal.check(pdf)
    seal = SealCheckOut(signed=check.signed, intact=check.intact, trusted=check.trusted, whole_file=check.whole_file,
                        valid=check.valid, signer=check.signer, signed_at=check.signed_at, message=check.message)
    if doc is not None and check.valid:
        verdict = "验证通过：该文件与平台签发的合同一致，且平台电子签章有效"
    elif doc is not None:
        verdict = "文件与平台记录一致，但电子签章验证未通过"
    else:
        verdict = "验证未通过：平台没有与该文件一致的已签章合同，文件可能被修改过"
    return VerifyOut(sha256=digest, matches_record=doc is not None,
                     contract_no=doc.terms.get("contract_no") if doc else None,
                     sealed_at=doc.sealed_at if doc else None, seal=seal, verdict=verdict)


def template_out(row: ContractTemplate, current_version: int) -> TemplateOut:
    return TemplateOut(id=row.id, version=row.version, title=row.title, body=row.body, note=row.note,
                       created_by=row.created_by, created_at=row.created_at,
                       is_current=row.version == current_version)


def template_placeholders() -> dict[str, str]:
    return dict(PLACEHOLDERS)
