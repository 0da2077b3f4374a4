"""SMS login codes: 6 digits, stored hashed, 5 minutes, single use, rate-limited, lock-out after 5 misses."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.db import xact_lock
from domain.errors import AppError, TooManyRequests
from domain.models import PhoneLock, SmsCode
from domain.time import utc_now
from integrations.sms.base import SmsSender

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=5)
COOLDOWN = timedelta(seconds=60)
LOCK_FOR = timedelta(minutes=15)
MAX_ATTEMPTS = 5
# (window, max sends, Chinese explanation)
PHONE_LIMITS = [(timedelta(hours=1), 5, "该手机号1小时内发送次数已达上限，请稍后再试"),
                (timedelta(days=1), 10, "该手机号今日发送次数已达上限，请明天再试")]
# Companies share one public IP, so the per-IP limits are looser than the per-phone ones.
IP_LIMITS = [(timedelta(minutes=1), 10, "当前网络发送过于频繁，请稍后再试"),
             (timedelta(hours=1), 30, "当前网络1小时内发送次数已达上限，请稍后再试"),
             (timedelta(days=1), 100, "当前网络今日发送次数已达上限，请明天再试")]


class SmsCodeInvalid(AppError):
    status, code, message = 400, "sms_code_invalid", "验证码错误或已过期，请重新获取"


class PhoneLocked(AppError):
    status, code = 429, "phone_locked"


@dataclass
class SentCode:
    cooldown_seconds: int
    sandbox_code: str | None


def _hash(pepper: str, phone: str, code: str) -> str:
    return hmac.new(pepper.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _serialise_phone(session: Session, phone: str) -> None:
    """Two requests for one phone (send/login) run one after the other: limits and attempts stay exact."""
    xact_lock(session, "sms:" + phone)


def _check_lock(session: Session, phone: str) -> None:
    lock = session.get(PhoneLock, phone)
    now = utc_now()
    if lock and lock.locked_until > now:
        minutes = max(1, int((lock.locked_until - now).total_seconds() // 60) + 1)
        raise PhoneLocked(f"验证码错误次数过多，请{minutes}分钟后再试",
                          detail={"retry_after": int((lock.locked_until - now).total_seconds())})


def _count_since(session: Session, column: str, value: str, since_delta: timedelta) -> int:
    col = SmsCode.phone if column == "phone" else SmsCode.ip
    since = utc_now() - since_delta
    return session.scalar(select(func.count()).where(col == value, SmsCode.created_at > since)) or 0


def send_code(session: Session, sender: SmsSender, pepper: str, phone: str, ip: str,
              *, echo_sandbox_code: bool) -> SentCode:
    """Send a code. The answer is the same whether or not the phone has an account."""
    _serialise_phone(session, phone)
    _check_lock(session, phone)
    now = utc_now()
    last = session.scalar(select(func.max(SmsCode.created_at)).where(SmsCode.phone == phone))
    if last and now - last < COOLDOWN:
        wait = int((COOLDOWN - (now - last)).total_seconds()) + 1
        raise TooManyRequests(f"发送过于频繁，请{wait}秒后再试", code="sms_too_frequent",
                              detail={"retry_after": wait})
    for window, limit, message in PHONE_LIMITS:
        if _count_since(session, "phone", phone, window) >= limit:
            raise TooManyRequests(message, code="sms_limit_reached")
    for window, limit, message in IP_LIMITS:
        if _count_since(session, "ip", ip, window) >= limit:
            raise TooManyRequests(message, code="sms_limit_reached")

    code = f"{secrets.randbelow(10**6):06d}"
    # A new code replaces any earlier one still open.
    session.execute(update(SmsCode).where(SmsCode.phone == phone, SmsCode.consumed_at.is_(None),
                                          SmsCode.voided_at.is_(None)).values(voided_at=now))
    session.add(SmsCode(phone=phone, ip=ip, code_hash=_hash(pepper, phone, code), created_at=now,
                        expires_at=now + CODE_TTL))
    session.flush()
    sender.send_code(phone, code)
    return SentCode(cooldown_seconds=int(COOLDOWN.total_seconds()),
                    sandbox_code=code if sender.is_sandbox and echo_sandbox_code else None)


def check_code(session: Session, pepper: str, phone: str, code: str) -> None:
    """Consume a correct code or count a miss. A miss outlives its error response (`keep_writes`)."""
    _serialise_phone(session, phone)
    _check_lock(session, phone)
    now = utc_now()
    row = session.scalar(
        select(SmsCode).where(SmsCode.phone == phone, SmsCode.consumed_at.is_(None),
                              SmsCode.voided_at.is_(None)).order_by(SmsCode.created_at.desc()).limit(1)
    )
    if row is None or row.expires_at <= now:
        raise SmsCodeInvalid()
    if hmac.compare_digest(row.code_hash, _hash(pepper, phone, code)):
        row.consumed_at = now
        session.flush()
        return
    row.attempts += 1
    if row.attempts >= MAX_ATTEMPTS:
        row.voided_at = now
        lock = session.get(PhoneLock, phone) or PhoneLock(phone=phone, locked_until=now)
        lock.locked_until = now + LOCK_FOR
        session.add(lock)
        log.warning("sms login locked phone=%s****", phone[:3])
        raise PhoneLocked("验证码错误次数过多，该手机号已锁定15分钟",
                          detail={"retry_after": int(LOCK_FOR.total_seconds())}, keep_writes=True)  # the miss
    left = MAX_ATTEMPTS - row.attempts
    raise SmsCodeInvalid(f"验证码错误，还可尝试{left}次", detail={"attempts_left": left}, keep_writes=True)
