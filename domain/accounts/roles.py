"""Operator roles: the built-in five (seeded by migration 0016) and the ones operators define in the role editor.

A role is a named set of permission codes (domain.accounts.permissions.Permission). Built-in roles can be edited
but not deleted; super_admin always holds every code (operator_may), so a console cannot lock itself out."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.accounts.permissions import Permission as P
from domain.errors import AppError, Conflict, NotFound
from domain.models import Operator, Role
from domain.time import utc_now

SUPER_ADMIN = "super_admin"

_CONTENT = [p for p in P if p.value.startswith("admin:content:")]
_FINANCE = [p for p in P if p.value.startswith("admin:finance:")]

# The same lists are written into migration 0016 (migrations never import the app); a test compares them.
BUILTIN_ROLES: dict[str, tuple[str, list[P]]] = {
    SUPER_ADMIN: ("超级管理员", list(P)),
    "operations": ("运营", [P.USER_LIST, P.USER_STATUS, P.USER_EXPORT, P.ARTIST_LIST, P.ARTIST_EXPORT, P.ORDER_LIST,
                          P.ORDER_INTERVENE, P.COMPLAINT_HANDLE, P.CONTRACT_TEMPLATE, *_CONTENT,
                          P.DASHBOARD_VIEW]),
    "support": ("客服", [P.USER_LIST, P.ARTIST_LIST, P.ORDER_LIST, P.ORDER_INTERVENE, P.DISPUTE_RESOLVE,
                       P.COMPLAINT_HANDLE, P.CONTENT_REVIEW, P.CONTENT_HELP]),
    "finance": ("财务", [*_FINANCE, P.ORDER_LIST, P.DASHBOARD_VIEW]),
    "reviewer": ("审核", [P.CONTENT_PROFILE, P.CONTENT_CASE, P.CONTENT_DEMAND, P.CONTENT_REVIEW,
                        P.CONTENT_QUALIFICATION, P.CONTENT_TAG]),
}


class RoleInUse(AppError):
    status, code, message = 409, "role_in_use", "该角色仍有运营账号在使用，不能删除"


class BuiltinRole(AppError):
    status, code, message = 409, "role_builtin", "内置角色不能删除"


def ensure_builtin(session: Session, code: str) -> Role:
    """The built-in role `code`, created from BUILTIN_ROLES if its row is missing (a fresh test database is
    emptied between tests; production rows come from the migration and keep their edits)."""
    name, codes = BUILTIN_ROLES[code]
    session.execute(insert(Role).values(code=code, name=name, permissions=[c.value for c in codes], builtin=True)
                    .on_conflict_do_nothing(index_elements=[Role.code]))
    role = session.scalar(select(Role).where(Role.code == code))
    assert role is not None
    return role


def seed_builtin(session: Session) -> None:
    """Every built-in role row that is missing (what migration 0016 wrote; for a database emptied by tests)."""
    for code in BUILTIN_ROLES:
        ensure_builtin(session, code)


def get(session: Session, role_id: int) -> Role:
    role = session.get(Role, role_id)
    if role is None:
        raise NotFound("角色不存在", code="role_not_found")
    return role


def by_code(session: Session, code: str) -> Role:
    role = session.scalar(select(Role).where(Role.code == code))
    if role is None:
        raise NotFound("角色不存在", code="role_not_found")
    return role


def granted(role: Role) -> list[str]:
    """The codes the role grants, in catalogue order (super_admin: every code, including ones added later)."""
    if role.code == SUPER_ADMIN:
        return [p.value for p in P]
    held = set(role.permissions)
    return [p.value for p in P if p.value in held]


def list_roles(session: Session) -> list[tuple[Role, int]]:
    """Every role with the number of operators holding it, built-in first."""
    counts = (select(Operator.role_id, func.count().label("n")).group_by(Operator.role_id).subquery())
    rows = session.execute(select(Role, func.coalesce(counts.c.n, 0))
                           .outerjoin(counts, counts.c.role_id == Role.id)
                           .order_by(Role.builtin.desc(), Role.id)).all()
    return [(r, int(n)) for r, n in rows]


class BeyondOwnRights(AppError):
    status, code, message = 403, "beyond_own_rights", "不能授予或管理超出自己权限的角色或账号"


def held_by(session: Session, actor: Operator) -> set[str]:
    role = session.get(Role, actor.role_id)
    return set(granted(role)) if role else set()


def check_within(session: Session, actor: Operator, role: Role | list[P]) -> None:
    """Nobody hands out or manages rights they don't hold themselves: a role editor can't add a code to their
    own role, and only a super admin can make (or reset the password of) another super admin."""
    codes = set(granted(role)) if isinstance(role, Role) else set(_ordered(role))
    missing = codes - held_by(session, actor)
    if missing:
        raise BeyondOwnRights(detail={"codes": sorted(missing)})


def create(session: Session, actor: Operator, *, code: str, name: str, permissions: list[P]) -> Role:
    """A new role (codes are checked against the catalogue by the request schema, and against the actor's)."""
    check_within(session, actor, permissions)
    if session.scalar(select(Role.id).where(Role.code == code)):
        raise Conflict("角色编码已存在", code="role_code_taken")
    role = Role(code=code, name=name, permissions=_ordered(permissions), builtin=False)
    session.add(role)
    session.flush()
    return role


class SuperAdminCodes(AppError):
    status, code, message = 409, "role_super_admin", "超级管理员始终拥有全部权限，不能取消"


def update(session: Session, actor: Operator, role: Role, *, name: str, permissions: list[P]) -> Role:
    check_within(session, actor, role)
    check_within(session, actor, permissions)
    if role.code == SUPER_ADMIN and set(_ordered(permissions)) != {p.value for p in P}:
        raise SuperAdminCodes()
    role.name = name
    role.permissions = _ordered(permissions)
    role.updated_at = utc_now()
    session.flush()
    return role


def delete(session: Session, actor: Operator, role: Role) -> None:
    check_within(session, actor, role)
    if role.builtin:
        raise BuiltinRole()
    if session.scalar(select(Operator.id).where(Operator.role_id == role.id).limit(1)):
        raise RoleInUse()
    session.delete(role)
    session.flush()


def _ordered(codes: list[P]) -> list[str]:
    wanted = {P(c).value for c in codes}
    return [p.value for p in P if p.value in wanted]
