"""Roles and permission codes: every /admin route names the code it needs (api.deps.require_permission), refuses an
operator whose role lacks it and lets one whose role has it past authorisation; the role editor validates codes
and refuses to delete a role in use; a disabled operator can do nothing."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.accounts import roles, sessions
from domain.accounts.permissions import Permission
from domain.models import Operator, Role
from tests.helpers import V1, bearer, make_operator, operator_token

DENIED = {"code": "permission_denied", "message": "当前角色没有此功能的权限", "detail": None}
# Console routes any logged-in operator may call: who am I, and the login itself.
NO_CODE = {("POST", f"{V1}/admin/auth/login"), ("GET", f"{V1}/admin/me")}


def _permission(route: APIRoute) -> Permission | None:
    """The code named by the route's require_permission dependency (its `check.permission`), at any depth."""
    todo = list(route.dependant.dependencies)
    while todo:
        dep = todo.pop()
        code = getattr(dep.call, "permission", None)
        if code is not None:
            return Permission(code)
        todo.extend(dep.dependencies)
    return None


def admin_routes(app: Any) -> list[tuple[str, str, Permission | None]]:
    """Every console operation with its full path (routers are included under /api/v1) and its code."""
    found = []
    for ctx in iter_route_contexts(app.routes):
        route, path = ctx.original_route, ctx.path or ""
        if isinstance(route, APIRoute) and path.startswith(f"{V1}/admin"):
            found += [(method, path, _permission(route)) for method in route.methods]
    return sorted(found)


def _token(db: Session, ctx: AppContext, username: str, codes: list[Permission]) -> str:
    """An operator whose role grants exactly `codes`, logged in (a session opened as the login route does)."""
    role = Role(code=f"r_{username}", name=username, permissions=[c.value for c in codes], builtin=False)
    db.add(role)
    db.flush()
    op = Operator(username=username, password_hash="x", display_name=username, role_id=role.id)
    db.add(op)
    db.flush()
    token = sessions.open_session(db, ctx.tokens, operator=op, ip="10.1.2.3").access_token
    db.commit()
    return token


def _fill(path: str) -> str:
    """Any value for each path parameter: the permission is checked before anything is looked up."""
    return re.sub(r"\{([a-z_]+)\}", lambda m: "1" if m.group(1).endswith("_id") else "x", path)


async def test_every_console_route_names_a_permission(api: httpx.AsyncClient):
    routes = admin_routes(api._transport.app)  # type: ignore[attr-defined]
    assert len(routes) > 60
    missing = [f"{m} {p}" for m, p, code in routes if code is None and (m, p) not in NO_CODE]
    assert not missing, "console routes without require_permission: " + ", ".join(missing)


async def test_each_route_refuses_a_role_without_its_code_and_admits_one_with_it(api: httpx.AsyncClient,
                                                                                  db: Session, ctx: AppContext):
    routes = [(m, p, c) for m, p, c in admin_routes(api._transport.app) if c is not None]  # type: ignore[attr-defined]
    codes = sorted({c for _, _, c in routes})
    only = {c: _token(db, ctx, f"only{i}", [c]) for i, c in enumerate(codes)}
    lacking = {c: _token(db, ctx, f"lack{i}", [p for p in Permission if p != c]) for i, c in enumerate(codes)}
    wrong: list[str] = []
    for method, path, code in routes:
        url = _fill(path)
        kwargs: dict[str, Any] = {} if method in ("GET", "DELETE") else {"json": {}}
        denied = await api.request(method, url, headers=bearer(lacking[code]), **kwargs)
        if denied.status_code != 403 or denied.json() != DENIED:
            wrong.append(f"{method} {path} without {code}: {denied.status_code} {denied.text[:100]}")
        try:
            allowed = await api.request(method, url, headers=bearer(only[code]), **kwargs)
        except Exception:  # noqa: BLE001, S112 - it got past authorisation into the route (the matrix hunts 500s)
            continue
        if allowed.status_code in (401, 403) and allowed.json().get("message") == DENIED["message"]:
            wrong.append(f"{method} {path} with only {code}: {allowed.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_builtin_roles_match_the_spec_and_the_migration(api: httpx.AsyncClient, db: Session):
    from importlib import import_module

    migration = import_module("migrations.versions.0016_roles_audit")
    assert {c: (n, p) for c, n, p in migration.BUILTIN} == {
        c: (n, [p.value for p in Permission if p in codes]) for c, (n, codes) in roles.BUILTIN_ROLES.items()}
    support = roles.by_code(db, "support")
    assert support.name == "客服" and not any(c.startswith("admin:finance:") for c in support.permissions)
    assert "admin:pii:view" not in {c for r in db.query(Role).filter(Role.code != "super_admin")
                                    for c in r.permissions}


async def test_support_sees_orders_not_money(api: httpx.AsyncClient, db: Session):
    kefu = await operator_token(api, db, "kefu", role="support")
    me = (await api.get(f"{V1}/admin/me", headers=bearer(kefu))).json()
    assert (me["role"], me["role_name"]) == ("support", "客服")
    assert me["permissions"] == ["admin:user:list", "admin:artist:list", "admin:order:list", "admin:order:intervene",
                                 "admin:dispute:resolve", "admin:complaint:handle", "admin:content:review",
                                 "admin:content:help"]
    assert (await api.get(f"{V1}/admin/bookings", headers=bearer(kefu))).status_code == 200
    flows = await api.get(f"{V1}/admin/money/payments", headers=bearer(kefu))
    assert flows.status_code == 403 and flows.json() == DENIED


async def test_role_editor(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    catalogue = (await api.get(f"{V1}/admin/permissions", headers=bearer(ops))).json()
    assert [p["code"] for p in catalogue] == [p.value for p in Permission]
    assert {"code": "admin:finance:flow", "group": "资金", "label": "查看资金流水"} in catalogue

    unknown = await api.post(f"{V1}/admin/roles", headers=bearer(ops), json={
        "code": "auditor", "name": "稽核", "permissions": ["admin:finance:flow", "admin:finance:everything"]})
    assert unknown.status_code == 422 and unknown.json()["message"] == "未知的权限编码：admin:finance:everything"
    bad_code = await api.post(f"{V1}/admin/roles", headers=bearer(ops), json={
        "code": "稽核", "name": "稽核", "permissions": []})
    assert bad_code.status_code == 422
    made = await api.post(f"{V1}/admin/roles", headers=bearer(ops), json={
        "code": "auditor", "name": "稽核", "permissions": ["admin:system:audit", "admin:finance:flow"]})
    assert made.status_code == 201, made.text
    role = made.json()
    assert role["permissions"] == ["admin:finance:flow", "admin:system:audit"]  # catalogue order
    assert (role["builtin"], role["operator_count"]) == (False, 0)
    again = await api.post(f"{V1}/admin/roles", headers=bearer(ops), json={
        "code": "auditor", "name": "稽核2", "permissions": []})
    assert again.status_code == 409 and again.json()["code"] == "role_code_taken"

    # An operator with the new role gets its codes; editing the role changes them at their next request.
    res = await api.post(f"{V1}/admin/operators", headers=bearer(ops), json={
        "username": "jihe", "password": "jihe-password-1", "display_name": "稽核小赵", "role": "auditor"})
    assert res.status_code == 201, res.text
    login = await api.post(f"{V1}/admin/auth/login", json={"username": "jihe", "password": "jihe-password-1"})
    jihe = login.json()["access_token"]
    assert (await api.get(f"{V1}/admin/money/payments", headers=bearer(jihe))).status_code == 200
    edited = await api.put(f"{V1}/admin/roles/{role['id']}", headers=bearer(ops), json={
        "name": "稽核", "permissions": ["admin:system:audit"]})
    assert edited.status_code == 200 and edited.json()["operator_count"] == 1
    assert (await api.get(f"{V1}/admin/money/payments", headers=bearer(jihe))).status_code == 403
    assert (await api.get(f"{V1}/admin/audit-logs", headers=bearer(jihe))).status_code == 200

    in_use = await api.delete(f"{V1}/admin/roles/{role['id']}", headers=bearer(ops))
    assert in_use.status_code == 409 and in_use.json()["code"] == "role_in_use"
    by_id = {r["code"]: r for r in (await api.get(f"{V1}/admin/roles", headers=bearer(ops))).json()}
    assert list(by_id)[:5] == ["super_admin", "operations", "support", "finance", "reviewer"]
    builtin = await api.delete(f"{V1}/admin/roles/{by_id['reviewer']['id']}", headers=bearer(ops))
    assert builtin.status_code == 409 and builtin.json()["code"] == "role_builtin"
    narrowed = await api.put(f"{V1}/admin/roles/{by_id['super_admin']['id']}", headers=bearer(ops), json={
        "name": "超级管理员", "permissions": ["admin:system:audit"]})
    assert narrowed.status_code == 409 and narrowed.json()["code"] == "role_super_admin"
    # Builtin roles other than super_admin can be narrowed.
    reviewer = await api.put(f"{V1}/admin/roles/{by_id['reviewer']['id']}", headers=bearer(ops), json={
        "name": "审核员", "permissions": ["admin:content:case"]})
    assert reviewer.status_code == 200 and reviewer.json()["permissions"] == ["admin:content:case"]

    moved = await api.put(f"{V1}/admin/operators/{res.json()['id']}", headers=bearer(ops), json={"role": "finance"})
    assert moved.status_code == 200 and moved.json()["role_name"] == "财务"
    gone = await api.delete(f"{V1}/admin/roles/{role['id']}", headers=bearer(ops))
    assert gone.status_code == 204
    assert "auditor" not in {r["code"] for r in (await api.get(f"{V1}/admin/roles", headers=bearer(ops))).json()}


async def test_disabled_operator_is_refused_and_one_super_admin_stays(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    boss = db.query(Operator).filter_by(username="ops").one()
    kefu_token = await operator_token(api, db, "kefu", role="support")
    kefu = db.query(Operator).filter_by(username="kefu").one()
    listed = (await api.get(f"{V1}/admin/operators", headers=bearer(ops))).json()
    assert [(o["username"], o["role"], o["is_active"]) for o in listed] == [("ops", "super_admin", True),
                                                                           ("kefu", "support", True)]
    off = await api.put(f"{V1}/admin/operators/{kefu.id}", headers=bearer(ops), json={"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert (await api.get(f"{V1}/admin/me", headers=bearer(kefu_token))).status_code == 401
    relogin = await api.post(f"{V1}/admin/auth/login", json={"username": "kefu", "password": "ops-password-1"})
    assert relogin.status_code == 403 and relogin.json()["code"] == "operator_disabled"
    last = await api.put(f"{V1}/admin/operators/{boss.id}", headers=bearer(ops), json={"role": "support"})
    assert last.status_code == 409 and last.json()["code"] == "last_super_admin"
    assert (await api.get(f"{V1}/admin/me", headers=bearer(ops))).json()["role"] == "super_admin"
    unknown = await api.put(f"{V1}/admin/operators/{boss.id}", headers=bearer(ops), json={"role": "nobody"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "role_not_found"
    make_operator(db, "ops2")
    assert (await api.get(f"{V1}/admin/operators/role-options", headers=bearer(ops))).json()[2] == {
        "code": "support", "name": "客服"}



async def test_nobody_grants_or_manages_rights_they_do_not_hold(api: httpx.AsyncClient, db: Session,
                                                                 ctx: AppContext):
    """An account manager without every code can't make a super admin, reset one's password, or widen a role
    (their own included) past what they hold; nothing changes when refused."""
    await operator_token(api, db)
    boss = db.query(Operator).filter_by(username="ops").one()
    codes = [Permission.SYSTEM_OPERATOR, Permission.SYSTEM_ROLE, Permission.USER_LIST]
    hr = _token(db, ctx, "hr", codes)
    hr_role = db.query(Role).filter_by(code="r_hr").one()

    promote = await api.post(f"{V1}/admin/operators", headers=bearer(hr), json={
        "username": "mole", "password": "mole-password-1", "display_name": "新人", "role": "super_admin"})
    assert promote.status_code == 403 and promote.json()["code"] == "beyond_own_rights", promote.text
    assert db.query(Operator).filter_by(username="mole").count() == 0
    reset = await api.put(f"{V1}/admin/operators/{boss.id}", headers=bearer(hr), json={"password": "taken-over-1"})
    assert reset.status_code == 403 and reset.json()["code"] == "beyond_own_rights"
    assert (await api.post(f"{V1}/admin/auth/login", json={"username": "ops", "password": "ops-password-1"})
            ).status_code == 200
    widen = await api.put(f"{V1}/admin/roles/{hr_role.id}", headers=bearer(hr), json={
        "name": "人事", "permissions": [*(c.value for c in codes), "admin:finance:flow"]})
    assert widen.status_code == 403 and widen.json()["detail"] == {"codes": ["admin:finance:flow"]}
    db.refresh(hr_role)
    assert "admin:finance:flow" not in hr_role.permissions
    super_role = db.query(Role).filter_by(code="super_admin").one()
    rename = await api.put(f"{V1}/admin/roles/{super_role.id}", headers=bearer(hr), json={
        "name": "管理员", "permissions": [p.value for p in Permission]})
    assert rename.status_code == 403

    # Within their own codes they still do their job: a narrower role and an account holding it.
    made = await api.post(f"{V1}/admin/roles", headers=bearer(hr), json={
        "code": "viewer", "name": "只读", "permissions": ["admin:user:list"]})
    assert made.status_code == 201, made.text
    hired = await api.post(f"{V1}/admin/operators", headers=bearer(hr), json={
        "username": "viewer1", "password": "viewer-password-1", "display_name": "只读小李", "role": "viewer"})
    assert hired.status_code == 201, hired.text
