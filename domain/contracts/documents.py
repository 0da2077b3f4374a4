"""The document of a booking's contract: rendered from the template version current when the artist sent it
(unsigned PDF, stored privately), then, once both handwritten signatures exist, re-rendered with both signatures
and the signing evidence and sealed by the platform (PAdES). The API and the booking activities call these."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.accounts.crypto import FieldCipher, field_cipher_from_settings
from domain.contracts import templates, terms
from domain.contracts.pdf import SignatureMark, render
from domain.contracts.seal import PlatformSeal
from domain.models import Booking, Contract, ContractDocument, SignatureEvidence
from domain.settings import Settings
from domain.time import SHANGHAI, utc_now
from storage.base import ObjectStorage

SIDES = (("client", "甲方（需求方）"), ("artist", "乙方（艺人）"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mask_ip(ip: str) -> str:
    if ":" in ip:  # IPv6: the first two groups
        return ":".join(ip.split(":")[:2]) + ":*"
    parts = ip.split(".")
    return ".".join(parts[:2] + ["*"] * (len(parts) - 2)) if len(parts) == 4 else ip


@dataclass
class ContractPapers:
    """What rendering and sealing need, chosen once from settings (API context and worker)."""

    storage: ObjectStorage
    cipher: FieldCipher
    settings: Settings
    _seal: PlatformSeal | None = field(default=None, init=False)

    @classmethod
    def from_settings(cls, settings: Settings, storage: ObjectStorage) -> ContractPapers:
        return cls(storage, field_cipher_from_settings(settings), settings)

    @property
    def seal(self) -> PlatformSeal:
        if self._seal is None:
            self._seal = PlatformSeal.from_settings(self.settings)
        return self._seal

    def _render(self, title: str, body: str, footer: str, marks: list[SignatureMark]) -> bytes:
        return render(Path(self.settings.contract_font_path), self.settings.contract_font_index, title, body,
                      footer, marks, data_dir=self.settings.data_dir)

    def prepare(self, session: Session, booking_id: int) -> ContractDocument:
        """The unsigned document of a sent contract, created once (a repeat returns the row)."""
        # One maker at a time per contract (the worker's document process, the API): the second finds the row.
        session.get(Contract, booking_id, with_for_update=True)
        doc = session.get(ContractDocument, booking_id)
        if doc is not None:
            return doc
        booking = session.get(Booking, booking_id)
        assert booking is not None
        template = templates.latest(session)
        values = terms.build(session, self.cipher, booking)
        body = templates.render(template.body, values)
        marks = [SignatureMark(label, values[f"{side}_name"], None) for side, label in SIDES]
        footer = f"合同编号 {values['contract_no']} · 模板版本 v{template.version} · 待双方签署的版本"
        pdf = self._render(template.title, body, footer, marks)
        key = f"private/contracts/{booking_id}/contract-unsigned.pdf"
        self.storage.put(key, pdf, "application/pdf", private=True)
        doc = ContractDocument(booking_id=booking_id, template_id=template.id, template_version=template.version,
                               terms={"title": template.title, **values}, body=body, unsigned_key=key,
                               unsigned_sha256=sha256(pdf))
        session.add(doc)
        session.flush()
        return doc

    def finish(self, session: Session, booking_id: int) -> ContractDocument | None:
        """Once both parties signed: the PDF with both signatures and the evidence, sealed. Idempotent."""
        contract = session.get(Contract, booking_id)
        if contract is None or not (contract.client_signature_key and contract.artist_signature_key):
            return None
        doc = self.prepare(session, booking_id)
        if doc.sealed_key:
            return doc
        evidence = {e.side: e for e in session.scalars(select(SignatureEvidence).where(
            SignatureEvidence.booking_id == booking_id))}
        marks, trail = [], []
        for side, label in SIDES:
            key = contract.client_signature_key if side == "client" else contract.artist_signature_key
            signed_at = contract.client_signed_at if side == "client" else contract.artist_signed_at
            when = signed_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if signed_at else ""
            marks.append(SignatureMark(label, doc.terms.get(f"{side}_name", ""), self.storage.get(key) if key else None,
                                       when))
            e = evidence.get(side)
            if e is not None:
                trail.append(f"{label}：短信确认编号 {e.sms_confirmation_id}（{e.phone_masked}），"
                             f"IP {mask_ip(e.ip)}，{e.signed_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}")
        footer = (f"合同编号 {doc.terms.get('contract_no', '')} · 模板版本 v{doc.template_version} · "
                  f"签署文本 SHA-256：{doc.unsigned_sha256}\n" + "\n".join(trail) +
                  "\n本文件由演约平台加盖电子签章（PAdES），签章后的任何修改均可被检测。")
        pdf = self.seal.seal(self._render(doc.terms.get("title", templates.DEFAULT_TITLE), doc.body, footer, marks))
        key = f"private/contracts/{booking_id}/contract-sealed.pdf"
        self.storage.put(key, pdf, "application/pdf", private=True)
        doc.sealed_key, doc.sealed_sha256, doc.sealed_at = key, sha256(pdf), utc_now()
        session.flush()
        return doc
