"""Operator accounts: created only by another operator (the first one by the seed / CLI)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from domain.accounts import login_throttle, roles
from domain.accounts.crypto import hash_password, verify_password
from domain.accounts.schemas import OperatorCreateIn, OperatorOut, OperatorUpdateIn
from domain.db import xact_lock
from domain.errors import AppError, Conflict, NotFound
from domain.models import AuthSession, Operator, Role
from domain.time import utc_now


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


def create(session: Session, data: OperatorCreateIn, actor: Operator | None) -> Operator:
    """`actor` None: the seed / command line making the first account."""
    if session.scalar(select(Operator.id).where(Operator.username == data.username)):
        raise Conflict("用户名已存在", code="username_taken")
    role = roles.by_code(session, data.role)
    if actor is not None:
        roles.check_within(session, actor, role)
    op = Operator(username=data.username, password_hash=hash_password(data.password),
                  display_name=data.display_name, created_by=actor.id if actor else None, role_id=role.id)
    session.add(op)
    session.flush()
    return op


class LastSuperAdmin(AppError):
    status, code, message = 409, "last_super_admin", "至少保留一个启用的超级管理员"


def get(session: Session, operator_id: int) -> Operator:
    op = session.get(Operator, operator_id)
    if op is None:
        raise NotFound("运营账号不存在", code="operator_not_found")
    return op


def update(session: Session, actor: Operator, op: Operator, data: OperatorUpdateIn) -> Operator:
    """Change a colleague's name, role, status or password. A new role applies from their next request (the
    check reads the role live); disabling or a new password ends their sessions; one active super admin stays.
    The actor must hold every right of the account's role, before and after."""
    # One change of operator accounts at a time, so two super admins can't demote each other at once.
    xact_lock(session, "operators")
    session.refresh(op)
    roles.check_within(session, actor, roles.get(session, op.role_id))
    if data.role is not None:
        roles.check_within(session, actor, roles.by_code(session, data.role))
    if data.display_name is not None:
        op.display_name = data.display_name
    if data.role is not None:
        op.role_id = roles.by_code(session, data.role).id
    if data.is_active is not None:
        op.is_active = data.is_active
    if data.password is not None:
        op.password_hash = hash_password(data.password)
    session.flush()
    if not session.scalar(select(Operator.id).join(Role, Role.id == Operator.role_id)
                          .where(Role.code == roles.SUPER_ADMIN, Operator.is_active.is_(True)).limit(1)):
        raise LastSuperAdmin()
    if data.is_active is False or data.password is not None:
        session.execute(sql_update(AuthSession)
                        .where(AuthSession.operator_id == op.id, AuthSession.revoked_at.is_(None))
                        .values(revoked_at=utc_now()))
    return op


def out(session: Session, op: Operator) -> OperatorOut:
    role = session.get(Role, op.role_id)
    assert role is not None  # operators.role_id is NOT NULL with a foreign key
    return OperatorOut(id=op.id, username=op.username, display_name=op.display_name, is_active=op.is_active,
                       role=role.code, role_name=role.name, permissions=roles.granted(role),
                       created_at=op.created_at)


def list_all(session: Session) -> list[Operator]:
    return list(session.scalars(select(Operator).order_by(Operator.id)))

