"""订单管理: the operators' list of every booking (filters, the progress 预约—签约—支付—演出—结算) and the order
detail (the booking detail plus the notifications sent, every dispute and the workflow's page in the Temporal UI).
Reads the projection only, like every list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from domain.bookings import service
from domain.bookings.schemas import BookingDetail, BookingOut
from domain.bookings.states import STAGE_LABELS, STATUS_STAGES, Stage
from domain.models import (
    ArtistProfile,
    Booking,
    BookingEvent,
    ClientProfile,
    Dispute,
    Inquiry,
    Notification,
    NotificationDelivery,
    User,
)
from domain.pages import Page
from domain.settings import Settings
from domain.time import shanghai_day_bounds
from storage.base import ObjectStorage

# The progress bar, in order; a booking is in one of these, or done (all five behind it) or closed (stopped).
PROGRESS = (Stage.booking, Stage.contract, Stage.payment, Stage.show, Stage.settlement)


class ProgressStep(BaseModel):
    stage: Stage
    label: str
    state: Literal["done", "current", "todo", "stopped"]  # stopped: where a closed booking ended


class OrderRow(BookingOut):
    progress: list[ProgressStep]


class ChannelDelivery(BaseModel):
    """The notification on WeChat or SMS: pending / sent / failed / skipped, with why."""

    channel: str  # wechat / sms
    status: str
    reason: str | None
    attempts: int
    sent_at: datetime | None


class SentNotification(BaseModel):
    """A notification the booking sent (the in-app centre's row): to whom, what, whether it was read, and how each
    outside channel fared."""

    id: int
    user_id: int
    recipient_role: str  # client / artist / other
    recipient_label: str
    title: str
    body: str
    created_at: datetime
    read: bool
    deliveries: list[ChannelDelivery] = []


class DisputeRow(BaseModel):
    id: int
    reason: str
    opened_by_role: str
    evidence_count: int
    from_status: str
    created_at: datetime
    resolution: str | None
    resolution_label: str | None
    refund_amount: int | None
    resolution_reason: str | None
    resolved_by: int | None
    resolved_at: datetime | None


class OrderDetail(BookingDetail):
    progress: list[ProgressStep]
    notifications: list[SentNotification]
    disputes: list[DisputeRow]  # every dispute of the booking, oldest first (`dispute` is the latest)
    workflow_id: str
    temporal_ui_url: str  # the workflow's page in the Temporal UI


OrderPage = Page[OrderRow]


@dataclass
class OrderFilters:
    status: str | None = None
    stage: str | None = None
    city: str | None = None
    artist: str | None = None   # an artist's id or (part of) their stage name
    client: str | None = None   # a client's id, (part of) their organisation's name, or their phone
    date_from: date | None = None  # performance date, China time, inclusive
    date_to: date | None = None
    needs_operator: bool | None = None
    keyword: str | None = None  # booking id, artist, client, city, venue, event type, contact


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _as_id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 18 else None


def _filtered(f: OrderFilters) -> Select[Any]:
    artist = select(ArtistProfile.user_id)
    org = select(ClientProfile.user_id)
    q = select(Booking).join(Inquiry, Inquiry.id == Booking.inquiry_id)
    if f.status:
        q = q.where(Booking.status == f.status)
    if f.stage:
        q = q.where(Booking.status.in_([s for s, stage in STATUS_STAGES.items() if stage == f.stage]))
    if f.city:
        q = q.where(Inquiry.city.ilike(_like(f.city), escape="\\"))
    if f.artist:
        by_name = artist.where(ArtistProfile.stage_name.ilike(_like(f.artist), escape="\\"))
        named_artist: ColumnElement[bool] = Booking.artist_id.in_(by_name)
        q = q.where(or_(named_artist, Booking.artist_id == n) if (n := _as_id(f.artist)) else named_artist)
    if f.client:
        like = _like(f.client)
        named: ColumnElement[bool] = or_(
            Booking.client_id.in_(org.where(ClientProfile.org_name.ilike(like, escape="\\"))),
            Booking.client_id.in_(select(User.id).where(User.phone.like(like, escape="\\"))))
        q = q.where(or_(named, Booking.client_id == n) if (n := _as_id(f.client)) else named)
    if f.date_from:
        q = q.where(Booking.start_at >= shanghai_day_bounds(f.date_from)[0])
    if f.date_to:
        q = q.where(Booking.start_at < shanghai_day_bounds(f.date_to)[1])
    if f.needs_operator is not None:
        queued = or_(Booking.needs_operator.is_not(None), Booking.status == "DISPUTED")
        q = q.where(queued if f.needs_operator else ~queued)
    if f.keyword:
        like = _like(f.keyword)
        hits: list[ColumnElement[bool]] = [
                Booking.artist_id.in_(artist.where(ArtistProfile.stage_name.ilike(like, escape="\\"))),
                Booking.client_id.in_(org.where(ClientProfile.org_name.ilike(like, escape="\\"))),
                *(c.ilike(like, escape="\\") for c in (Inquiry.city, Inquiry.venue_address, Inquiry.event_type,
                                                       Inquiry.contact_name))]
        if (n := _as_id(f.keyword)) is not None:
            hits.append(Booking.id == n)
        q = q.where(or_(*hits))
    return q


def _stopped_stages(session: Session, bookings: list[Booking]) -> dict[int, Stage]:
    """Where each closed booking's progress stopped: the stage of the status it was closed from (one query)."""
    closed = [b.id for b in bookings if STATUS_STAGES[b.status] == Stage.closed]
    if not closed:
        return {}
    last = (select(BookingEvent.booking_id, BookingEvent.from_status,
                   func.row_number().over(partition_by=BookingEvent.booking_id,
                                          order_by=BookingEvent.step.desc()).label("n"))
            .where(BookingEvent.booking_id.in_(closed), BookingEvent.from_status.is_not(None),
                   BookingEvent.from_status != BookingEvent.to_status).subquery())
    rows = session.execute(select(last.c.booking_id, last.c.from_status).where(last.c.n == 1)).all()
    return {bid: STATUS_STAGES[status] for bid, status in rows if status in STATUS_STAGES}


def progress(status: str, stopped: Stage | None = None) -> list[ProgressStep]:
    stage = STATUS_STAGES[status]
    if stage == Stage.done:
        states = ["done"] * len(PROGRESS)
    else:
        at = stage if stage != Stage.closed else stopped
        i = PROGRESS.index(at) if at in PROGRESS else 0
        states = ["done"] * i + ["stopped" if stage == Stage.closed else "current"] + ["todo"] * (len(PROGRESS) - i - 1)
    return [ProgressStep(stage=s, label=STAGE_LABELS[s], state=st)
            for s, st in zip(PROGRESS, states, strict=True)]


def list_orders(session: Session, storage: ObjectStorage, f: OrderFilters, *, page: int,
                page_size: int) -> OrderPage:
    """Newest bookings first; a fixed number of queries per page."""
    q = _filtered(f)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    page_rows = q.order_by(Booking.id.desc()).offset((page - 1) * page_size).limit(page_size)
    rows: list[Booking] = list(session.scalars(page_rows))
    stopped = _stopped_stages(session, rows)
    items = [OrderRow(**v.model_dump(), progress=progress(v.status, stopped.get(v.id)))
             for v in service.booking_views(session, rows, "operator", storage)]
    return OrderPage(items=items, total=total, page=page, page_size=page_size)


def temporal_ui_base(settings: Settings) -> str:
    return (settings.temporal_ui_url or f"http://127.0.0.1:{settings.temporal_ui_port}").rstrip("/")


def temporal_ui_url(settings: Settings, workflow_id: str) -> str:
    base = temporal_ui_base(settings)
    return f"{base}/namespaces/{quote(settings.temporal_namespace, safe='')}/workflows/{quote(workflow_id, safe='')}"


def _notifications(session: Session, booking: Booking) -> list[SentNotification]:
    roles = {booking.client_id: ("client", "需求方"), booking.artist_id: ("artist", "艺人")}
    rows = session.scalars(select(Notification).where(Notification.booking_id == booking.id)
                           .order_by(Notification.created_at, Notification.id)).all()
    deliveries: dict[int, list[ChannelDelivery]] = {}
    for d in session.scalars(select(NotificationDelivery).where(
            NotificationDelivery.notification_id.in_([n.id for n in rows])).order_by(NotificationDelivery.channel)):
        deliveries.setdefault(d.notification_id, []).append(ChannelDelivery(
            channel=d.channel, status=d.status, reason=d.reason, attempts=d.attempts, sent_at=d.sent_at))
    return [SentNotification(id=n.id, user_id=n.user_id, recipient_role=roles.get(n.user_id, ("other", ""))[0],
                             recipient_label=roles.get(n.user_id, ("other", f"用户{n.user_id}"))[1], title=n.title,
                             body=n.body, created_at=n.created_at, read=n.read_at is not None,
                             deliveries=deliveries.get(n.id, [])) for n in rows]


def _disputes(session: Session, booking_id: int) -> list[DisputeRow]:
    rows = session.scalars(select(Dispute).where(Dispute.booking_id == booking_id).order_by(Dispute.id)).all()
    return [DisputeRow(id=d.id, reason=d.reason, opened_by_role=d.opened_by_role, evidence_count=len(d.evidence or ()),
                       from_status=d.from_status, created_at=d.created_at, resolution=d.resolution,
                       resolution_label=service.RESOLUTION_LABELS.get(d.resolution) if d.resolution else None,
                       refund_amount=d.refund_amount, resolution_reason=d.resolution_reason,
                       resolved_by=d.resolved_by, resolved_at=d.resolved_at) for d in rows]


def order_detail(session: Session, storage: ObjectStorage, settings: Settings, booking_id: int) -> OrderDetail:
    booking = service.get_booking(session, booking_id)
    detail = service.booking_detail(session, booking, "operator", storage)
    stopped = _stopped_stages(session, [booking]).get(booking.id)
    workflow_id = f"booking-{booking.id}"
    return OrderDetail(**detail.model_dump(), progress=progress(booking.status, stopped),
                       notifications=_notifications(session, booking), disputes=_disputes(session, booking.id),
                       workflow_id=workflow_id, temporal_ui_url=temporal_ui_url(settings, workflow_id))

