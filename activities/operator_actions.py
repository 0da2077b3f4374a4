"""Activities for an operator's action typed into the Temporal UI's Send Update dialog (mixed into
activities.bookings.BookingActivities): is the named operator allowed to take it, and the audit row once applied.

A console intervention is checked and audited by the API (require_permission, the request's audit row); the
workflow asks these only for actions that did not come through the console (ActionRequest.via)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio import activity

from domain import audit
from domain.accounts.permissions import Permission, operator_may
from domain.bookings.messages import AUDIT_OPERATOR_ACTION, CHECK_OPERATOR, OperatorAudit, OperatorCheck
from domain.bookings.states import ACTION_LABELS
from domain.db import session_scope
from domain.models import AuditLog, Operator

# The codes an intervention needs: the console route's (order:intervene), and dispute:resolve for a ruling.
ACTION_PERMISSIONS = {
    "cancel": (Permission.ORDER_INTERVENE,),
    "extend_deadline": (Permission.ORDER_INTERVENE,),
    "resolve_dispute": (Permission.ORDER_INTERVENE, Permission.DISPUTE_RESOLVE),
}
# The audit row names the console route the same intervention goes through, so both read alike in the log.
CONSOLE_ROUTE = "POST /admin/bookings/{booking_id}/actions/{action}"


def operator_refusal(session: Session, operator_id: int, action: str) -> str:
    """Why this operator may not take `action` ("" when they may)."""
    op = session.get(Operator, operator_id)
    if op is None:
        return f"运营账号（ID {operator_id}）不存在"
    if not op.is_active:
        return f"运营账号「{op.display_name}」已停用"
    codes = ACTION_PERMISSIONS.get(action)
    if codes is None:
        return "Temporal UI 只能发送运营干预"
    if not all(operator_may(session, op, code) for code in codes):
        return f"运营账号「{op.display_name}」的角色没有{ACTION_LABELS.get(action, action)}的权限"
    return ""


class OperatorActionActivities:
    database_url: str

    @activity.defn(name=CHECK_OPERATOR.name)
    def check_operator(self, inp: OperatorCheck) -> str:
        with session_scope(self.database_url) as session:
            return operator_refusal(session, inp.operator_id, inp.action)

    @activity.defn(name=AUDIT_OPERATOR_ACTION.name)
    def audit_operator_action(self, inp: OperatorAudit) -> None:
        """One audit row per applied update (a retried attempt finds the row by the update's id)."""
        with session_scope(self.database_url) as session:
            if inp.update_id and session.scalar(select(AuditLog.id).where(
                    AuditLog.source == "temporal_ui", AuditLog.target_type == "booking",
                    AuditLog.target_id == str(inp.booking_id),
                    AuditLog.request["update_id"].astext == inp.update_id).limit(1)) is not None:
                return
            label = ACTION_LABELS.get(inp.action, inp.action)
            audit.record(
                session, operator_id=inp.operator_id, action=CONSOLE_ROUTE,
                summary=f"运营干预（Temporal UI）：{label}", target_type="booking", target_id=str(inp.booking_id),
                request={"path": {"booking_id": inp.booking_id, "action": inp.action}, "body": inp.body,
                         "workflow_id": f"booking-{inp.booking_id}", "update": "act", "update_id": inp.update_id,
                         "status_after": inp.status},
                source="temporal_ui")
