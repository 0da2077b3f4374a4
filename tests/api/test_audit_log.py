"""The operator audit log: every console write leaves one row naming who, what, and each changed row's before and
after (secrets masked); a refused or failed write leaves none; GET /admin/audit-logs finds them."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import audit
from domain.models import AuditLog, Operator
from tests.helpers import V1, bearer, make_operator, operator_token


def _logs(db: Session) -> list[AuditLog]:
    db.expire_all()
    return list(db.scalars(select(AuditLog).order_by(AuditLog.id)))


async def test_creating_an_operator_is_logged_with_the_password_masked(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    boss = db.scalar(select(Operator).where(Operator.username == "ops"))
    assert boss is not None
    res = await api.post(f"{V1}/admin/operators", headers=bearer(ops), json={
        "username": "kefu1", "password": "kefu-password-1", "display_name": "客服小张", "role": "support"})
    assert res.status_code == 201, res.text
    assert res.json()["role"] == "support" and res.json()["role_name"] == "客服"
    [log] = _logs(db)
    assert (log.operator_id, log.action, log.summary, log.source, log.ip) == (
        boss.id, "POST /admin/operators", "创建运营账号", "console", "10.1.2.3")
    assert (log.target_type, log.target_id) == ("operators", str(res.json()["id"]))  # the row it created
    assert log.request is not None and log.request["body"]["password"] == "***"
    assert log.request["body"]["username"] == "kefu1"
    [row] = [c for c in log.changes if c["table"] == "operators"]
    assert row["op"] == "insert" and row["pk"] == {"id": res.json()["id"]}
    assert row["after"]["username"] == "kefu1" and row["after"]["password_hash"] == "***"
    assert "kefu-password-1" not in str(log.changes) + str(log.request)


async def test_a_refused_write_leaves_no_row(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    taken = await api.post(f"{V1}/admin/operators", headers=bearer(ops), json={
        "username": "ops", "password": "kefu-password-1", "display_name": "重名", "role": "support"})
    assert taken.status_code == 409
    kefu = await operator_token(api, db, "kefu", role="support")
    denied = await api.post(f"{V1}/admin/operators", headers=bearer(kefu), json={
        "username": "kefu2", "password": "kefu-password-1", "display_name": "客服", "role": "support"})
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
    assert _logs(db) == []


def test_record_writes_a_row_in_the_callers_transaction(db: Session):
    op = make_operator(db)
    row = audit.record(db, operator_id=op.id, action="extend_deadline", summary="延长期限", target_type="booking",
                       target_id="42", request={"reason": "客户申请延期", "token": "x"}, source="temporal_ui")
    db.rollback()
    assert _logs(db) == []
    row = audit.record(db, operator_id=op.id, action="extend_deadline", summary="延长期限", target_type="booking",
                       target_id="42", request={"reason": "客户申请延期", "token": "x"}, source="temporal_ui")
    db.commit()
    [log] = _logs(db)
    assert log.id == row.id and log.request == {"reason": "客户申请延期", "token": "***"}
    assert (log.source, log.target_type, log.target_id, log.changes) == ("temporal_ui", "booking", "42", [])


async def test_a_role_change_and_a_settings_change_keep_before_and_after(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    roles = {r["code"]: r for r in (await api.get(f"{V1}/admin/roles", headers=bearer(ops))).json()}
    support = roles["support"]
    res = await api.put(f"{V1}/admin/roles/{support['id']}", headers=bearer(ops), json={
        "name": "客服", "permissions": [*support["permissions"], "admin:dashboard:view"]})
    assert res.status_code == 200, res.text
    [log] = _logs(db)
    assert (log.action, log.summary, log.target_type, log.target_id) == (
        "PUT /admin/roles/{role_id}", "修改角色", "roles", str(support["id"]))
    [row] = [c for c in log.changes if c["table"] == "roles"]
    assert row["op"] == "update" and row["pk"] == {"id": support["id"]}
    assert row["before"]["permissions"] == support["permissions"]
    assert row["after"]["permissions"] == res.json()["permissions"]
    assert "admin:dashboard:view" in row["after"]["permissions"]
    assert "name" not in row["after"]  # unchanged columns are not repeated

    before = {s["key"]: s for s in (await api.get(f"{V1}/admin/settings", headers=bearer(ops))).json()}
    old = before["booking.require_verification"]["value"]
    changed = await api.put(f"{V1}/admin/settings", headers=bearer(ops),
                            json={"key": "booking.require_verification", "value": not old})
    assert changed.status_code == 200, changed.text
    log = _logs(db)[-1]
    assert (log.action, log.request["body"]) == (
        "PUT /admin/settings", {"key": "booking.require_verification", "value": not old})
    # The row's change (a rule never changed first gets its row at the default by a statement, listed apart).
    [setting] = [c for c in log.changes if c["table"] == "system_settings" and not c.get("statement")]
    assert setting["pk"] == {"key": "booking.require_verification"}
    assert (setting["op"], setting["before"]["value"], setting["after"]["value"]) == ("update", old, not old)


async def test_the_log_is_listed_newest_first_with_filters(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    boss = db.scalar(select(Operator).where(Operator.username == "ops"))
    assert boss is not None
    for name in ("kefu1", "kefu2"):
        res = await api.post(f"{V1}/admin/operators", headers=bearer(ops), json={
            "username": name, "password": "kefu-password-1", "display_name": name, "role": "support"})
        assert res.status_code == 201
    kefu2 = res.json()["id"]
    res = await api.put(f"{V1}/admin/operators/{kefu2}", headers=bearer(ops), json={"display_name": "客服二号"})
    assert res.status_code == 200
    audit.record(db, operator_id=None, action="nightly", summary="系统任务", target_type="backups", target_id=None,
                 source="system")
    db.commit()

    page = (await api.get(f"{V1}/admin/audit-logs", headers=bearer(ops), params={"page_size": 2})).json()
    assert page["total"] == 4 and [i["summary"] for i in page["items"]] == ["系统任务", "修改运营账号"]
    assert page["items"][0]["operator_name"] is None and page["items"][1]["operator_name"] == "运营小王（ops）"
    mine = (await api.get(f"{V1}/admin/audit-logs", headers=bearer(ops), params={"operator_id": boss.id})).json()
    assert mine["total"] == 3
    edits = (await api.get(f"{V1}/admin/audit-logs", headers=bearer(ops), params={
        "target_type": "operators", "target_id": str(kefu2)})).json()
    # The account's whole story: its creation (the row it inserted) and the edit (the id in the path).
    assert [i["action"] for i in edits["items"]] == ["PUT /admin/operators/{operator_id}", "POST /admin/operators"]
    assert edits["items"][0]["changes"][0]["after"] == {"display_name": "客服二号"}
    by_word = (await api.get(f"{V1}/admin/audit-logs", headers=bearer(ops), params={"keyword": "创建运营"})).json()
    assert by_word["total"] == 2
    system = (await api.get(f"{V1}/admin/audit-logs", headers=bearer(ops), params={"source": "system"})).json()
    assert system["total"] == 1
    today = (await api.get(f"{V1}/admin/audit-logs", headers=bearer(ops), params={
        "date_from": "2000-01-01", "date_to": "2000-01-31"})).json()
    assert today["total"] == 0
    kefu = await operator_token(api, db, "kefu", role="support")
    assert (await api.get(f"{V1}/admin/audit-logs", headers=bearer(kefu))).status_code == 403


async def test_disabling_an_operator_logs_the_change_and_the_sessions_it_ended(api: httpx.AsyncClient, db: Session):
    ops = await operator_token(api, db)
    await operator_token(api, db, "kefu", role="support")
    kefu = db.scalar(select(Operator).where(Operator.username == "kefu"))
    assert kefu is not None
    res = await api.put(f"{V1}/admin/operators/{kefu.id}", headers=bearer(ops), json={"is_active": False})
    assert res.status_code == 200
    [log] = _logs(db)
    assert (log.target_type, log.target_id) == ("operators", str(kefu.id))
    [row] = [c for c in log.changes if c["table"] == "operators"]
    assert (row["op"], row["before"], row["after"]) == ("update", {"is_active": True}, {"is_active": False})
    # The sessions ended by one UPDATE statement: the table and the values it set, rows not listed.
    [ended] = [c for c in log.changes if c["table"] == "auth_sessions"]
    assert ended["op"] == "update" and ended["statement"] is True and "revoked_at" in str(ended["values"])
