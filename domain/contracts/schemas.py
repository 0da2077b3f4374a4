"""Request and response bodies of the contract routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel

from domain.inputs import Input, Text


class SignCodeOut(BaseModel):
    sent: bool
    phone_masked: str
    cooldown_seconds: int
    sandbox_code: str | None = None  # only from the sandbox SMS sender (沙箱), never from a real one


class SignatureOut(BaseModel):
    side: str            # client / artist
    label: str           # 甲方（需求方） / 乙方（艺人）
    name: str
    signed_at: datetime | None
    signature_url: str | None  # short-lived signed link to the handwritten signature image


class EvidenceOut(BaseModel):
    side: str
    signed_at: datetime
    ip_masked: str
    user_agent: str
    document_sha256: str
    sms_confirmation_id: int
    phone_masked: str


class ContractView(BaseModel):
    booking_id: int
    booking_status: str
    contract_no: str
    title: str
    template_version: int
    body: str                     # the rendered contract text
    terms: dict[str, str]
    sent_at: datetime
    document_sha256: str          # of the unsigned PDF both parties sign
    sealed_sha256: str | None     # of the sealed PDF, once both signed
    sealed_at: datetime | None
    signatures: list[SignatureOut]
    evidence: list[EvidenceOut]
    my_side: str | None           # the side the caller signs (None for operators)
    can_sign: bool                # it is the caller's turn: send a code, then sign with it


class DownloadLinkOut(BaseModel):
    url: str
    expires_at: datetime
    kind: str  # sealed / unsigned
    sha256: str


class SealCheckOut(BaseModel):
    signed: bool
    intact: bool
    trusted: bool
    whole_file: bool
    valid: bool
    signer: str | None
    signed_at: str | None
    message: str


class VerifyOut(BaseModel):
    sha256: str
    matches_record: bool          # the SHA-256 of a sealed contract the platform issued
    contract_no: str | None
    sealed_at: datetime | None
    seal: SealCheckOut
    verdict: str                  # one sentence in Chinese


class TemplateIn(Input):
    title: Annotated[str, Text(100, min_length=2)]
    body: Annotated[str, Text(20_000, min_length=20, multiline=True)]
    note: Annotated[str, Text(200)] = ""


class TemplateOut(BaseModel):
    id: int
    version: int
    title: str
    body: str
    note: str
    created_by: int | None
    created_at: datetime
    is_current: bool


class TemplateList(BaseModel):
    items: list[TemplateOut]
    placeholders: dict[str, str]  # ${name} -> what it holds
