"""Inquiries and the booking projection: creation, lists, detail with allowed actions, notifications."""

from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from domain.accounts import rules, users
from domain.bookings.messages import BookingInput
from domain.bookings.schemas import (
    BookingDetail,
    BookingOut,
    ConflictOut,
    EventOut,
    InquiryIn,
    InquiryOut,
    NotificationOut,
    NotificationPage,
)
from domain.bookings.states import STATUS_LABELS, allowed_actions, refusal
from domain.calendar import service as calendar
from domain.errors import AppError, Conflict, NotFound, PermissionDenied
from domain.models import (
    ArtistProfile,
    Booking,
    BookingEvent,
    ClientProfile,
    Contract,
    Inquiry,
    Notification,
    User,
)
from domain.time import utc_now


class BookingRefused(AppError):
    status, code = 422, "booking_refused"


def check_may_book(session: Session, user: User) -> None:
    """A banned account is refused (403); an unverified one, where the platform asks for it, is told to verify
    (422 verification_required, so the client can offer 实名认证 and come back)."""
    reason = users.booking_block_reason(session, user)
    if reason:
        if user.status == "banned":
            raise BookingRefused(reason, code="account_banned", status=403)
        raise BookingRefused(reason, code="verification_required")


def check_action(booking: Booking, action: str, role: str) -> None:
    """The transition table's answer before anything is stored or sent; the workflow's validator asks the same
    and stays the judge when the state moved in between."""
    refused = refusal(booking.status, action, role, show_started=booking.start_at <= utc_now())
    if refused is None:
        return
    if refused.kind == "Forbidden":
        raise PermissionDenied(refused.message)
    if refused.kind == "Closed":
        raise Conflict(refused.message, code="booking_closed")
    raise Conflict(refused.message, code="action_not_allowed")


def signature_in_use(session: Session, key: str) -> bool:
    return session.scalar(select(Contract.booking_id).where(
        or_(Contract.client_signature_key == key, Contract.artist_signature_key == key)).limit(1)) is not None


def create_inquiry(session: Session, client: User, data: InquiryIn) -> tuple[Inquiry, list[Booking]]:
    """One inquiry, one booking per artist. Refuses past dates, oneself, banned or unknown artists."""
    check_may_book(session, client)
    if data.start_at <= utc_now():
        raise BookingRefused("演出时间不能早于当前时间", code="start_in_past")
    artist_ids = list(dict.fromkeys(data.artist_ids))
    if client.id in artist_ids:
        raise BookingRefused("不能向自己发起预约", code="self_booking")
    artists = {a.user_id: a for a in
               session.scalars(select(ArtistProfile).where(ArtistProfile.user_id.in_(artist_ids)))}
    for artist_id in artist_ids:
        if artist_id not in artists:
            raise BookingRefused(f"艺人（ID {artist_id}）不存在", code="artist_not_found", status=404)
        if users.get_user(session, artist_id).status == "banned":
            raise BookingRefused(f"艺人「{artists[artist_id].stage_name}」暂不可预约", code="artist_banned")
    inquiry = Inquiry(client_id=client.id, event_type=data.event_type, start_at=data.start_at, end_at=data.end_at,
                      city=data.city, venue_address=data.venue_address,
                      duration_minutes=int((data.end_at - data.start_at).total_seconds() // 60),
                      audience_size=data.audience_size, requirements=data.requirements,
                      budget_amount=data.budget_amount, contact_name=data.contact_name,
                      contact_phone=data.contact_phone)
    session.add(inquiry)
    session.flush()
    rate = int(rules.get_rule(session, "booking.commission_rate_bp"))  # snapshotted per booking
    bookings = [Booking(inquiry_id=inquiry.id, client_id=client.id, artist_id=a, start_at=data.start_at,
                        end_at=data.end_at, commission_rate_bp=rate, status="REQUESTED") for a in artist_ids]
    session.add_all(bookings)
    session.flush()
    return inquiry, bookings


def workflow_input(session: Session, booking: Booking) -> BookingInput:
    hours = {k: int(rules.get_rule(session, f"booking.{k}")) for k in
             ("response_hours", "contract_hours", "deposit_hours", "auto_confirm_hours")}
    return BookingInput(booking_id=booking.id, inquiry_id=booking.inquiry_id, client_id=booking.client_id,
                        artist_id=booking.artist_id, start_at=booking.start_at.isoformat(),
                        end_at=booking.end_at.isoformat(), commission_rate_bp=booking.commission_rate_bp, **hours)


def role_on(booking: Booking, user_id: int | None, acting_role: str | None) -> str:
    """The caller's part in this booking; a client never sees another client's booking."""
    if acting_role == "client" and booking.client_id == user_id:
        return "client"
    if acting_role == "artist" and booking.artist_id == user_id:
        return "artist"
    raise NotFound("预约不存在")


def client_inquiry(session: Session, client_id: int, inquiry_id: int) -> Inquiry:
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None or inquiry.client_id != client_id:
        raise NotFound("询价不存在")
    return inquiry


def inquiry_view(session: Session, inquiry: Inquiry) -> InquiryOut:
    """The inquiry with each artist's booking side by side (an inquiry invites at most 10 artists)."""
    rows, _ = list_bookings(session, inquiry_id=inquiry.id, page_size=10)
    return InquiryOut(id=inquiry.id, event_type=inquiry.event_type, start_at=inquiry.start_at, end_at=inquiry.end_at,
                      city=inquiry.city, bookings=booking_views(session, rows, "client"))


def get_booking(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("预约不存在")
    return booking


def _names(session: Session, bookings: list[Booking]) -> tuple[dict[int, str], dict[int, str], dict[int, Inquiry]]:
    artists = dict(session.execute(select(ArtistProfile.user_id, ArtistProfile.stage_name)
                                   .where(ArtistProfile.user_id.in_({b.artist_id for b in bookings}))).all())
    clients = dict(session.execute(select(ClientProfile.user_id, ClientProfile.org_name)
                                   .where(ClientProfile.user_id.in_({b.client_id for b in bookings}))).all())
    inquiries = {i.id: i for i in session.scalars(select(Inquiry).where(
        Inquiry.id.in_({b.inquiry_id for b in bookings})))}
    return artists, clients, inquiries


def _response_minutes(session: Session, b: Booking) -> int | None:
    answered = session.scalar(select(func.min(BookingEvent.created_at)).where(
        BookingEvent.booking_id == b.id, BookingEvent.action.in_(["confirm", "reject"]),
        BookingEvent.from_status == "REQUESTED"))
    return int((answered - b.created_at).total_seconds() // 60) if answered else None


def booking_views(session: Session, bookings: list[Booking], role: str) -> list[BookingOut]:
    artists, clients, inquiries = _names(session, bookings)
    out = []
    for b in bookings:
        inq = inquiries[b.inquiry_id]
        out.append(BookingOut(
            id=b.id, inquiry_id=b.inquiry_id, client_id=b.client_id, artist_id=b.artist_id,
            artist_name=artists.get(b.artist_id, ""), client_org=clients.get(b.client_id, ""), status=b.status,
            status_label=STATUS_LABELS[b.status], start_at=b.start_at, end_at=b.end_at, event_type=inq.event_type,
            city=inq.city, venue_address=inq.venue_address, fee_amount=b.fee_amount,
            deposit_amount=b.deposit_amount, balance_amount=b.balance_amount, paid_amount=b.paid_amount,
            refunded_amount=b.refunded_amount, commission_amount=b.commission_amount,
            payout_amount=b.payout_amount, quote=b.quote, deadline_at=b.deadline_at,
            balance_due_at=b.balance_due_at, needs_operator=b.needs_operator, reason=b.reason,
            response_minutes=_response_minutes(session, b),
            allowed_actions=allowed_actions(b.status, role, show_started=b.start_at <= utc_now()),
            created_at=b.created_at))
    return out


def booking_detail(session: Session, booking: Booking, role: str) -> BookingDetail:
    view = booking_views(session, [booking], role)[0]
    inq = session.get(Inquiry, booking.inquiry_id)
    assert inq is not None
    events = session.scalars(select(BookingEvent).where(BookingEvent.booking_id == booking.id)
                             .order_by(BookingEvent.step)).all()
    conflicts = []
    if role in ("artist", "operator") and booking.status == "REQUESTED":
        conflicts = [ConflictOut(start=c.start, end=c.end, status=c.status, label=c.status_label)
                     for c in calendar.conflicts(session, booking.artist_id, booking.start_at, booking.end_at,
                                                 exclude_booking_id=booking.id)]
    return BookingDetail(
        **view.model_dump(), conflicts=conflicts,
        events=[EventOut(step=e.step, action=e.action, actor_role=e.actor_role, from_status=e.from_status,
                         to_status=e.to_status, data=e.data, created_at=e.created_at) for e in events],
        requirements=inq.requirements, audience_size=inq.audience_size, budget_amount=inq.budget_amount,
        contact_name=inq.contact_name, contact_phone=inq.contact_phone)


def list_bookings(session: Session, *, client_id: int | None = None, artist_id: int | None = None,
                  status: str | None = None, inquiry_id: int | None = None, needs_operator: bool | None = None,
                  start_from=None, start_to=None, page: int = 1, page_size: int = 20):
    q = select(Booking)
    if client_id is not None:
        q = q.where(Booking.client_id == client_id)
    if artist_id is not None:
        q = q.where(Booking.artist_id == artist_id)
    if status:
        q = q.where(Booking.status == status)
    if inquiry_id:
        q = q.where(Booking.inquiry_id == inquiry_id)
    if needs_operator:
        q = q.where(or_(Booking.needs_operator.is_not(None), Booking.status == "DISPUTED"))
    if start_from:
        q = q.where(Booking.start_at >= start_from)
    if start_to:
        q = q.where(Booking.start_at < start_to)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = list(session.scalars(q.order_by(Booking.start_at, Booking.id).offset((page - 1) * page_size)
                                .limit(page_size)))
    return rows, total


# --- notification centre


def notifications(session: Session, user_id: int, *, unread_only: bool, page: int = 1,
                  page_size: int = 20) -> NotificationPage:
    """One page of the user's notifications, newest first; `unread` counts all unread, whatever the page."""
    where = [Notification.user_id == user_id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
    rows = session.scalars(select(Notification).where(*where)
                           .order_by(Notification.created_at.desc(), Notification.id.desc())
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return NotificationPage(
        items=[NotificationOut(id=n.id, booking_id=n.booking_id, title=n.title, body=n.body, created_at=n.created_at,
                               read=n.read_at is not None) for n in rows],
        total=total, page=page, page_size=page_size, unread=unread_count(session, user_id))


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).where(Notification.user_id == user_id,
                                                      Notification.read_at.is_(None))) or 0


def mark_one_read(session: Session, user_id: int, notification_id: int) -> None:
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user_id:
        raise NotFound("通知不存在")
    note.read_at = note.read_at or utc_now()


def mark_all_read(session: Session, user_id: int) -> None:
    session.execute(update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
                    .values(read_at=utc_now()))
