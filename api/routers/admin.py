"""Operators: login, users and their status, other operators (platform rules: api/routers/system.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from api.deps import Ctx, CurrentOperator, Db, Page, PageSize, PathId, client_ip, require_permission
from domain.accounts import operators, sessions, users
from domain.accounts.permissions import Permission, operator_may
from domain.accounts.schemas import (
    AdminUserOut,
    AdminUserPage,
    OperatorCreateIn,
    OperatorLoginIn,
    OperatorOut,
    OperatorTokenOut,
    OperatorUpdateIn,
    StatusChangeOut,
    UserStatusIn,
)
from domain.models import AccountStatusChange, Operator

router = APIRouter(prefix="/admin", tags=["admin"])
UserListOp = Annotated[Operator, Depends(require_permission(Permission.USER_LIST))]
UserStatusOp = Annotated[Operator, Depends(require_permission(Permission.USER_STATUS))]
SystemOperatorOp = Annotated[Operator, Depends(require_permission(Permission.SYSTEM_OPERATOR))]



@router.post("/auth/login", response_model=OperatorTokenOut, summary="运营人员登录")
def login(body: OperatorLoginIn, request: Request, ctx: Ctx, db: Db) -> OperatorTokenOut:
    op = operators.login(db, body.username, body.password, client_ip(request))
    issued = sessions.open_session(db, ctx.tokens, operator=op, ip=client_ip(request))
    return OperatorTokenOut(access_token=issued.access_token, refresh_token=issued.refresh_token,
                            expires_in=issued.expires_in, operator=operators.out(db, op))


@router.get("/me", response_model=OperatorOut, summary="当前运营人员")
def me(op: CurrentOperator, db: Db) -> OperatorOut:
    """Who is logged in, with their role and the permission codes it grants (the console's menu reads them)."""
    return operators.out(db, op)


@router.get("/users", response_model=AdminUserPage, summary="用户列表")
def list_users(
    op: UserListOp, db: Db,
    phone: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9]*$")] = None,
    role: Literal["client", "artist"] | None = None,
    status: Literal["active", "warned", "banned"] | None = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> AdminUserPage:
    items, total = users.list_users(db, phone=phone or None, role=role, status=status, page=page,
                                    page_size=page_size, pii=operator_may(db, op, Permission.PII_VIEW))
    return AdminUserPage(items=items, total=total, page=page, page_size=page_size)


@router.post("/users/{user_id}/status", response_model=AdminUserOut, summary="变更账号状态")
def set_status(user_id: PathId, body: UserStatusIn, op: UserStatusOp, db: Db) -> AdminUserOut:
    user = users.get_user(db, user_id)
    users.change_status(db, user, op.id, body.status, body.reason)
    return users.admin_user_view(user, pii=operator_may(db, op, Permission.PII_VIEW))


@router.get("/users/{user_id}/status-changes", response_model=list[StatusChangeOut], summary="状态变更记录")
def status_changes(user_id: PathId, op: UserListOp, db: Db) -> list[StatusChangeOut]:
    users.get_user(db, user_id)
    rows = db.execute(select(AccountStatusChange, Operator.display_name)
                      .join(Operator, Operator.id == AccountStatusChange.operator_id)
                      .where(AccountStatusChange.user_id == user_id)
                      .order_by(AccountStatusChange.created_at.desc(), AccountStatusChange.id.desc())).all()
    return [StatusChangeOut(id=c.id, from_status=c.from_status, to_status=c.to_status, reason=c.reason,
                            operator_id=c.operator_id, operator_name=name, created_at=c.created_at)
            for c, name in rows]


@router.get("/operators", response_model=list[OperatorOut], summary="运营账号列表")
def list_operators(op: SystemOperatorOp, db: Db) -> list[OperatorOut]:
    return [operators.out(db, o) for o in operators.list_all(db)]


@router.post("/operators", response_model=OperatorOut, status_code=201, summary="创建运营账号")
def create_operator(body: OperatorCreateIn, op: SystemOperatorOp, db: Db) -> OperatorOut:
    return operators.out(db, operators.create(db, body, op))


@router.put("/operators/{operator_id}", response_model=OperatorOut, summary="修改运营账号")
def update_operator(operator_id: PathId, body: OperatorUpdateIn, op: SystemOperatorOp, db: Db) -> OperatorOut:
    """Role, display name, enabled or disabled, a new password (only the fields sent change)."""
    return operators.out(db, operators.update(db, op, operators.get(db, operator_id), body))
