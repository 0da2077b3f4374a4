"""The settlement as a booking's page shows it (domain.bookings.service.booking_detail)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.ledger.labels import (
    CHANNEL_LABELS,
    CLIENT_SETTLEMENT_DEFAULT,
    CLIENT_SETTLEMENT_LABELS,
    SETTLEMENT_STATUS_LABELS,
)
from domain.ledger.schemas import BookingSettlementOut
from domain.models import Payout


def booking_settlement(session: Session, booking_id: int, role: str) -> BookingSettlementOut | None:
    payout = session.get(Payout, booking_id)
    if payout is None:
        return None
    if role == "client":
        return BookingSettlementOut(
            status=payout.status,
            status_label=CLIENT_SETTLEMENT_LABELS.get(payout.status, CLIENT_SETTLEMENT_DEFAULT),
            paid_at=payout.paid_at)
    return BookingSettlementOut(
        status=payout.status,
        status_label=SETTLEMENT_STATUS_LABELS.get(payout.status, payout.status),
        gross_amount=payout.gross_amount, commission_amount=payout.commission_amount,
        payout_amount=payout.payout_amount, auto_approve_at=payout.auto_approve_at, paid_at=payout.paid_at,
        channel_label=CHANNEL_LABELS.get(payout.channel) if payout.channel else None,
        failure_reason=payout.failure_reason)
