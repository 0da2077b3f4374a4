"""Inquiries and the booking projection: creation, lists, detail with allowed actions, notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from domain.accounts import rules, users
from domain.artists.onboarding import is_listed
from domain.artists.service import completed_shows, image_url
from domain.bookings.messages import DEFAULT_TIERS, BookingInput
from domain.bookings.money import cancel_compensation, split_fee
from domain.bookings.schemas import (
    BookingDetail,
    BookingOut,
    CancelPreviewOut,
    ConflictOut,
    ContractOut,
    DisputeOut,
    EventOut,
    InquiryIn,
    InquiryOut,
    PaymentOut,
    QuoteOut,
    RefundOut,
    TierOut,
)
from domain.bookings.states import (
    ACTOR_LABELS,
    DEADLINE_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    STATUS_STAGES,
    Refusal,
    allowed_actions,
    event_label,
    refusal,
    statuses_in,
)
from domain.calendar import service as calendar
from domain.enums import BLOCKING_STATUSES
from domain.errors import AppError, Conflict, NotFound, PermissionDenied
from domain.ledger.views import booking_settlement
from domain.models import (
    ArtistProfile,
    Booking,
    BookingEvent,
    CalendarSlot,
    ClientProfile,
    Contract,
    Dispute,
    Inquiry,
    PaymentOrder,
    Refund,
    Review,
    Upload,
    User,
)
from domain.payments.service import KIND_LABELS
from domain.reviews.service import artist_ratings
from domain.time import utc_now
from domain.uploads.service import DOWNLOAD_TTL
from storage.base import ObjectStorage


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


def _refusal(booking: Booking, action: str, role: str) -> Refusal | None:
    return refusal(booking.status, action, role, show_started=booking.start_at <= utc_now())


def allows(booking: Booking, action: str, role: str) -> bool:
    return _refusal(booking, action, role) is None


def check_action(booking: Booking, action: str, role: str) -> None:
    """The transition table's answer before anything is stored or sent; the workflow's validator asks the same
    and stays the judge when the state moved in between."""
    refused = _refusal(booking, action, role)
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
        if not is_listed(artists[artist_id]):  # 入驻审核 not passed yet: not public, so not bookable
            raise BookingRefused(f"艺人（ID {artist_id}）不存在", code="artist_not_found", status=404)
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


SETTLEMENT_WINDOW_RULE = "booking.settlement_dispute_window_hours"
SETTLEMENT_AUTO_APPROVE_RULE = "booking.settlement_auto_approve_days"


def workflow_input(session: Session, booking: Booking) -> BookingInput:
    hours = {k: int(rules.get_rule(session, f"booking.{k}")) for k in
             ("response_hours", "contract_hours", "deposit_hours", "auto_confirm_hours")}
    return BookingInput(booking_id=booking.id, inquiry_id=booking.inquiry_id, client_id=booking.client_id,
                        artist_id=booking.artist_id, start_at=booking.start_at.isoformat(),
                        end_at=booking.end_at.isoformat(), commission_rate_bp=booking.commission_rate_bp,
                        settlement_window_hours=int(rules.get_rule(session, SETTLEMENT_WINDOW_RULE)),
                        settlement_auto_approve_days=int(rules.get_rule(session, SETTLEMENT_AUTO_APPROVE_RULE)),
                        **hours)


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


def inquiry_view(session: Session, inquiry: Inquiry, storage: ObjectStorage) -> InquiryOut:
    """The inquiry with each artist's booking side by side (an inquiry invites at most 10 artists)."""
    rows, _ = list_bookings(session, inquiry_id=inquiry.id, page_size=10)
    return InquiryOut(id=inquiry.id, event_type=inquiry.event_type, start_at=inquiry.start_at, end_at=inquiry.end_at,
                      city=inquiry.city, bookings=booking_views(session, rows, "client", storage))


def get_booking(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("预约不存在")
    return booking


def _clients_and_inquiries(session: Session, bookings: list[Booking]) -> tuple[dict[int, str], dict[int, Inquiry]]:
    clients = dict(session.execute(select(ClientProfile.user_id, ClientProfile.org_name)
                                   .where(ClientProfile.user_id.in_({b.client_id for b in bookings}))).all())
    inquiries = {i.id: i for i in session.scalars(select(Inquiry).where(
        Inquiry.id.in_({b.inquiry_id for b in bookings})))}
    return clients, inquiries


@dataclass
class _ArtistFacts:
    name: str = ""
    avatar_url: str | None = None
    rating: float | None = None
    review_count: int = 0
    completed_shows: int = 0
    verified: bool = False


def _artist_facts(session: Session, storage: ObjectStorage, artist_ids: set[int]) -> dict[int, _ArtistFacts]:
    """Name, avatar, rating and track record of the artists on a page of bookings: a fixed number of queries (the
    name and the avatar's upload come with the profile: one read)."""
    rows = session.execute(select(ArtistProfile.user_id, ArtistProfile.stage_name, Upload.object_key,
                                  Upload.content_type, User.verification_status)
                           .join(User, User.id == ArtistProfile.user_id)
                           .outerjoin(Upload, Upload.id == ArtistProfile.avatar_upload_id)
                           .where(ArtistProfile.user_id.in_(artist_ids))).all()
    ratings = artist_ratings(session, list(artist_ids))
    shows = completed_shows(session, list(artist_ids))  # the same count the artist's card shows
    facts = {}
    for artist_id, name, avatar_key, avatar_type, verification in rows:
        rating = ratings.get(artist_id)
        facts[artist_id] = _ArtistFacts(name, image_url(storage, avatar_key, avatar_type),
                                        rating[0] if rating else None, rating[1] if rating else 0,
                                        shows.get(artist_id, 0), verification == "verified")
    return facts


def _response_minutes(session: Session, bookings: list[Booking]) -> dict[int, int]:
    """Minutes from the request to the artist's answer (quote or refusal), by booking id: one grouped query."""
    answered = dict(session.execute(
        select(BookingEvent.booking_id, func.min(BookingEvent.created_at))
        .where(BookingEvent.booking_id.in_({b.id for b in bookings}), BookingEvent.action.in_(["confirm", "reject"]),
               BookingEvent.from_status == "REQUESTED")
        .group_by(BookingEvent.booking_id)).all())
    return {b.id: int((answered[b.id] - b.created_at).total_seconds() // 60) for b in bookings if b.id in answered}


def _deadlines(session: Session, bookings: list[Booking]) -> dict[int, tuple[datetime | None, str | None]]:
    """(deadline_at, what it is for) by booking id. A PERFORMED booking's deadline is the workflow's automatic
    acceptance: `booking.auto_confirm_hours` after the show was marked performed (not stored on the row)."""
    performed = [b.id for b in bookings if b.status == "PERFORMED"]
    marked = dict(session.execute(
        select(BookingEvent.booking_id, func.max(BookingEvent.created_at))
        .where(BookingEvent.booking_id.in_(performed), BookingEvent.action == "performed")
        .group_by(BookingEvent.booking_id)).all()) if performed else {}
    hours = timedelta(hours=int(rules.get_rule(session, "booking.auto_confirm_hours"))) if marked else timedelta()
    out: dict[int, tuple[datetime | None, str | None]] = {}
    for b in bookings:
        at = marked[b.id] + hours if b.id in marked else None if b.status == "PERFORMED" else b.deadline_at
        out[b.id] = (at, DEADLINE_LABELS.get(b.status) if at else None)
    return out


def _conflicted(session: Session, bookings: list[Booking]) -> set[int]:
    """Requests whose time is taken on the artist's calendar (the test `calendar.conflicts` makes for the detail's
    list, for many bookings in one query)."""
    ids = {b.id for b in bookings if b.status == "REQUESTED"}
    if not ids:
        return set()
    return set(session.scalars(
        select(Booking.id).distinct().join(CalendarSlot, and_(
            CalendarSlot.artist_id == Booking.artist_id,
            CalendarSlot.period.overlaps(func.tstzrange(Booking.start_at, Booking.end_at, "[)")),
            CalendarSlot.status.in_(BLOCKING_STATUSES),
            CalendarSlot.booking_id.is_distinct_from(Booking.id)))
        .where(Booking.id.in_(ids))))


def _quote_out(b: Booking) -> QuoteOut | None:
    """The stored quote JSON, typed; rows written before a field existed read with the workflow's defaults."""
    q = b.quote
    if not q:
        return None
    fee, percent = int(q.get("fee_amount") or 0), int(q.get("deposit_percent") or 0)
    deposit, balance = split_fee(fee, percent)
    tiers = q.get("cancellation_tiers")
    return QuoteOut(
        fee_amount=fee, deposit_percent=percent,
        deposit_amount=b.deposit_amount if b.deposit_amount is not None else deposit,
        balance_amount=b.balance_amount if b.balance_amount is not None else balance,
        balance_due_days=int(q.get("balance_due_days") or 0),
        cancellation_tiers=[TierOut(days_before=int(t["days_before"]), refund_percent=int(t["refund_percent"]))
                            for t in tiers] if tiers is not None else
        [TierOut(days_before=t.days_before, refund_percent=t.refund_percent) for t in DEFAULT_TIERS],
        rider=[str(r) for r in q.get("rider") or ()], note=str(q.get("note") or ""))


def booking_views(session: Session, bookings: list[Booking], role: str,
                  storage: ObjectStorage) -> list[BookingOut]:
    """List items as `role` sees them. A fixed number of queries however many bookings (artist avatars need
    `storage` for their signed links)."""
    if not bookings:
        return []
    clients, inquiries = _clients_and_inquiries(session, bookings)
    facts = _artist_facts(session, storage, {b.artist_id for b in bookings})
    answered = _response_minutes(session, bookings)
    deadlines = _deadlines(session, bookings)
    conflicted = _conflicted(session, bookings) if role in ("artist", "operator") else set()
    reviews = dict(session.execute(select(Review.booking_id, Review.id).where(
        Review.booking_id.in_({b.id for b in bookings}))).all())
    now = utc_now()
    out = []
    for b in bookings:
        inq, artist = inquiries[b.inquiry_id], facts.get(b.artist_id, _ArtistFacts())
        stage = STATUS_STAGES[b.status]
        review_id = reviews.get(b.id)
        out.append(BookingOut(
            id=b.id, inquiry_id=b.inquiry_id, client_id=b.client_id, artist_id=b.artist_id,
            artist_name=artist.name, artist_avatar_url=artist.avatar_url,
            artist_rating=artist.rating, artist_review_count=artist.review_count,
            artist_completed_shows=artist.completed_shows, artist_verified=artist.verified,
            client_org=clients.get(b.client_id, ""), status=b.status, status_label=STATUS_LABELS[b.status],
            stage=stage, stage_label=STAGE_LABELS[stage], start_at=b.start_at, end_at=b.end_at,
            event_type=inq.event_type, city=inq.city, venue_address=inq.venue_address, fee_amount=b.fee_amount,
            deposit_amount=b.deposit_amount, balance_amount=b.balance_amount, paid_amount=b.paid_amount,
            refunded_amount=b.refunded_amount, commission_amount=b.commission_amount,
            payout_amount=b.payout_amount, quote=_quote_out(b), deadline_at=deadlines[b.id][0],
            deadline_label=deadlines[b.id][1],
            balance_due_at=b.balance_due_at, needs_operator=b.needs_operator, reason=b.reason,
            response_minutes=answered.get(b.id), has_conflict=b.id in conflicted, review_id=review_id,
            # The rule create_review enforces: the booking's own client, once COMPLETED, one review.
            can_review=role == "client" and b.status == "COMPLETED" and review_id is None,
            allowed_actions=allowed_actions(b.status, role, show_started=b.start_at <= now),
            created_at=b.created_at))
    return out


def booking_detail(session: Session, booking: Booking, role: str,
                   storage: ObjectStorage) -> BookingDetail:
    view = booking_views(session, [booking], role, storage)[0]
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
        events=[EventOut(step=e.step, action=e.action, title=event_label(e.action, e.to_status),
                         actor_role=e.actor_role, actor_label=ACTOR_LABELS.get(e.actor_role, e.actor_role),
                         from_status=e.from_status,
                         from_stage=STATUS_STAGES.get(e.from_status) if e.from_status else None,
                         to_status=e.to_status, to_status_label=STATUS_LABELS.get(e.to_status, e.to_status),
                         data=e.data, created_at=e.created_at) for e in events],
        requirements=inq.requirements, audience_size=inq.audience_size, budget_amount=inq.budget_amount,
        contact_name=inq.contact_name, contact_phone=inq.contact_phone,
        contract=_contract_out(session, storage, booking.id),
        cancel_preview=cancel_preview(booking, role, view.quote) if "cancel" in view.allowed_actions else None,
        payments=_payments(session, booking.id), refunds=_refunds(session, booking.id),
        dispute=_dispute_out(session, storage, booking),
        settlement=booking_settlement(session, booking.id, role))


def _signed(storage: ObjectStorage, key: str | None) -> str | None:
    return storage.download_url(key, expires=DOWNLOAD_TTL) if key else None


def _contract_out(session: Session, storage: ObjectStorage, booking_id: int) -> ContractOut | None:
    c = session.get(Contract, booking_id)
    if c is None:
        return None
    return ContractOut(terms=c.terms, terms_sha256=c.terms_sha256, sent_at=c.sent_at,
                       client_signed_at=c.client_signed_at,
                       client_signature_url=_signed(storage, c.client_signature_key),
                       artist_signed_at=c.artist_signed_at,
                       artist_signature_url=_signed(storage, c.artist_signature_key))


def cancel_preview(booking: Booking, role: str, quote: QuoteOut | None) -> CancelPreviewOut:
    """What cancelling now would refund: the workflow's own rule (`money.cancel_compensation`) on the booking's
    projection (paid, refunded, deposit, the contract's tiers)."""
    paid, refunded = booking.paid_amount, booking.refunded_amount
    comp = cancel_compensation(role, quote.cancellation_tiers if quote else [], booking.start_at, utc_now(),
                               paid_amount=paid, deposit_amount=booking.deposit_amount or 0,
                               refunded_amount=refunded)
    days = int(comp.days_left)
    when = f"距演出 {days} 天" if days >= 1 else "距演出不足 1 天"
    if paid == 0:
        rule = "尚未付款，取消不产生退款"
    elif role == "client":
        rule = f"{when}，按合同退还定金的 {comp.refund_percent}%"
        if comp.balance_paid:
            rule += "，已付尾款全额退还"
    elif role == "artist":
        rule = "艺人取消：需求方已付款项全额退还，并记录一次艺人违约"
    else:
        rule = "平台取消：默认退还全部未退款项"
    return CancelPreviewOut(paid_amount=paid, refund_amount=comp.refund_amount,
                            kept_amount=max(paid - refunded - comp.refund_amount, 0), rule=rule)


PAYMENT_STATUS_LABELS = {"created": "待支付", "paid": "已支付", "closed": "已关闭"}
REFUND_STATUS_LABELS = {"pending": "退款中", "processing": "退款已受理，等待到账", "failing": "退款处理中",
                        "succeeded": "已退款"}
RESOLUTION_LABELS = {"full_refund": "全额退款", "partial_refund": "部分退款", "release": "继续履约"}


def _refund_reason(step: str) -> str:
    if step == "refund-cancel":
        return "取消预约退款"
    if step.startswith("refund-dispute"):
        return "纠纷处理退款"
    return "多余款项退还"  # a payment the booking no longer expected (refund-<order id>)


def _payments(session: Session, booking_id: int) -> list[PaymentOut]:
    rows = session.scalars(select(PaymentOrder).where(PaymentOrder.booking_id == booking_id)
                           .order_by(PaymentOrder.created_at, PaymentOrder.id)).all()
    return [PaymentOut(id=o.id, kind=o.kind, kind_label=KIND_LABELS.get(o.kind, o.kind), amount=o.amount,
                       status=o.status, status_label=PAYMENT_STATUS_LABELS.get(o.status, o.status),
                       created_at=o.created_at, paid_at=o.paid_at) for o in rows]


def _refunds(session: Session, booking_id: int) -> list[RefundOut]:
    rows = session.scalars(select(Refund).where(Refund.booking_id == booking_id).order_by(Refund.id)).all()
    return [RefundOut(amount=r.amount, status=r.status, status_label=REFUND_STATUS_LABELS.get(r.status, r.status),
                      reason=_refund_reason(r.step), created_at=r.created_at, refunded_at=r.succeeded_at)
            for r in rows]


def _dispute_out(session: Session, storage: ObjectStorage, booking: Booking) -> DisputeOut | None:
    d = session.scalar(select(Dispute).where(Dispute.booking_id == booking.id).order_by(Dispute.id.desc()).limit(1))
    if d is None:
        return None
    # Evidence entries are the parties' upload ids; anything else (older free text) is not a link and is left out.
    ids = list(d.evidence or ())
    keys = dict(session.execute(select(Upload.id, Upload.object_key).where(
        Upload.id.in_(ids), Upload.user_id.in_((booking.client_id, booking.artist_id)))).all()) \
        if ids else {}
    return DisputeOut(reason=d.reason, opened_by_role=d.opened_by_role,
                      evidence_urls=[url for e in ids if (url := _signed(storage, keys.get(e)))],
                      created_at=d.created_at, resolution=d.resolution,
                      resolution_label=RESOLUTION_LABELS.get(d.resolution) if d.resolution else None,
                      refund_amount=d.refund_amount, resolution_reason=d.resolution_reason,
                      resolved_at=d.resolved_at)


def list_bookings(session: Session, *, client_id: int | None = None, artist_id: int | None = None,
                  status: str | None = None, stage: str | None = None, inquiry_id: int | None = None,
                  needs_operator: bool | None = None, start_from=None, start_to=None, page: int = 1,
                  page_size: int = 20):
    q = select(Booking)
    if client_id is not None:
        q = q.where(Booking.client_id == client_id)
    if artist_id is not None:
        q = q.where(Booking.artist_id == artist_id)
    if status:
        q = q.where(Booking.status == status)
    if stage:
        q = q.where(Booking.status.in_(statuses_in(stage)))
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
