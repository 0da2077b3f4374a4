"""Media cases. (Contract stub: the public read used by the artist detail page.)"""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.cases.schemas import CaseOut
from storage.base import ObjectStorage


def public_cases(session: Session, storage: ObjectStorage, artist_id: int) -> list[CaseOut]:
    """Approved cases of one artist in the artist's order, media as short-lived signed URLs."""
    return []
