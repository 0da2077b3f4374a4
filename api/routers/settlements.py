"""Operators and settlements: the payouts waiting for approval or failed, and the decisions (approve, reject with a
reason, retry a failed payout), which the booking's workflow validates and carries out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import Ctx, Db, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.ledger import settlements
from domain.ledger.schemas import SettlementDecisionIn, SettlementOut, SettlementRejectIn, SettlementStatus
from domain.models import Operator
from domain.pages import Page as PageOf

router = APIRouter(prefix="/admin/settlements", tags=["admin"])
FinanceSettlementOp = Annotated[Operator, Depends(require_permission(Permission.FINANCE_SETTLEMENT))]


@router.get("", response_model=PageOf[SettlementOut], summary="结算审批列表")
def list_settlements(
    op: FinanceSettlementOp, db: Db,
    status: Annotated[list[SettlementStatus] | None, Query(max_length=6)] = None,
    artist_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    booking_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> PageOf[SettlementOut]:
    """Failed payouts first, then those waiting for approval; `status` filters (repeatable)."""
    return settlements.list_settlements(db, status=list(status) if status else None, artist_id=artist_id,
                                        booking_id=booking_id, page=page, page_size=page_size)


@router.get("/{booking_id}", response_model=SettlementOut, summary="结算详情")
def get_settlement(booking_id: PathId, op: FinanceSettlementOp, db: Db) -> SettlementOut:
    return settlements.get_settlement(db, booking_id)


@router.post("/{booking_id}/approve", response_model=SettlementOut, summary="结算审核通过")
async def approve(booking_id: PathId, body: SettlementDecisionIn, op: FinanceSettlementOp, db: Db,
                  ctx: Ctx) -> SettlementOut:
    """Approve the payout (also one rejected before); it is sent once the dispute window is over."""
    return await settlements.decide(ctx, db, op.id, booking_id, "approve", body.reason)


@router.post("/{booking_id}/reject", response_model=SettlementOut, summary="驳回结算")
async def reject(booking_id: PathId, body: SettlementRejectIn, op: FinanceSettlementOp, db: Db,
                 ctx: Ctx) -> SettlementOut:
    """Hold the payout with a reason (shown to the artist); it can be approved later."""
    return await settlements.decide(ctx, db, op.id, booking_id, "reject", body.reason)


@router.post("/{booking_id}/retry", response_model=SettlementOut, summary="重新打款")
async def retry(booking_id: PathId, body: SettlementDecisionIn, op: FinanceSettlementOp, db: Db,
                ctx: Ctx) -> SettlementOut:
    """Send a failed payout again (after the artist fixed their payout account, say)."""
    return await settlements.decide(ctx, db, op.id, booking_id, "retry", body.reason)
