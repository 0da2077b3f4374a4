"""Operator login lock-out, as for SMS codes: misses counted per submitted username and per client IP inside a
15-minute window; at the limit that username (from anywhere) or that IP (for any username) is locked 15 min."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.db import xact_lock
from domain.errors import AppError
from domain.models import LoginThrottle
from domain.time import utc_now

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
# Companies share one public IP and several operators may sign in from it: the per-IP limit is looser.
LIMITS = {"username": 5, "ip": 20}
MESSAGES = {"username": "密码错误次数过多，请{minutes}分钟后再试",
            "ip": "当前网络登录失败次数过多，请{minutes}分钟后再试"}


class LoginLocked(AppError):
    status, code = 429, "login_locked"


def _locked(scope: str, seconds: int, *, keep_writes: bool = False) -> LoginLocked:
    minutes = max(1, seconds // 60 + (1 if seconds % 60 else 0))
    return LoginLocked(MESSAGES[scope].format(minutes=minutes), detail={"retry_after": seconds},
                       keep_writes=keep_writes)


def _subjects(username: str, ip: str) -> list[tuple[str, str]]:
    return [("ip", ip[:64]), ("username", username.casefold()[:64])]


def serialise_and_check(session: Session, username: str, ip: str) -> None:
    """Hold this IP's and this username's attempts one after the other (always IP first, so two requests never wait
    on each other in a cycle) until the transaction ends, then refuse if either is locked."""
    for scope, subject in _subjects(username, ip):
        xact_lock(session, f"login:{scope}:{subject}")
    now = utc_now()
    for scope, subject in _subjects(username, ip):
        row = session.get(LoginThrottle, (scope, subject), populate_existing=True)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            raise _locked(scope, int((row.locked_until - now).total_seconds()) + 1)


def record_failure(session: Session, username: str, ip: str) -> int:
    """Count a miss for both; lock whichever reached its limit. Returns how many tries the username has left
    (0: a lock was just set). The caller's refusal keeps these writes (`AppError(keep_writes=True)`), so the
    miss outlives the error response."""
    now = utc_now()
    left = LIMITS["username"]
    locked_scope: str | None = None
    for scope, subject in _subjects(username, ip):
        stale = LoginThrottle.window_started_at <= now - WINDOW
        # One statement: parallel misses each count (a read-then-write would lose some).
        stmt = insert(LoginThrottle).values(scope=scope, subject=subject, failures=1, window_started_at=now)
        failures = session.execute(stmt.on_conflict_do_update(
            index_elements=[LoginThrottle.scope, LoginThrottle.subject],
            set_={"failures": case((stale, 1), else_=LoginThrottle.failures + 1),
                  "window_started_at": case((stale, now), else_=LoginThrottle.window_started_at)},
        ).returning(LoginThrottle.failures)).scalar_one()
        if failures >= LIMITS[scope]:
            row = session.get(LoginThrottle, (scope, subject), populate_existing=True)
            assert row is not None
            row.locked_until, row.failures, row.window_started_at = now + LOCK_FOR, 0, now
            locked_scope = locked_scope or scope
            log.warning("operator login locked scope=%s", scope)
        if scope == "username":
            left = max(0, LIMITS[scope] - failures)
    if locked_scope is not None:
        raise _locked(locked_scope, int(LOCK_FOR.total_seconds()), keep_writes=True)
    return left


def record_success(session: Session, username: str) -> None:
    """A good password clears that username's misses only: the IP's count stays, so one known account can't be
    used to reset the budget for guessing others."""
    row = session.get(LoginThrottle, ("username", username.casefold()[:64]))
    if row is not None:
        session.delete(row)  # not locked: serialise_and_check refused this login otherwise
