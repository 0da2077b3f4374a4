"""The document of a booking's contract: rendered from the template version current when the artist sent it
(unsigned PDF, stored privately), then, once both handwritten signatures exist, re-rendered with both signatures
and the signing evidence and sealed by the platform (PAdES). The API and the booking activities call these.

Rendering takes ~0.1 s of CPU, and a client may sign right after the artist sends the contract (the signer's
evidence needs the unsigned PDF's SHA-256): so the worker renders a draft as soon as the quote is agreed, stored
under the digest of the text it shows. When the contract is sent, a draft whose text is exactly the document's
becomes the document; any change in between (another template version, a renamed party) gives another digest, and
the document is rendered then as before."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.accounts.crypto import FieldCipher, field_cipher_from_settings
from domain.contracts import templates, terms
from domain.contracts.pdf import SignatureMark, render
from domain.contracts.seal import PlatformSeal
from domain.db import xact_lock
from domain.models import Booking, Contract, ContractDocument, ContractTemplate, SignatureEvidence
from domain.settings import Settings
from domain.time import SHANGHAI, utc_now
from storage.base import ObjectNotFound, ObjectStorage

SIDES = (("client", "甲方（需求方）"), ("artist", "乙方（艺人）"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mask_ip(ip: str) -> str:
    if ":" in ip:  # IPv6: the first two groups
        return ":".join(ip.split(":")[:2]) + ":*"
    parts = ip.split(".")
    return ".".join(parts[:2] + ["*"] * (len(parts) - 2)) if len(parts) == 4 else ip


@dataclass(frozen=True)
class _Unsigned:
    """What the unsigned document shows, from the latest template and the booking's terms."""

    template: ContractTemplate
    values: dict[str, str]
    body: str
    footer: str
    marks: list[SignatureMark]

    def draft_key(self, booking_id: int) -> str:
        shown = [self.template.id, self.template.title, self.body, self.footer, [[m.label, m.name] for m in self.marks]]
        digest = sha256(json.dumps(shown, ensure_ascii=False).encode())
        return f"{_drafts(booking_id)}{digest}.pdf"


def _drafts(booking_id: int) -> str:
    return f"private/contracts/{booking_id}/draft-"


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

    def _unsigned(self, session: Session, booking: Booking) -> _Unsigned:
        template = templates.latest(session)
        values = terms.build(session, self.cipher, booking)
        marks = [SignatureMark(label, values[f"{side}_name"], None) for side, label in SIDES]
        footer = f"合同编号 {values['contract_no']} · 模板版本 v{template.version} · 待双方签署的版本"
        return _Unsigned(template, values, templates.render(template.body, values), footer, marks)

    def draft(self, session: Session, booking_id: int) -> bool:
        """Render the unsigned document ahead (the worker, once the quote is agreed); False: nothing to do."""
        if session.get(ContractDocument, booking_id) is not None:
            return False
        booking = session.get(Booking, booking_id)
        if booking is None:
            return False
        unsigned = self._unsigned(session, booking)
        # Held while rendering: a document made meanwhile waits for this draft instead of rendering it again.
        xact_lock(session, f"contract-draft:{booking_id}")
        key = unsigned.draft_key(booking_id)
        if self.storage.exists(key):
            return False
        pdf = self._render(unsigned.template.title, unsigned.body, unsigned.footer, unsigned.marks)
        self.storage.put(key, pdf, "application/pdf", private=True)
        return True

    def drop_drafts(self, booking_id: int) -> None:
        """The booking's drafts go once its document exists, or once it ends without a contract (they show names)."""
        for key, _ in list(self.storage.list_keys(_drafts(booking_id))):
            self.storage.delete(key)

    def prepare(self, session: Session, booking_id: int) -> ContractDocument:
        """The unsigned document of a sent contract, created once (a repeat returns the row)."""
        # One maker at a time per contract (the worker's document process, the API): the second finds the row.
        session.get(Contract, booking_id, with_for_update=True)
        doc = session.get(ContractDocument, booking_id)
        if doc is not None:
            return doc
        booking = session.get(Booking, booking_id)
        assert booking is not None
        unsigned = self._unsigned(session, booking)
        template, values, body = unsigned.template, unsigned.values, unsigned.body
        xact_lock(session, f"contract-draft:{booking_id}")  # a draft being rendered now is waited for
        draft_key = unsigned.draft_key(booking_id)
        try:
            pdf = self.storage.get(draft_key)  # the same text, rendered ahead
        except ObjectNotFound:
            pdf = self._render(template.title, body, unsigned.footer, unsigned.marks)
        key = f"private/contracts/{booking_id}/contract-unsigned.pdf"
        self.storage.put(key, pdf, "application/pdf", private=True)
        self.drop_drafts(booking_id)  # this one and any whose text went stale
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
