"""Disputes: the operators' workbench (the list, and one booking's disputes with both sides' statements, evidence
photos, contract, money and timeline) and the parties' statements.

The opener's reason and photos are on `disputes` (written by the workflow when the dispute opens); the other party
answers with a `dispute_statements` row (either party may add one statement per dispute while it is open). The
ruling itself is the booking workflow's `resolve_dispute` update (POST /admin/bookings/{id}/actions/...), whose
notifications carry the operator's reason to both parties; the workbench lists them so the operator sees they went."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from domain.bookings import service
from domain.bookings.commands import check_evidence
from domain.bookings.schemas import BookingDetail
from domain.bookings.states import ROLE_LABELS, STATUS_LABELS
from domain.errors import Conflict
from domain.inputs import Input, Text
from domain.models import (
    ArtistProfile,
    Booking,
    ClientProfile,
    ContractDocument,
    Dispute,
    DisputeStatement,
    Inquiry,
    Notification,
    Operator,
    Upload,
)
from domain.notifications.kinds import Kind
from domain.notifications.service import notify
from domain.pages import Page
from domain.time import SHANGHAI
from domain.uploads.service import DOWNLOAD_TTL
from storage.base import ObjectStorage

DisputeState = Literal["open", "resolved"]
STATE_LABELS = {"open": "待处理", "resolved": "已裁决"}


class DisputeNotOpen(Conflict):
    code, message = "dispute_not_open", "该预约没有进行中的纠纷"


class StatementExists(Conflict):
    code, message = "statement_exists", "您已提交过纠纷陈述，请等待平台处理"


# --- the parties' statements


class StatementIn(Input):
    """Body of POST /bookings/{id}/dispute/statements: what happened, and up to 9 evidence photos (ids of the
    caller's own finished uploads of purpose `evidence`)."""

    body: Annotated[str, Text(1000, min_length=1, multiline=True)]
    evidence: Annotated[list[Annotated[str, Text(200)]], Field(max_length=9)] = []


class StatementOut(BaseModel):
    id: int | None  # None for the opener's reason (it lives on the dispute)
    author_role: str  # client / artist
    author_label: str  # 需求方 / 艺人
    author_name: str  # the client's organisation / the artist's stage name
    opening: bool  # the reason the dispute was opened with
    body: str
    evidence_urls: list[str]  # short-lived signed links
    created_at: datetime


def add_statement(session: Session, storage: ObjectStorage, booking: Booking, role: str, user_id: int,
                  data: StatementIn) -> StatementOut:
    """The caller's statement on the booking's open dispute; the other party is told (in-app notification)."""
    dispute = session.scalar(select(Dispute).where(Dispute.booking_id == booking.id, Dispute.resolved_at.is_(None))
                             .order_by(Dispute.id.desc()).limit(1).with_for_update())
    if dispute is None:
        raise DisputeNotOpen()
    evidence = check_evidence(session, user_id, list(data.evidence))
    # The unique (dispute, party) key decides a race between two submissions: the second is refused.
    row_id = session.scalar(pg_insert(DisputeStatement).values(
        dispute_id=dispute.id, booking_id=booking.id, author_role=role, author_id=user_id, body=data.body,
        evidence=evidence).on_conflict_do_nothing(constraint="uq_dispute_statements_party")
        .returning(DisputeStatement.id))
    if row_id is None:
        raise StatementExists()
    other = booking.artist_id if role == "client" else booking.client_id
    notify(session, other, Kind.DISPUTE, "对方已提交纠纷陈述", f"{ROLE_LABELS[role]}陈述：{data.body}",
           booking_id=booking.id, step=f"{booking.id}:dispute-{dispute.id}-statement-{role}")
    session.flush()
    row = session.get(DisputeStatement, row_id)
    assert row is not None
    return _statements(session, storage, booking, [row])[0]


def _statements(session: Session, storage: ObjectStorage | None, booking: Booking,
                rows: list[DisputeStatement]) -> list[StatementOut]:
    names = _party_names(session, booking)
    urls = _evidence_urls(session, storage, booking, [e for r in rows for e in r.evidence or ()])
    return [StatementOut(id=r.id, author_role=r.author_role, author_label=ROLE_LABELS.get(r.author_role, ""),
                         author_name=names.get(r.author_role, ""), opening=False, body=r.body,
                         evidence_urls=[u for e in r.evidence or () if (u := urls.get(e))], created_at=r.created_at)
            for r in rows]


def _party_names(session: Session, booking: Booking) -> dict[str, str]:
    artist = session.scalar(select(ArtistProfile.stage_name).where(ArtistProfile.user_id == booking.artist_id))
    client = session.scalar(select(ClientProfile.org_name).where(ClientProfile.user_id == booking.client_id))
    return {"artist": artist or "", "client": client or ""}


def _evidence_urls(session: Session, storage: ObjectStorage | None, booking: Booking,
                   ids: list[str]) -> dict[str, str]:
    """Signed links of evidence upload ids, only for the booking's parties' own uploads (older free-text entries
    are not links and are left out)."""
    if storage is None or not ids:
        return {}
    keys = session.execute(select(Upload.id, Upload.object_key).where(
        Upload.id.in_(ids), Upload.user_id.in_((booking.client_id, booking.artist_id)))).all()
    return {i: storage.download_url(k, expires=DOWNLOAD_TTL) for i, k in keys}


# --- the workbench


class DisputeListItem(BaseModel):
    dispute_id: int
    booking_id: int
    state: DisputeState
    state_label: str
    opened_by_role: str
    opened_by_label: str
    reason: str
    answered: bool  # the other party has given their statement
    created_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    resolution_label: str | None
    booking_status: str
    booking_status_label: str
    artist_id: int
    artist_name: str
    client_id: int
    client_org: str
    city: str
    event_type: str
    start_at: datetime
    fee_amount: int | None
    paid_amount: int
    refunded_amount: int


DisputePage = Page[DisputeListItem]


def list_disputes(session: Session, *, state: DisputeState | None = None, keyword: str | None = None,
                  opened_from: date | None = None, opened_to: date | None = None, page: int = 1,
                  page_size: int = 20) -> DisputePage:
    """Every dispute, open ones first, newest first. `keyword`: a booking id, the artist's stage name or the
    client's organisation; the opened dates are Asia/Shanghai days."""
    answered = select(DisputeStatement.id).where(
        DisputeStatement.dispute_id == Dispute.id, DisputeStatement.author_role != Dispute.opened_by_role).exists()
    q = (select(Dispute, Booking, Inquiry, ArtistProfile.stage_name, ClientProfile.org_name,
                answered.label("answered"))
         .join(Booking, Booking.id == Dispute.booking_id).join(Inquiry, Inquiry.id == Booking.inquiry_id)
         .outerjoin(ArtistProfile, ArtistProfile.user_id == Booking.artist_id)
         .outerjoin(ClientProfile, ClientProfile.user_id == Booking.client_id))
    if state == "open":
        q = q.where(Dispute.resolved_at.is_(None))
    elif state == "resolved":
        q = q.where(Dispute.resolved_at.is_not(None))
    if keyword:
        like = f"%{keyword}%"
        q = q.where(or_(cast(Booking.id, String) == keyword, ArtistProfile.stage_name.ilike(like),
                        ClientProfile.org_name.ilike(like), Dispute.reason.ilike(like)))
    if opened_from:
        q = q.where(Dispute.created_at >= _day_start(opened_from))
    if opened_to:
        q = q.where(Dispute.created_at < _day_start(opened_to) + timedelta(days=1))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.execute(q.order_by(Dispute.resolved_at.is_not(None), Dispute.created_at.desc(), Dispute.id.desc())
                           .offset((page - 1) * page_size).limit(page_size)).all()
    items = [DisputeListItem(
        dispute_id=d.id, booking_id=b.id, state=_state(d), state_label=STATE_LABELS[_state(d)],
        opened_by_role=d.opened_by_role, opened_by_label=ROLE_LABELS.get(d.opened_by_role, d.opened_by_role),
        reason=d.reason, answered=bool(ans), created_at=d.created_at, resolved_at=d.resolved_at,
        resolution=d.resolution,
        resolution_label=service.RESOLUTION_LABELS.get(d.resolution) if d.resolution else None,
        booking_status=b.status, booking_status_label=STATUS_LABELS.get(b.status, b.status), artist_id=b.artist_id,
        artist_name=artist or "", client_id=b.client_id, client_org=client or "", city=inq.city,
        event_type=inq.event_type, start_at=b.start_at, fee_amount=b.fee_amount, paid_amount=b.paid_amount,
        refunded_amount=b.refunded_amount) for d, b, inq, artist, client, ans in rows]
    return DisputePage(items=items, total=total, page=page, page_size=page_size)


def _state(d: Dispute) -> DisputeState:
    return "open" if d.resolved_at is None else "resolved"


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


class DisputeOutFull(BaseModel):
    id: int
    state: DisputeState
    state_label: str
    opened_by_role: str
    opened_by_label: str
    from_status_label: str  # where the booking was when the dispute froze it
    created_at: datetime
    statements: list[StatementOut]  # the opener's reason first, then the answers in order
    resolution: str | None
    resolution_label: str | None
    refund_amount: int | None
    resolution_reason: str | None
    resolved_by: str | None  # the operator's display name
    resolved_at: datetime | None


class SentNotice(BaseModel):
    """A notification the platform sent one of the parties about this booking since the first dispute."""

    to_role: str
    to_label: str
    title: str
    body: str
    created_at: datetime
    read: bool


class WorkbenchOut(BaseModel):
    booking: BookingDetail  # timeline (events), quote, contract, payments, refunds, as the order page has them
    disputes: list[DisputeOutFull]  # newest first; the first is the one to rule on while the booking is DISPUTED
    notifications: list[SentNotice]  # newest first: the ruling and its reason as each party received them
    refundable_amount: int  # paid and not yet refunded: the most a ruling can give back
    contract_pdf: bool  # a contract PDF exists (POST /admin/bookings/{id}/contract/download-link gives the link)


def workbench(session: Session, storage: ObjectStorage, booking_id: int) -> WorkbenchOut:
    booking = service.get_booking(session, booking_id)
    disputes = list(session.scalars(select(Dispute).where(Dispute.booking_id == booking.id)
                                    .order_by(Dispute.id.desc())))
    if not disputes:
        raise DisputeNotOpen("该预约没有纠纷记录", code="dispute_not_found", status=404)
    rows = list(session.scalars(select(DisputeStatement).where(DisputeStatement.booking_id == booking.id)
                                .order_by(DisputeStatement.created_at, DisputeStatement.id)))
    answers = _statements(session, storage, booking, rows)
    names = _party_names(session, booking)
    urls = _evidence_urls(session, storage, booking, [e for d in disputes for e in d.evidence or ()])
    ruled_by = {d.resolved_by for d in disputes if d.resolved_by}
    operators = dict(session.execute(select(Operator.id, Operator.display_name)
                                     .where(Operator.id.in_(ruled_by))).tuples().all()) if ruled_by else {}
    out = []
    for d in disputes:
        opening = StatementOut(id=None, author_role=d.opened_by_role,
                               author_label=ROLE_LABELS.get(d.opened_by_role, d.opened_by_role),
                               author_name=names.get(d.opened_by_role, ""), opening=True, body=d.reason,
                               evidence_urls=[u for e in d.evidence or () if (u := urls.get(e))],
                               created_at=d.created_at)
        mine = [a for a, r in zip(answers, rows, strict=True) if r.dispute_id == d.id]
        out.append(DisputeOutFull(
            id=d.id, state=_state(d), state_label=STATE_LABELS[_state(d)], opened_by_role=d.opened_by_role,
            opened_by_label=ROLE_LABELS.get(d.opened_by_role, d.opened_by_role),
            from_status_label=STATUS_LABELS.get(d.from_status, d.from_status), created_at=d.created_at,
            statements=[opening, *mine], resolution=d.resolution,
            resolution_label=service.RESOLUTION_LABELS.get(d.resolution) if d.resolution else None,
            refund_amount=d.refund_amount, resolution_reason=d.resolution_reason,
            resolved_by=operators.get(d.resolved_by) if d.resolved_by else None, resolved_at=d.resolved_at))
    first = min(d.created_at for d in disputes)
    parties = {booking.client_id: "client", booking.artist_id: "artist"}
    notes = session.scalars(select(Notification).where(
        Notification.booking_id == booking.id, Notification.user_id.in_(parties),
        and_(Notification.created_at >= first)).order_by(Notification.created_at.desc(), Notification.id.desc()))
    has_pdf = session.scalar(select(ContractDocument.booking_id).where(ContractDocument.booking_id == booking.id))
    return WorkbenchOut(
        booking=service.booking_detail(session, booking, "operator", storage), disputes=out,
        notifications=[SentNotice(to_role=parties[n.user_id], to_label=ROLE_LABELS[parties[n.user_id]],
                                  title=n.title, body=n.body, created_at=n.created_at, read=n.read_at is not None)
                       for n in notes],
        refundable_amount=max(booking.paid_amount - booking.refunded_amount, 0), contract_pdf=has_pdf is not None)
