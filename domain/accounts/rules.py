"""Platform rules operators can change (system_settings)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from domain.models import SystemSetting
from domain.time import utc_now

DEFAULTS: dict[str, Any] = {
    "booking.require_verification": True,
    "booking.response_hours": 48,      # artist answers an inquiry within
    "booking.contract_hours": 72,      # contract signed by both within, after the quote (calendar hold)
    "booking.deposit_hours": 24,       # deposit paid within, after signing
    "booking.auto_confirm_hours": 72,  # the show counts as performed this long after its end unless disputed
    "booking.commission_rate_bp": 1000,  # platform commission in basis points (10 %), snapshotted per booking
    # Settlement: no payout before this many hours after the show's end (disputes may still be opened), and
    # only once an operator approved, or automatically this many days after the artist requested it.
    "booking.settlement_dispute_window_hours": 72,
    "booking.settlement_auto_approve_days": 3,
}


def get_rule(session: Session, key: str) -> Any:
    row = session.get(SystemSetting, key)
    return row.value if row is not None else DEFAULTS[key]


def set_rule(session: Session, key: str, value: Any, operator_id: int) -> SystemSetting:
    row = session.get(SystemSetting, key) or SystemSetting(key=key)
    row.value, row.updated_at, row.updated_by = value, utc_now(), operator_id
    session.add(row)
    session.flush()
    return row
