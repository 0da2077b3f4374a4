"""Operators' view of payouts: the list with filters (failed ones first to act on), one payout."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.models import Payout
from domain.pages import Page
from domain.payouts.schemas import PayoutOut
from domain.payouts.service import STATUS_LABELS, transfer_no

PayoutPage = Page[PayoutOut]


def payout_out(row: Payout) -> PayoutOut:
    return PayoutOut(booking_id=row.booking_id, artist_id=row.artist_id, payout_no=row.payout_no,
                     transfer_no=transfer_no(row), status=row.status,
                     status_label=STATUS_LABELS.get(row.status, row.status), channel=row.channel,
                     payout_amount=row.payout_amount, provider_id=row.provider_id,
                     failure_reason=row.failure_reason, attempts=row.attempts, paid_at=row.paid_at)


def list_payouts(session: Session, *, status: str | None = None, channel: str | None = None,
                 artist_id: int | None = None, page: int = 1, page_size: int = 20) -> PayoutPage:
    query = select(Payout)
    if status is not None:
        query = query.where(Payout.status == status)
    if channel is not None:
        query = query.where(Payout.channel == channel)
    if artist_id is not None:
        query = query.where(Payout.artist_id == artist_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Payout.created_at.desc(), Payout.booking_id.desc())
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return PayoutPage(items=[payout_out(r) for r in rows], total=total, page=page, page_size=page_size)
