"""Settlement approval for operators: the payouts waiting for approval or failed, and the decisions, which go to the
booking's workflow as the validated `decide_settlement` update (the workflow owns the timing: dispute window,
automatic approval, payout)."""

from __future__ import annotations

from typing import Protocol

from anyio.to_thread import run_sync
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.bookings.messages import Actor, SettlementDecision
from domain.bookings.states import STATUS_LABELS
from domain.errors import AppError, Conflict, NotFound, raises
from domain.ledger.labels import CHANNEL_LABELS, SETTLEMENT_STATUS_LABELS
from domain.ledger.schemas import SettlementOut
from domain.models import ArtistProfile, Booking, Payout
from domain.pages import Page
from workflows.booking import BookingWorkflow

# Which decisions each payout status allows (the workflow's validator has the last word).
DECISIONS = {"pending_approval": ["approve", "reject"], "rejected": ["approve"], "failed": ["retry"]}
OPEN_BOOKING = ("SETTLING", "CANCELLED")
FAILURES = {"InvalidAction": (409, "settlement_not_allowed"), "Forbidden": (403, "permission_denied"),
            "BadRequest": (422, "validation_error"), "NotReady": (409, "booking_not_ready"),
            "PermanentFailure": (409, "action_failed")}


class SettlementNotFound(NotFound):
    code, message = "settlement_not_found", "该预约没有结算记录"


class Deps(Protocol):
    async def temporal(self) -> Client: ...


def _view(payout: Payout, booking: Booking, artist_name: str | None) -> SettlementOut:
    allowed = DECISIONS.get(payout.status, []) if booking.status in OPEN_BOOKING else []
    return SettlementOut(
        booking_id=payout.booking_id, artist_id=payout.artist_id, artist_name=artist_name, client_id=booking.client_id,
        booking_status=booking.status, booking_status_label=STATUS_LABELS.get(booking.status, booking.status),
        show_end_at=booking.end_at, gross_amount=payout.gross_amount, commission_rate_bp=booking.commission_rate_bp,
        commission_amount=payout.commission_amount, payout_amount=payout.payout_amount, status=payout.status,
        status_label=SETTLEMENT_STATUS_LABELS.get(payout.status, payout.status), payout_no=payout.payout_no,
        channel=payout.channel, channel_label=CHANNEL_LABELS.get(payout.channel or "") if payout.channel else None,
        auto_approve_at=payout.auto_approve_at, approved_at=payout.approved_at, approved_by=payout.approved_by,
        failure_reason=payout.failure_reason, attempts=payout.attempts, paid_at=payout.paid_at,
        created_at=payout.created_at, needs_operator=booking.needs_operator,
        allowed_decisions=allowed)


def list_settlements(session: Session, *, status: list[str] | None, artist_id: int | None, booking_id: int | None,
                     page: int, page_size: int) -> Page[SettlementOut]:
    """Settlements, the ones needing an operator first (failed, then waiting for approval), oldest first."""
    query = (select(Payout, Booking, ArtistProfile.stage_name).join(Booking, Booking.id == Payout.booking_id)
             .outerjoin(ArtistProfile, ArtistProfile.user_id == Payout.artist_id))
    if status:
        query = query.where(Payout.status.in_(status))
    if artist_id is not None:
        query = query.where(Payout.artist_id == artist_id)
    if booking_id is not None:
        query = query.where(Payout.booking_id == booking_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    urgency = {"failed": 0, "pending_approval": 1, "rejected": 2, "approved": 3, "paying": 4, "paid": 5}
    rows = session.execute(query.order_by(
        case(urgency, value=Payout.status, else_=9), Payout.created_at, Payout.booking_id)
        .offset((page - 1) * page_size).limit(page_size)).all()
    return Page[SettlementOut](items=[_view(p, b, name) for p, b, name in rows], total=total, page=page,
                               page_size=page_size)


def get_settlement(session: Session, booking_id: int) -> SettlementOut:
    row = session.execute(select(Payout, Booking, ArtistProfile.stage_name)
                          .join(Booking, Booking.id == Payout.booking_id)
                          .outerjoin(ArtistProfile, ArtistProfile.user_id == Payout.artist_id)
                          .where(Payout.booking_id == booking_id)).first()
    if row is None:
        raise SettlementNotFound()
    return _view(*row)


@raises(SettlementNotFound, (503, "temporal_unavailable"), *FAILURES.values(), (409, "booking_closed"))
async def decide(deps: Deps, db: Session, operator_id: int, booking_id: int, decision: str,
                 reason: str | None) -> SettlementOut:
    """Send an operator's decision to the booking's workflow and answer with the settlement as it is then."""
    current = await run_sync(get_settlement, db, booking_id)
    if decision not in current.allowed_decisions:  # refused before Temporal is asked; the validator agrees
        label = current.status_label
        raise Conflict(f"结算当前{label}，不能执行此操作", code="settlement_not_allowed",
                       detail={"status": current.status, "allowed_decisions": current.allowed_decisions})
    await run_sync(db.commit)  # end the read: no pooled connection waits on the workflow
    client = await deps.temporal()
    handle = client.get_workflow_handle_for(BookingWorkflow.run, f"booking-{booking_id}")
    try:
        await handle.execute_update(BookingWorkflow.decide_settlement,
                                    SettlementDecision(decision, Actor("operator", operator_id), reason))
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        while cause is not None and not isinstance(cause, ApplicationError):
            cause = cause.__cause__  # type: ignore[assignment]
        if isinstance(cause, ApplicationError):
            status, code = FAILURES.get(cause.type or "", (409, "action_failed"))
            raise AppError(cause.message, code=code, status=status) from err
        raise Conflict("操作未能完成，请刷新后重试", code="action_failed") from err
    except RPCError as err:
        if err.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise Conflict("预约已结束，不能再操作", code="booking_closed") from err
        raise
    db.expire_all()
    return await run_sync(get_settlement, db, booking_id)
