"""Operators' roles and permissions (the role editor) and the audit log (console 系统 → 角色权限 / 操作日志).
Operator accounts themselves are in api/routers/admin.py."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from api.deps import Db, Page, PageSize, PathId, require_permission
from domain.accounts import roles
from domain.accounts.permissions import CATALOGUE, Permission
from domain.accounts.schemas import (
    OperatorRoleIn,
    OperatorRoleOption,
    OperatorRoleOut,
    OperatorRoleUpdateIn,
    PermissionOut,
)
from domain.audit import log as audit_log
from domain.audit.schemas import AuditLogOut, AuditLogPage
from domain.inputs import InputDate, Text
from domain.models import Operator, Role
from domain.time import shanghai_day_bounds

router = APIRouter(prefix="/admin", tags=["admin"])
RoleOp = Annotated[Operator, Depends(require_permission(Permission.SYSTEM_ROLE))]
OperatorAdminOp = Annotated[Operator, Depends(require_permission(Permission.SYSTEM_OPERATOR))]
AuditOp = Annotated[Operator, Depends(require_permission(Permission.SYSTEM_AUDIT))]


def _role(role: Role, operator_count: int) -> OperatorRoleOut:
    return OperatorRoleOut(id=role.id, code=role.code, name=role.name, permissions=roles.granted(role),
                           builtin=role.builtin, operator_count=operator_count, updated_at=role.updated_at)


@router.get("/permissions", response_model=list[PermissionOut], summary="权限清单")
def permission_catalogue(op: RoleOp) -> list[PermissionOut]:
    return [PermissionOut(code=code.value, group=group, label=label) for code, (group, label) in CATALOGUE.items()]


@router.get("/roles", response_model=list[OperatorRoleOut], summary="角色列表")
def list_roles(op: RoleOp, db: Db) -> list[OperatorRoleOut]:
    return [_role(r, n) for r, n in roles.list_roles(db)]


@router.get("/operators/role-options", response_model=list[OperatorRoleOption], summary="可分配的角色")
def role_options(op: OperatorAdminOp, db: Db) -> list[OperatorRoleOption]:
    """The roles an operator account can be given (for whoever manages accounts without editing roles)."""
    return [OperatorRoleOption(code=r.code, name=r.name) for r, _ in roles.list_roles(db)]


@router.post("/roles", response_model=OperatorRoleOut, status_code=201, summary="新建角色")
def create_role(body: OperatorRoleIn, op: RoleOp, db: Db) -> OperatorRoleOut:
    return _role(roles.create(db, op, code=body.code, name=body.name,
                              permissions=[Permission(c) for c in body.permissions]), 0)


@router.put("/roles/{role_id}", response_model=OperatorRoleOut, summary="修改角色")
def update_role(role_id: PathId, body: OperatorRoleUpdateIn, op: RoleOp, db: Db) -> OperatorRoleOut:
    """Name and permission codes. Operators holding the role get the new codes on their next request."""
    role = roles.update(db, op, roles.get(db, role_id), name=body.name,
                        permissions=[Permission(c) for c in body.permissions])
    return next(_role(r, n) for r, n in roles.list_roles(db) if r.id == role.id)


@router.delete("/roles/{role_id}", status_code=204, summary="删除角色")
def delete_role(role_id: PathId, op: RoleOp, db: Db) -> Response:
    roles.delete(db, op, roles.get(db, role_id))
    return Response(status_code=204)


@router.get("/audit-logs", response_model=AuditLogPage, summary="操作日志")
def audit_logs(
    op: AuditOp, db: Db,
    operator_id: Annotated[int | None, Query(ge=1, le=2**62, description="操作人")] = None,
    keyword: Annotated[str | None, Text(50), Query(description="操作（如 PUT /admin/roles）或说明中的文字")] = None,
    target_type: Annotated[str | None, Query(max_length=60, pattern=r"^[a-z0-9_-]+$",
                                             description="对象类型，如 roles、bookings")] = None,
    target_id: Annotated[str | None, Query(max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")] = None,
    source: Literal["console", "temporal_ui", "system"] | None = None,
    date_from: Annotated[InputDate | None, Query(description="起（含，北京时间）")] = None,
    date_to: Annotated[InputDate | None, Query(description="止（含，北京时间）")] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> AuditLogPage:
    rows, total = audit_log.search(
        db, operator_id=operator_id, keyword=keyword or None, target_type=target_type, target_id=target_id,
        source=source, since=shanghai_day_bounds(date_from)[0] if date_from else None,
        until=shanghai_day_bounds(date_to)[1] if date_to else None, page=page, page_size=page_size)
    items = [AuditLogOut(id=r.id, operator_id=r.operator_id,
                         operator_name=None if name is None else f"{name}（{username}）", action=r.action,
                         summary=r.summary, target_type=r.target_type, target_id=r.target_id, changes=r.changes,
                         request=r.request, source=r.source, ip=r.ip, created_at=r.created_at)
             for r, name, username in rows]
    return AuditLogPage(items=items, total=total, page=page, page_size=page_size)
