"""E-contracts: versioned templates, the document of each booking (unsigned and sealed PDFs), the SMS codes a
signer confirms their intent with, and the evidence kept for each signature (电子签名法 §13-14)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class ContractTemplate(Base):
    """One version of the contract text; never edited, a change is a new version. A booking keeps its version."""

    __tablename__ = "contract_templates"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)  # Chinese text with ${placeholders} (string.Template)
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_by: Mapped[int | None] = mapped_column(BigInteger)  # operator id; None = the built-in default
    created_at: Mapped[datetime] = _now_col()


class ContractDocument(Base):
    """The document of one booking: the terms it was rendered from, the unsigned PDF shown to the signers and,
    once both signed, the PDF with both signatures sealed by the platform (PAdES)."""

    __tablename__ = "contract_documents"
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("contract_templates.id"))
    template_version: Mapped[int] = mapped_column(Integer)
    terms: Mapped[dict[str, Any]] = mapped_column(JSONB)
    body: Mapped[str] = mapped_column(Text)
    unsigned_key: Mapped[str] = mapped_column(String(200))
    unsigned_sha256: Mapped[str] = mapped_column(String(64))
    sealed_key: Mapped[str | None] = mapped_column(String(200))
    sealed_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    sealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_col()


class ContractSignCode(Base):
    """An SMS code sent to a signer's own phone to confirm they mean to sign one booking's contract."""

    __tablename__ = "contract_sign_codes"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(8))
    phone: Mapped[str] = mapped_column(String(20))
    ip: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _now_col()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    consumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_contract_sign_codes_booking_user", "booking_id", "user_id", "created_at"),
                      CheckConstraint("side in ('client','artist')", name="side"))


class SignatureEvidence(Base):
    """Who signed which side of a booking's contract, when, from where, over which document, confirmed by which
    SMS code. One per booking and side."""

    __tablename__ = "contract_signature_evidence"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(8))
    signer_id: Mapped[int] = mapped_column(BigInteger)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(300))
    document_sha256: Mapped[str] = mapped_column(String(64))
    sms_confirmation_id: Mapped[int] = mapped_column(ForeignKey("contract_sign_codes.id"))
    phone_masked: Mapped[str] = mapped_column(String(20))

    __table_args__ = (UniqueConstraint("booking_id", "side", name="uq_contract_signature_evidence_side"),
                      CheckConstraint("side in ('client','artist')", name="side"))
