"""No double booking is enforced by PostgreSQL itself, not only by application checks."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.models import CalendarSlot
from domain.time import SHANGHAI
from tests.factories import artist_row


def _slot(artist_id: int, start_h: int, end_h: int, status: str) -> CalendarSlot:
    day = datetime(2027, 1, 20, tzinfo=SHANGHAI)
    return CalendarSlot(artist_id=artist_id, status=status,
                        period=Range(day.replace(hour=start_h), day.replace(hour=end_h)))


def test_overlapping_holds_and_bookings_are_refused(db: Session):
    artist = artist_row(db)
    db.add(_slot(artist, 18, 21, "booked"))
    db.add(_slot(artist, 20, 22, "rest"))  # rest may overlap: only held/booked are exclusive
    db.add(_slot(artist, 21, 23, "held"))  # touching, not overlapping
    db.commit()
    db.add(_slot(artist, 19, 20, "held"))
    with pytest.raises(IntegrityError, match="no_double_booking"):
        db.commit()
