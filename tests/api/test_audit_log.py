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
