"""Operators through the API: login, users table, status changes with who and why, rules."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from tests.helpers import V1, bearer, operator_token, register_artist, register_client


async def test_operator_login_errors_are_the_same_for_unknown_user_and_wrong_password(api, db: Session):
    await operator_token(api, db)
    wrong = await api.post(f"{V1}/admin/auth/login", json={"username": "ops", "password": "nope"})
    unknown = await api.post(f"{V1}/admin/auth/login", json={"username": "ghost", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    # Each counts towards its own username's lock-out (login_throttle), so both have as many tries left.
    assert wrong.json() == unknown.json() == {"code": "bad_credentials", "message": "用户名或密码错误，还可尝试4次",
                                               "detail": {"attempts_left": 4}}


async def test_users_table_filters_and_status_history(api: httpx.AsyncClient, db: Session):
    await register_client(api, "13800000001", org="花嫁婚礼策划工作室")
    artist = await register_artist(api, "13900000001")
    ops = await operator_token(api, db)
    all_users = (await api.get(f"{V1}/admin/users", headers=bearer(ops))).json()
    assert all_users["total"] == 2
    artists = (await api.get(f"{V1}/admin/users?role=artist", headers=bearer(ops))).json()
    assert [u["stage_name"] for u in artists["items"]] == ["林晚晴"]
    found = (await api.get(f"{V1}/admin/users?phone=0000001", headers=bearer(ops))).json()
    assert {u["phone"] for u in found["items"]} == {"13800000001", "13900000001"}
    uid = artists["items"][0]["id"]
    warned = await api.post(f"{V1}/admin/users/{uid}/status", headers=bearer(ops),
                            json={"status": "warned", "reason": "多次临时爽约"})
    assert warned.status_code == 200 and warned.json()["status"] == "warned"
    # A warned artist still works; the change is on record with who and why.
    assert (await api.get(f"{V1}/me", headers=bearer(artist))).status_code == 200
    same = await api.post(f"{V1}/admin/users/{uid}/status", headers=bearer(ops),
                          json={"status": "warned", "reason": "重复操作"})
    assert same.status_code == 409
    history = (await api.get(f"{V1}/admin/users/{uid}/status-changes", headers=bearer(ops))).json()
    assert [(h["from_status"], h["to_status"], h["reason"], h["operator_name"]) for h in history] == [
        ("active", "warned", "多次临时爽约", "运营小王")]
    warned_only = (await api.get(f"{V1}/admin/users?status=warned", headers=bearer(ops))).json()
    assert [u["id"] for u in warned_only["items"]] == [uid]
    missing_reason = await api.post(f"{V1}/admin/users/{uid}/status", headers=bearer(ops), json={"status": "banned"})
    assert missing_reason.status_code == 422 and missing_reason.json()["message"] == "原因不能为空"
    assert (await api.post(f"{V1}/admin/users/999999/status", headers=bearer(ops),
                           json={"status": "banned", "reason": "测试原因"})).status_code == 404


async def test_users_and_operators_are_kept_apart(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000002")
    res = await api.get(f"{V1}/admin/users", headers=bearer(client))
    assert res.status_code == 403 and res.json()["code"] == "permission_denied"
    ops = await operator_token(api, db)
    assert (await api.get(f"{V1}/me", headers=bearer(ops))).status_code == 403
    assert (await api.get(f"{V1}/admin/users")).status_code == 401


async def test_operator_creates_operator_and_changes_rules(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    created = await api.post(f"{V1}/admin/operators", headers=bearer(ops),
                             json={"username": "finance01", "password": "strong-pass-1", "display_name": "财务",
                                   "role": "finance"})
    assert created.status_code == 201
    dup = await api.post(f"{V1}/admin/operators", headers=bearer(ops),
                         json={"username": "finance01", "password": "strong-pass-1", "display_name": "财务",
                                   "role": "finance"})
    assert dup.status_code == 409
    login = await api.post(f"{V1}/admin/auth/login", json={"username": "finance01", "password": "strong-pass-1"})
    assert login.status_code == 200 and login.json()["operator"]["display_name"] == "财务"
    assert login.json()["operator"]["role"] == "finance" and "admin:finance:flow" in login.json()["operator"][
        "permissions"]

    client = await register_client(api, "13800000003")
    me = (await api.get(f"{V1}/me", headers=bearer(client))).json()
    assert me["can_book"] is False and me["can_book_reason"] == "完成实名认证后才能发起或接受预约"
    res = await api.put(f"{V1}/admin/settings", headers=bearer(ops),
                        json={"key": "booking.require_verification", "value": False})
    assert res.status_code == 200
    assert (await api.get(f"{V1}/me", headers=bearer(client))).json()["can_book"] is True
    rules = (await api.get(f"{V1}/admin/settings", headers=bearer(ops))).json()
    assert rules[0]["key"] == "booking.require_verification" and rules[0]["value"] is False
