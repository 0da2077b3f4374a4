"""Operator accounts: created only by another operator (the first one by the seed / CLI)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.accounts import login_throttle
from domain.accounts.crypto import hash_password, verify_password
from domain.accounts.schemas import OperatorCreateIn
from domain.errors import AppError, Conflict
from domain.models import Operator


class BadCredentials(AppError):
    status, code, message = 401, "bad_credentials", "用户名或密码错误"


# Checked against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = hash_password("not-a-real-password")


def login(session: Session, username: str, password: str, ip: str) -> Operator:
    """Unknown username and wrong password answer alike, and both count towards the lock-out."""
    login_throttle.serialise_and_check(session, username, ip)
    op = session.scalar(select(Operator).where(Operator.username == username))
    if op is None:
        verify_password(password, _DUMMY_HASH)
    if op is None or not verify_password(password, op.password_hash):
        left = login_throttle.record_failure(session, username, ip)
        raise BadCredentials(f"用户名或密码错误，还可尝试{left}次", detail={"attempts_left": left}, keep_writes=True)
    login_throttle.record_success(session, username)
    if not op.is_active:
        raise AppError("运营账号已停用", code="operator_disabled", status=403)
    return op


def create(session: Session, data: OperatorCreateIn, created_by: int | None) -> Operator:
    if session.scalar(select(Operator.id).where(Operator.username == data.username)):
        raise Conflict("用户名已存在", code="username_taken")
    op = Operator(username=data.username, password_hash=hash_password(data.password),
                  display_name=data.display_name, created_by=created_by)
    session.add(op)
    session.flush()
    return op
