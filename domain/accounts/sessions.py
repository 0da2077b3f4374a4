"""Login sessions: a short-lived JWT access token naming a session row, and a rotating refresh token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.accounts.crypto import new_token, sha256_hex
from domain.errors import AccountBanned, TokenExpired, TokenInvalid
from domain.models import AuthSession, Operator, User
from domain.time import utc_now


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    access_minutes: int
    refresh_days: int


@dataclass
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    session: AuthSession


def _access_token(cfg: TokenConfig, auth: AuthSession) -> tuple[str, int]:
    now = utc_now()
    ttl = cfg.access_minutes * 60
    sub = f"u:{auth.user_id}" if auth.user_id else f"o:{auth.operator_id}"
    claims = {"sub": sub, "sid": auth.id, "iat": now, "exp": now + timedelta(seconds=ttl), "typ": "access"}
    return jwt.encode(claims, cfg.secret, algorithm="HS256"), ttl


def open_session(session: Session, cfg: TokenConfig, *, user: User | None = None,
                 operator: Operator | None = None, ip: str | None = None,
                 acting_role: str | None = None) -> IssuedTokens:
    refresh = new_token()
    auth = AuthSession(
        id=str(uuid.uuid4()), user_id=user.id if user else None, operator_id=operator.id if operator else None,
        acting_role=acting_role, refresh_token_hash=sha256_hex(refresh), ip=ip,
        expires_at=utc_now() + timedelta(days=cfg.refresh_days),
    )
    session.add(auth)
    session.flush()
    access, ttl = _access_token(cfg, auth)
    return IssuedTokens(access, refresh, ttl, auth)


def refresh_session(session: Session, cfg: TokenConfig, refresh_token: str) -> IssuedTokens:
    """Rotate the refresh token. Presenting an already-rotated token revokes the session (token theft)."""
    digest = sha256_hex(refresh_token)
    auth = session.scalar(select(AuthSession).where(AuthSession.refresh_token_hash == digest).with_for_update())
    if auth is None:
        stolen = session.scalar(select(AuthSession).where(AuthSession.previous_refresh_hash == digest))
        if stolen is not None and stolen.revoked_at is None:
            stolen.revoked_at = utc_now()
            raise TokenInvalid(keep_writes=True)  # the revocation must outlive the error response
        raise TokenInvalid()
    if auth.revoked_at is not None or auth.expires_at <= utc_now():
        raise TokenInvalid()
    _ensure_subject_allowed(session, auth)
    new_refresh = new_token()
    auth.previous_refresh_hash = digest
    auth.refresh_token_hash = sha256_hex(new_refresh)
    session.flush()
    access, ttl = _access_token(cfg, auth)
    return IssuedTokens(access, new_refresh, ttl, auth)


def revoke(session: Session, auth: AuthSession) -> None:
    auth.revoked_at = utc_now()
    session.flush()


def revoke_all_for_user(session: Session, user_id: int) -> None:
    session.execute(update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
                    .values(revoked_at=utc_now()))


def _ensure_subject_allowed(session: Session, auth: AuthSession) -> User | None:
    """Refuses a banned account or a deactivated operator; returns the account (None for an operator)."""
    if auth.user_id is not None:
        user = session.get(User, auth.user_id)
        if user is None:
            raise TokenInvalid()
        if user.status == "banned":
            raise AccountBanned()
        return user
    op = session.get(Operator, auth.operator_id)
    if op is None or not op.is_active:
        raise TokenInvalid("运营账号已停用")
    return None


def authenticate(session: Session, cfg: TokenConfig, token: str) -> AuthSession:
    """The live session behind an access token; banned accounts are refused on their next request."""
    return authenticate_user(session, cfg, token)[0]


def authenticate_user(session: Session, cfg: TokenConfig, token: str) -> tuple[AuthSession, User | None]:
    """`authenticate`, and the account it read for the banned check (None for an operator's session): the
    caller keeps it instead of reading it again (the session's identity map holds objects only weakly)."""
    try:
        claims = jwt.decode(token, cfg.secret, algorithms=["HS256"], options={"require": ["exp", "sid", "sub"]})
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired() from exc
    except jwt.PyJWTError as exc:
        raise TokenInvalid() from exc
    if claims.get("typ") != "access":
        raise TokenInvalid()
    auth = session.get(AuthSession, claims["sid"])
    if auth is None or auth.revoked_at is not None:
        raise TokenInvalid()
    return auth, _ensure_subject_allowed(session, auth)
