"""Favorites and demand posts. Services only flush; the request commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.accounts import users
from domain.artists.changes import artist_changed
from domain.artists.onboarding import listed_artist
from domain.artists.schemas import ArtistCard
from domain.artists.service import cards_for
from domain.bookings import service as bookings
from domain.bookings.schemas import InquiryIn
from domain.discovery.schemas import DemandAnswerOut, DemandIn, DemandOut
from domain.enums import ARTIST_TYPE_LABELS
from domain.errors import AppError, Conflict, NotFound
from domain.models import (
    ArtistProfile,
    Booking,
    ClientProfile,
    Demand,
    DemandResponse,
    FavoriteArtist,
    FavoriteDemand,
    User,
)
from domain.notifications.service import review_result
from domain.privacy import mask_contacts
from domain.time import utc_now
from integrations.wechat.security import ContentSecurity, Scene, Suggest, screen_text
from storage.base import ObjectStorage

STATUS_LABELS = {"open": "征集中", "closed": "已关闭"}
MODERATION_LABELS = {"pending": "审核中", "approved": "已通过", "rejected": "未通过"}


class DemandNotOpen(AppError):
    status, code, message = 409, "demand_not_open", "该需求已关闭或未通过审核，不能报价"


class AlreadyResponded(AppError):
    status, code, message = 409, "demand_already_responded", "您已对该需求报过价"


# --- favorites


def favorite_artist(session: Session, client_id: int, artist_id: int) -> None:
    exists = session.scalar(select(ArtistProfile.user_id).join(User, User.id == ArtistProfile.user_id)
                            .where(ArtistProfile.user_id == artist_id, User.status != "banned", listed_artist()))
    if exists is None:
        raise NotFound("艺人不存在或已下架")
    session.execute(insert(FavoriteArtist).values(client_id=client_id, artist_id=artist_id)
                    .on_conflict_do_nothing())
    artist_changed(session, artist_id)  # favorites count towards popularity


def unfavorite_artist(session: Session, client_id: int, artist_id: int) -> None:
    session.execute(delete(FavoriteArtist).where(FavoriteArtist.client_id == client_id,
                                                 FavoriteArtist.artist_id == artist_id))
    artist_changed(session, artist_id)


def favorite_artists(session: Session, storage: ObjectStorage, client_id: int, page: int,
                     page_size: int) -> tuple[list[ArtistCard], int]:
    q = (select(FavoriteArtist.artist_id).join(User, User.id == FavoriteArtist.artist_id)
         .join(ArtistProfile, ArtistProfile.user_id == FavoriteArtist.artist_id)
         .where(FavoriteArtist.client_id == client_id, User.status != "banned", listed_artist()))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    ids = list(session.scalars(q.order_by(FavoriteArtist.created_at.desc(), FavoriteArtist.artist_id.desc())
                               .offset((page - 1) * page_size).limit(page_size)))
    return cards_for(session, storage, ids), total


def _visible_demand(session: Session, demand_id: int) -> Demand:
    demand = session.get(Demand, demand_id)
    if demand is None or demand.moderation_status != "approved":
        raise NotFound("需求不存在或已下架")
    return demand


def favorite_demand(session: Session, artist_id: int, demand_id: int) -> None:
    _visible_demand(session, demand_id)
    session.execute(insert(FavoriteDemand).values(artist_id=artist_id, demand_id=demand_id)
                    .on_conflict_do_nothing())


def unfavorite_demand(session: Session, artist_id: int, demand_id: int) -> None:
    session.execute(delete(FavoriteDemand).where(FavoriteDemand.artist_id == artist_id,
                                                 FavoriteDemand.demand_id == demand_id))


def favorite_demands(session: Session, artist_id: int, page: int, page_size: int) -> tuple[list[DemandOut], int]:
    q = (select(Demand).join(FavoriteDemand, FavoriteDemand.demand_id == Demand.id)
         .where(FavoriteDemand.artist_id == artist_id, Demand.moderation_status == "approved"))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = list(session.scalars(q.order_by(FavoriteDemand.created_at.desc(), Demand.id.desc())
                                .offset((page - 1) * page_size).limit(page_size)))
    return demand_views(session, rows, viewer="artist", artist_id=artist_id), total


# --- demand posts


def create_demand(session: Session, client: User, data: DemandIn, checker: ContentSecurity) -> Demand:
    # A demand only leads anywhere through a booking, so the booking rule (实名认证, not banned) applies here.
    bookings.check_may_book(session, client)
    if data.start_at <= utc_now():
        raise AppError("演出时间不能早于当前时间", code="start_in_past", status=422)
    demand = Demand(client_id=client.id, event_type=data.event_type, start_at=data.start_at, end_at=data.end_at,
                    city=data.city, venue_address=data.venue_address, audience_size=data.audience_size,
                    budget_min_amount=data.budget_min_amount, budget_max_amount=data.budget_max_amount,
                    artist_types=[t.value for t in data.artist_types], description=data.description)
    # Content security: an obviously risky post is turned down at once; everything else waits for an operator.
    verdict = screen_text(checker, "\n".join(p for p in (data.event_type, data.venue_address, data.description) if p),
                          openid=client.wechat_openid, scene=Scene.FORUM)
    if verdict.suggest is Suggest.RISKY:
        demand.moderation_status, demand.review_reason = "rejected", verdict.rejection_reason("需求内容")
        demand.reviewed_at = utc_now()
    session.add(demand)
    session.flush()
    return demand


def get_own_demand(session: Session, client_id: int, demand_id: int) -> Demand:
    demand = session.get(Demand, demand_id)
    if demand is None or demand.client_id != client_id:
        raise NotFound("需求不存在")
    return demand


def demand_answers(session: Session, storage: ObjectStorage, client_id: int, demand_id: int) -> list[DemandAnswerOut]:
    """The owner's view of the artists who quoted on a demand, newest first, each with its booking."""
    get_own_demand(session, client_id, demand_id)
    rows = session.execute(select(DemandResponse, Booking).join(Booking, Booking.id == DemandResponse.booking_id)
                           .where(DemandResponse.demand_id == demand_id)
                           .order_by(DemandResponse.created_at.desc(), DemandResponse.id.desc())).all()
    views = bookings.booking_views(session, [b for _, b in rows], "client", storage)
    return [DemandAnswerOut(artist_id=r.artist_id, message=r.message, created_at=r.created_at, booking=v)
            for (r, _), v in zip(rows, views, strict=True)]


def close_demand(session: Session, client_id: int, demand_id: int) -> Demand:
    demand = get_own_demand(session, client_id, demand_id)
    if demand.status != "closed":
        demand.status, demand.closed_at = "closed", utc_now()
        session.flush()
    return demand


def review_demand(session: Session, operator_id: int, demand_id: int, status: str, reason: str) -> Demand:
    demand = session.get(Demand, demand_id)
    if demand is None:
        raise NotFound("需求不存在")
    demand.moderation_status = status
    demand.review_reason = reason or None
    demand.reviewed_by, demand.reviewed_at = operator_id, utc_now()
    session.flush()
    if status in ("approved", "rejected"):
        review_result(session, demand.client_id, "需求", f"{demand.city}的演出需求", status == "approved", reason,
                      f"demand:{demand.id}", demand.reviewed_at)
    return demand


def list_demands(session: Session, *, client_id: int | None = None, listed_only: bool = False,
                 moderation_status: str | None = None, artist_type: str | None = None, city: str | None = None,
                 day_from: datetime | None = None, day_to: datetime | None = None,
                 page: int = 1, page_size: int = 20) -> tuple[list[Demand], int]:
    q = select(Demand)
    if client_id is not None:
        q = q.where(Demand.client_id == client_id)
    if listed_only:  # what artists see: approved, open and still ahead
        q = q.where(Demand.moderation_status == "approved", Demand.status == "open", Demand.start_at > utc_now())
    if moderation_status:
        q = q.where(Demand.moderation_status == moderation_status)
    if artist_type:
        q = q.where(Demand.artist_types.contains([artist_type]))
    if city:
        q = q.where(Demand.city == city)
    if day_from is not None and day_to is not None:  # the event overlaps that day
        q = q.where(Demand.start_at < day_to, Demand.end_at > day_from)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    order = (Demand.created_at.desc(), Demand.id.desc()) if client_id is not None or moderation_status \
        else (Demand.start_at, Demand.id)
    rows = list(session.scalars(q.order_by(*order).offset((page - 1) * page_size).limit(page_size)))
    return rows, total


def demand_views(session: Session, demands: list[Demand], *, viewer: str,
                 artist_id: int | None = None) -> list[DemandOut]:
    """viewer: owner / artist / operator. Artists never see rejection reasons, and phones are masked for them."""
    ids = [d.id for d in demands]
    orgs = dict(session.execute(select(ClientProfile.user_id, ClientProfile.org_name)
                                .where(ClientProfile.user_id.in_({d.client_id for d in demands}))).all())
    counts = dict(session.execute(select(DemandResponse.demand_id, func.count()).where(
        DemandResponse.demand_id.in_(ids)).group_by(DemandResponse.demand_id)).all())
    responded: set[int] = set()
    favorited: set[int] = set()
    if artist_id is not None:
        responded = set(session.scalars(select(DemandResponse.demand_id).where(
            DemandResponse.artist_id == artist_id, DemandResponse.demand_id.in_(ids))))
        favorited = set(session.scalars(select(FavoriteDemand.demand_id).where(
            FavoriteDemand.artist_id == artist_id, FavoriteDemand.demand_id.in_(ids))))
    artist_view = viewer == "artist"
    return [DemandOut(
        id=d.id, client_org=orgs.get(d.client_id, ""), event_type=d.event_type, start_at=d.start_at,
        end_at=d.end_at, city=d.city, venue_address=d.venue_address, audience_size=d.audience_size,
        budget_min_amount=d.budget_min_amount, budget_max_amount=d.budget_max_amount, currency=d.currency,
        artist_types=d.artist_types, artist_type_labels=[ARTIST_TYPE_LABELS.get(t, t) for t in d.artist_types],
        description=mask_contacts(d.description) if artist_view else d.description, status=d.status,
        status_label=STATUS_LABELS[d.status], moderation_status=d.moderation_status,
        moderation_label=MODERATION_LABELS[d.moderation_status],
        review_reason=None if artist_view else d.review_reason, response_count=counts.get(d.id, 0),
        created_at=d.created_at, responded=d.id in responded, favorited=d.id in favorited,
    ) for d in demands]


def respond(session: Session, artist: User, demand_id: int, message: str) -> Booking:
    """Open a booking inquiry from the demand's client to this artist. The caller starts its workflow and
    sends the quote. The demand row is locked so one artist's two clicks can't both get through."""
    bookings.check_may_book(session, artist)
    demand = session.scalar(select(Demand).where(Demand.id == demand_id).with_for_update())
    if demand is None:
        raise NotFound("需求不存在或已下架")
    if demand.status != "open" or demand.moderation_status != "approved":
        raise DemandNotOpen()
    if demand.start_at <= utc_now():
        raise DemandNotOpen("该需求的演出时间已过，不能报价")
    if demand.client_id == artist.id:
        raise AppError("不能对自己发布的需求报价", code="self_booking", status=422)
    taken = session.scalar(select(DemandResponse.id).where(DemandResponse.demand_id == demand_id,
                                                           DemandResponse.artist_id == artist.id))
    if taken is not None:
        raise AlreadyResponded()
    client = users.get_user(session, demand.client_id)
    profile = session.get(ClientProfile, demand.client_id)
    if profile is None:
        raise Conflict("需求方资料不完整，暂不能报价")
    inquiry = InquiryIn.model_construct(
        artist_ids=[artist.id], event_type=demand.event_type, start_at=demand.start_at, end_at=demand.end_at,
        city=demand.city, venue_address=demand.venue_address or f"{demand.city}（具体地址待沟通）",
        audience_size=demand.audience_size or 1, requirements=demand.description,
        budget_amount=demand.budget_max_amount, contact_name=profile.contact_name,
        contact_phone=profile.contact_phone)
    _, (booking,) = bookings.create_inquiry(session, client, inquiry)
    session.add(DemandResponse(demand_id=demand_id, artist_id=artist.id, booking_id=booking.id,
                               message=message))
    session.flush()
    return booking
