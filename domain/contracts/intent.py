"""Signing intent: a signer asks for an SMS code sent to their own phone and signs with it. A correct code is
consumed and becomes the evidence record of that signature (signer, time, IP, user agent, document SHA-256, SMS
confirmation id), one per booking and side. Codes: 6 digits, stored hashed, 5 minutes, single use, one a minute,
voided after 5 misses (as login codes, domain.accounts.sms, but scoped to the booking and the signer)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from domain.accounts.crypto import mask_phone
from domain.contracts.errors import NotASigner, PhoneRequired, SignCodeInvalid, SignCodeRequired
from domain.db import xact_lock
from domain.errors import TooManyRequests
from domain.models import Booking, ContractSignCode, SignatureEvidence, User
from domain.time import utc_now
from integrations.sms.base import SmsSender

CODE_TTL = timedelta(minutes=5)
COOLDOWN = timedelta(seconds=60)
HOURLY_LIMIT = 5
MAX_ATTEMPTS = 5
# Whose turn it is: (booking status, acting role) -> side signing now.
TURNS = {("CONTRACT_SENT", "client"): "client", ("CLIENT_SIGNED", "artist"): "artist"}


@dataclass(frozen=True)
class SentSignCode:
    phone_masked: str
    cooldown_seconds: int
    sandbox_code: str | None


def side_to_sign(booking: Booking, role: str) -> str:
    side = TURNS.get((booking.status, role))
    if side is None:
        raise NotASigner()
    return side


def _hash(pepper: str, code_id_scope: str, code: str) -> str:
    return hmac.new(pepper.encode(), f"contract-sign:{code_id_scope}:{code}".encode(), hashlib.sha256).hexdigest()


def _serialise(session: Session, booking_id: int, user_id: int) -> None:
    xact_lock(session, f"contract-sign:{booking_id}:{user_id}")


def send_code(session: Session, sender: SmsSender, pepper: str, booking: Booking, user: User, role: str, ip: str,
              *, echo_sandbox_code: bool) -> SentSignCode:
    side = side_to_sign(booking, role)
    if not user.phone:
        raise PhoneRequired()
    _serialise(session, booking.id, user.id)
    now = utc_now()
    mine = (ContractSignCode.booking_id == booking.id, ContractSignCode.user_id == user.id)
    last = session.scalar(select(func.max(ContractSignCode.created_at)).where(*mine))
    if last and now - last < COOLDOWN:
        wait = int((COOLDOWN - (now - last)).total_seconds()) + 1
        raise TooManyRequests(f"发送过于频繁，请{wait}秒后再试", code="sms_too_frequent",
                              detail={"retry_after": wait})
    sent = session.scalar(select(func.count()).where(*mine, ContractSignCode.created_at > now - timedelta(hours=1)))
    if (sent or 0) >= HOURLY_LIMIT:
        raise TooManyRequests("签署验证码1小时内发送次数已达上限，请稍后再试", code="sms_limit_reached")
    code = f"{secrets.randbelow(10**6):06d}"
    session.execute(update(ContractSignCode).where(*mine, ContractSignCode.consumed_at.is_(None),
                                                   ContractSignCode.voided_at.is_(None)).values(voided_at=now))
    scope = f"{booking.id}:{user.id}:{side}"
    session.add(ContractSignCode(booking_id=booking.id, user_id=user.id, side=side, phone=user.phone, ip=ip,
                                 code_hash=_hash(pepper, scope, code), created_at=now, expires_at=now + CODE_TTL))
    session.flush()
    sender.send_code(user.phone, code)
    return SentSignCode(phone_masked=mask_phone(user.phone) or "", cooldown_seconds=int(COOLDOWN.total_seconds()),
                        sandbox_code=code if sender.is_sandbox and echo_sandbox_code else None)


def confirm(session: Session, pepper: str, booking: Booking, user: User, role: str, code: str | None, *, ip: str,
            user_agent: str, document_sha256: str) -> SignatureEvidence:
    """Consume the signer's code and write the evidence of this signature. A wrong code counts a miss (kept) and
    refuses; nothing else is written."""
    side = side_to_sign(booking, role)
    if not code:
        raise SignCodeRequired()
    _serialise(session, booking.id, user.id)
    now = utc_now()
    row = session.scalar(select(ContractSignCode).where(
        ContractSignCode.booking_id == booking.id, ContractSignCode.user_id == user.id,
        ContractSignCode.side == side, ContractSignCode.consumed_at.is_(None), ContractSignCode.voided_at.is_(None))
        .order_by(ContractSignCode.created_at.desc()).limit(1).with_for_update())
    if row is None or row.expires_at <= now:
        raise SignCodeInvalid()
    if not hmac.compare_digest(row.code_hash, _hash(pepper, f"{booking.id}:{user.id}:{side}", code.strip())):
        row.attempts += 1
        if row.attempts >= MAX_ATTEMPTS:
            row.voided_at = now
            raise SignCodeInvalid("签署验证码错误次数过多，请重新获取", keep_writes=True)
        left = MAX_ATTEMPTS - row.attempts
        raise SignCodeInvalid(f"签署验证码错误，还可尝试{left}次", detail={"attempts_left": left}, keep_writes=True)
    row.consumed_at = now
    # An earlier confirmation of this side whose signature the workflow then refused is replaced.
    session.execute(delete(SignatureEvidence).where(SignatureEvidence.booking_id == booking.id,
                                                    SignatureEvidence.side == side))
    evidence = SignatureEvidence(booking_id=booking.id, side=side, signer_id=user.id, signed_at=now, ip=ip[:64],
                                 user_agent=user_agent[:300], document_sha256=document_sha256,
                                 sms_confirmation_id=row.id, phone_masked=mask_phone(row.phone) or "")
    session.add(evidence)
    session.flush()
    return evidence


def withdraw(session: Session, evidence_id: int) -> None:
    """The workflow refused the signature: the evidence goes and its code may be used again."""
    evidence = session.get(SignatureEvidence, evidence_id)
    if evidence is None:
        return
    session.execute(update(ContractSignCode).where(ContractSignCode.id == evidence.sms_confirmation_id)
                    .values(consumed_at=None))
    session.delete(evidence)
    session.flush()
