"""An operator intervenes from the Temporal UI: the "Send Update" dialog sends update `act` by name with the JSON
the operator typed (a plain dict, JSON-encoded as the UI does). It is refused by the validator without an operator
id, without a reason, or for anything but an operator's intervention; refused by the handler for an unknown,
disabled or unauthorised operator; otherwise applied, projected on the booking like a console action, and
recorded in the audit log with source temporal_ui (README "Operator actions from the Temporal UI")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.models import AuditLog, BookingEvent, Notification, Refund
from tests.helpers import make_operator
from tests.workflows.booking_helpers import (
    act,
    booking,
    booking_id,
    parties,
    pay,
    settled,
    start,
    to_signed,
)

pytestmark = pytest.mark.usefixtures("worker")


async def send(h: WorkflowHandle, payload: dict[str, Any]) -> dict[str, Any]:
    """What the UI does: update name `act`, the typed JSON as the one argument, the answer read back as JSON."""
    result = await h.execute_update("act", payload, result_type=dict)
    assert isinstance(result, dict)
    return result


async def refused(h: WorkflowHandle, payload: dict[str, Any]) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await send(h, payload)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError), cause
    return cause


def audit_rows(db: Session, bid: int) -> list[AuditLog]:
    db.expire_all()
    return list(db.scalars(select(AuditLog).where(AuditLog.target_type == "booking",
                                                  AuditLog.target_id == str(bid)).order_by(AuditLog.id)))


async def _signed(temporal_env: Any, db: Session, handles: list) -> tuple[int, int, WorkflowHandle]:
    client, [artist] = parties(db)
    [h] = await start(temporal_env, db, client, [artist])
    handles.append(h)
    await to_signed(h, client, artist)
    return client, artist, h


async def test_extend_deadline_from_the_ui_is_validated_applied_projected_and_audited(
        temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    _, _, h = await _signed(temporal_env, db, handles)
    bid = booking_id(h)
    ops = make_operator(db, "ui-ops", role="support")
    gone = make_operator(db, "ui-gone", role="support")
    gone.is_active = False
    db.commit()
    before = booking(db, h).deadline_at
    assert before is not None
    good = {"action": "extend_deadline", "actor": {"role": "operator", "id": ops.id}, "reason": "客户申请延期",
            "extend_hours": 48}

    # The validator: who and why are required, and only an operator's intervention may be typed in.
    no_id = await refused(h, {**good, "actor": {"role": "operator"}})
    assert (no_id.type, no_id.message) == ("BadRequest", "请在 actor.id 填写操作运营的账号 ID")
    no_reason = await refused(h, {k: v for k, v in good.items() if k != "reason"})
    assert (no_reason.type, no_reason.message) == ("BadRequest", "请在 reason 填写干预理由")
    blank = await refused(h, {**good, "reason": "   "})
    assert blank.type == "BadRequest"
    as_client = await refused(h, {**good, "action": "cancel", "actor": {"role": "client", "id": ops.id}})
    assert as_client.type == "Forbidden" and "actor.role" in as_client.message
    # The same rules as the console's: 1 hour to 30 days.
    too_long = await refused(h, {**good, "extend_hours": 24 * 31})
    assert (too_long.type, too_long.message) == ("BadRequest", "延长时间须在1小时到30天之间")
    # The handler asks the database: the operator must exist and be active.
    unknown = await refused(h, {**good, "actor": {"role": "operator", "id": ops.id + gone.id + 1000}})
    assert unknown.type == "Forbidden" and "不存在" in unknown.message
    disabled = await refused(h, {**good, "actor": {"role": "operator", "id": gone.id}})
    assert (disabled.type, disabled.message) == ("Forbidden", "运营账号「运营小王」已停用")
    assert booking(db, h).deadline_at == before and audit_rows(db, bid) == []

    # Applied: the answer, the projection (deadline, event row with the operator and reason, notifications) and
    # one audit row naming the operator, the console route it stands for and what was typed.
    assert await send(h, good) == {"status": "SIGNED", "payment_order_id": None, "pay_url": None}
    b = booking(db, h)
    assert b.status == "SIGNED" and b.deadline_at == before + timedelta(hours=48)
    event = db.scalar(select(BookingEvent).where(BookingEvent.booking_id == bid,
                                                 BookingEvent.action == "extend_deadline"))
    assert event is not None
    assert (event.actor_role, event.actor_id, event.data) == ("operator", ops.id,
                                                             {"hours": 48, "reason": "客户申请延期"})
    notes = db.scalars(select(Notification.body).where(Notification.booking_id == bid,
                                                       Notification.title == "期限已延长")).all()
    assert notes == ["平台已将当前期限延长48小时"] * 2
    [row] = audit_rows(db, bid)
    assert (row.source, row.operator_id, row.action) == (
        "temporal_ui", ops.id, "POST /admin/bookings/{booking_id}/actions/{action}")
    assert row.summary == "运营干预（Temporal UI）：延长期限"
    assert row.request is not None
    assert row.request["path"] == {"booking_id": bid, "action": "extend_deadline"}
    assert row.request["body"] == {"reason": "客户申请延期", "extend_hours": 48}
    assert row.request["workflow_id"] == f"booking-{bid}" and row.request["update_id"]

    # A console request (the API marks it) is audited by the API, not again by the workflow.
    await act(h, "extend_deadline", "operator", ops.id, extend_hours=24, reason="控制台延期")
    assert booking(db, h).deadline_at == before + timedelta(hours=72)
    assert len(audit_rows(db, bid)) == 1


async def test_dispute_ruling_and_cancel_from_the_ui_need_the_operators_permissions(
        temporal_env, db: Session, handles):  # type: ignore[no-untyped-def]
    client, _, h = await _signed(temporal_env, db, handles)
    bid = booking_id(h)
    await pay(h, db, client, "deposit")  # ¥3,000 paid
    await act(h, "dispute", "client", client, reason="艺人临时更换曲目")
    # 运营 may intervene in orders but not rule on disputes; 客服 may do both.
    operations = make_operator(db, "ui-operations", role="operations")
    support = make_operator(db, "ui-support", role="support")
    ruling = {"action": "resolve_dispute", "actor": {"role": "operator", "id": operations.id},
              "resolution": "release", "reason": "核实后继续履约"}
    no_right = await refused(h, ruling)
    assert no_right.type == "Forbidden" and no_right.message.endswith("的角色没有处理纠纷的权限")
    no_choice = await refused(h, {**ruling, "actor": {"role": "operator", "id": support.id}, "resolution": "x"})
    assert (no_choice.type, no_choice.message) == ("BadRequest", "请选择处理方式")
    assert booking(db, h).status == "DISPUTED" and audit_rows(db, bid) == []

    assert (await send(h, {**ruling, "actor": {"role": "operator", "id": support.id}}))["status"] == "DEPOSIT_PAID"
    b = booking(db, h)
    assert (b.status, b.needs_operator) == ("DEPOSIT_PAID", None)

    # Cancel with the operator's refund choice: ¥1,200 of the ¥3,000 back, the booking closed.
    over = await refused(h, {"action": "cancel", "actor": {"role": "operator", "id": operations.id},
                             "reason": "场地取消", "refund_amount": 300_001})
    assert over.type == "RefundExceedsPaid"
    result = await send(h, {"action": "cancel", "actor": {"role": "operator", "id": operations.id},
                            "reason": "场地取消", "refund_amount": 120_000})
    assert result["status"] == "CANCELLED"
    await settled(h)  # the refund runs as compensation
    b = booking(db, h)
    assert (b.status, b.reason) == ("CANCELLED", "场地取消")
    assert db.scalars(select(Refund.amount).where(Refund.booking_id == bid)).all() == [120_000]
    rows = audit_rows(db, bid)
    assert [(r.operator_id, r.summary, r.request and r.request["body"]) for r in rows] == [
        (support.id, "运营干预（Temporal UI）：处理纠纷", {"reason": "核实后继续履约", "resolution": "release"}),
        (operations.id, "运营干预（Temporal UI）：取消预约", {"reason": "场地取消", "refund_amount": 120_000}),
    ]
    assert all(r.source == "temporal_ui" for r in rows)
