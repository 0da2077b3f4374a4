"""The signing-intent step of the sign / countersign actions (domain.bookings.commands): before the workflow
hears of a signature, the signer's SMS code is checked and the evidence written; if the workflow then refuses,
the evidence is withdrawn again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from domain.contracts import intent
from domain.contracts.documents import ContractPapers
from domain.db import session_scope
from domain.models import Booking, User
from domain.settings import Settings
from storage.base import ObjectStorage

SIGN_ACTIONS = frozenset({"sign", "countersign"})


@dataclass(frozen=True)
class Origin:
    """Where a request came from, for the evidence record."""

    ip: str
    user_agent: str


def confirm_intent(settings: Settings, storage: ObjectStorage, db: Session, booking: Booking, user: User, role: str,
                   code: str | None, origin: Origin | None) -> int:
    """The evidence id of this signature; raises (4xx) without a correct code."""
    papers = ContractPapers.from_settings(settings, storage)
    doc = papers.prepare(db, booking.id)
    origin = origin or Origin("unknown", "")
    evidence = intent.confirm(db, settings.secret("jwt_secret"), booking, user, role, code, ip=origin.ip,
                              user_agent=origin.user_agent, document_sha256=doc.unsigned_sha256)
    return evidence.id


def withdraw_intent(database_url: str, evidence_id: int) -> None:
    with session_scope(database_url) as session:
        intent.withdraw(session, evidence_id)
