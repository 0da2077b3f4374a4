"""Verified reviews: a completed booking's client rates it once (effect, attitude, punctuality, 1-5), the artist
replies once (editable), operators hide reviews that break the rules. Ratings count visible reviews only.

Services only flush; the request commits. A change that affects an artist's rating marks the artist for the search
index (`domain.artists.changes`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Numeric, cast, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.artists.changes import artist_changed
from domain.artists.onboarding import listed_artist
from domain.errors import AppError, Conflict, NotFound
from domain.models import ArtistProfile, Booking, ClientProfile, Review, Upload, User
from domain.notifications.kinds import Kind
from domain.notifications.service import notify
from domain.reviews.schemas import RatingSummary, ReviewDetail, ReviewIn, ReviewOut
from domain.time import utc_now
from storage.base import ObjectStorage

STATUS_LABELS = {"visible": "展示中", "hidden": "已隐藏"}
PHOTO_PURPOSE = "case_image"
# Signed photo links live long enough to browse a page of reviews.
PHOTO_URL_TTL = timedelta(hours=1)


class BookingNotCompleted(AppError):
    status, code, message = 409, "booking_not_completed", "演出完成（订单状态为“已完成”）后才能评价"


class AlreadyReviewed(AppError):
    status, code, message = 409, "review_exists", "该预约已评价过，每个预约只能评价一次"


class ReviewNotFound(NotFound):
    code, message = "review_not_found", "评价不存在"


class InvalidReviewPhoto(AppError):
    status, code, message = 422, "review_photo_invalid", "评价照片无效：请上传本人的图片后再提交"


def mask_org(org_name: str | None) -> str:
    """星河科技有限公司 -> 星河***"""
    name = (org_name or "").strip()
    return f"{name[:2]}***" if name else "匿名用户"


def _one_decimal(value: Any) -> float | None:
    if value is None:
        return None
    return float(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _mean_score() -> Any:
    """Per review: the mean of its three scores (numeric, so averages aren't truncated)."""
    return cast(Review.effect_score + Review.attitude_score + Review.punctuality_score, Numeric) / 3


# --- aggregates (used by artist cards, the detail page and search documents)


def artist_ratings(session: Session, artist_ids: list[int]) -> dict[int, tuple[float, int]]:
    """(average rating, review count) over visible reviews, for artists that have any. One grouped query."""
    if not artist_ids:
        return {}
    rows = session.execute(
        select(Review.artist_id, func.avg(_mean_score()), func.count())
        .where(Review.artist_id.in_(set(artist_ids)), Review.status == "visible")
        .group_by(Review.artist_id))
    return {artist_id: (_one_decimal(avg) or 0.0, count) for artist_id, avg, count in rows}


def rating_summary(session: Session, artist_id: int) -> RatingSummary:
    count, avg, effect, attitude, punctuality = session.execute(
        select(func.count(), func.avg(_mean_score()), func.avg(Review.effect_score),
               func.avg(Review.attitude_score), func.avg(Review.punctuality_score))
        .where(Review.artist_id == artist_id, Review.status == "visible")).one()
    return RatingSummary(count=count, average=_one_decimal(avg), effect=_one_decimal(effect),
                         attitude=_one_decimal(attitude), punctuality=_one_decimal(punctuality))


def recent_reviews(session: Session, storage: ObjectStorage, artist_id: int, limit: int = 5) -> list[ReviewOut]:
    rows = session.scalars(_public_query(artist_id).limit(limit)).all()
    return public_views(session, storage, rows)


# --- views


def _orgs(session: Session, reviews: Sequence[Review]) -> dict[int, str]:
    return dict(session.execute(select(ClientProfile.user_id, ClientProfile.org_name).where(
        ClientProfile.user_id.in_({r.client_id for r in reviews}))).tuples().all())


def _photo_urls(session: Session, storage: ObjectStorage, reviews: Sequence[Review]) -> dict[int, list[str]]:
    ids = {u for r in reviews for u in r.photo_upload_ids or ()}
    keys = dict(session.execute(select(Upload.id, Upload.object_key).where(Upload.id.in_(ids))).tuples().all()) \
        if ids else {}
    return {r.id: [storage.download_url(keys[u], expires=PHOTO_URL_TTL) for u in r.photo_upload_ids or ()
                   if u in keys] for r in reviews}


def _out(r: Review, org: str | None, urls: list[str]) -> dict[str, Any]:
    return dict(id=r.id, client_label=mask_org(org), effect_score=r.effect_score, attitude_score=r.attitude_score,
                punctuality_score=r.punctuality_score, text=r.text, photo_urls=urls, reply=r.reply,
                replied_at=r.replied_at, created_at=r.created_at)


def public_views(session: Session, storage: ObjectStorage, reviews: Sequence[Review]) -> list[ReviewOut]:
    orgs, urls = _orgs(session, reviews), _photo_urls(session, storage, reviews)
    return [ReviewOut(**_out(r, orgs.get(r.client_id), urls[r.id])) for r in reviews]


def detail_views(session: Session, storage: ObjectStorage, reviews: Sequence[Review], *,
                 viewer: str) -> list[ReviewDetail]:
    """viewer: client / artist / operator. Artists see the client's masked name only."""
    orgs, urls = _orgs(session, reviews), _photo_urls(session, storage, reviews)
    names = dict(session.execute(select(ArtistProfile.user_id, ArtistProfile.stage_name).where(
        ArtistProfile.user_id.in_({r.artist_id for r in reviews}))).tuples().all())
    return [ReviewDetail(
        **_out(r, orgs.get(r.client_id), urls[r.id]),
        booking_id=r.booking_id, artist_id=r.artist_id, artist_name=names.get(r.artist_id, ""),
        client_org=None if viewer == "artist" else orgs.get(r.client_id),
        average=_one_decimal(Decimal(r.effect_score + r.attitude_score + r.punctuality_score) / 3) or 0.0,
        photo_upload_ids=list(r.photo_upload_ids or ()), status=r.status,
        status_label=STATUS_LABELS[r.status], hidden_reason=r.hidden_reason, hidden_at=r.hidden_at,
        reply_updated_at=r.reply_updated_at,
    ) for r in reviews]


# --- reads


def _public_query(artist_id: int) -> Any:
    return (select(Review).where(Review.artist_id == artist_id, Review.status == "visible")
            .order_by(Review.created_at.desc(), Review.id.desc()))


def _page(session: Session, q: Any, page: int, page_size: int) -> tuple[list[Review], int]:
    total = session.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
    rows = list(session.scalars(q.offset((page - 1) * page_size).limit(page_size)))
    return rows, total


def public_reviews(session: Session, artist_id: int, page: int, page_size: int) -> tuple[list[Review], int]:
    """Visible reviews of a listed (not banned) artist, newest first."""
    listed = session.scalar(select(ArtistProfile.user_id).join(User, User.id == ArtistProfile.user_id)
                            .where(ArtistProfile.user_id == artist_id, User.status != "banned",
                                   listed_artist()))
    if listed is None:
        raise NotFound("艺人不存在或已下架")
    return _page(session, _public_query(artist_id), page, page_size)


def list_reviews(session: Session, *, client_id: int | None = None, artist_id: int | None = None,
                 status: str | None = None, page: int = 1, page_size: int = 20) -> tuple[list[Review], int]:
    q = select(Review)
    if client_id is not None:
        q = q.where(Review.client_id == client_id)
    if artist_id is not None:
        q = q.where(Review.artist_id == artist_id)
    if status:
        q = q.where(Review.status == status)
    return _page(session, q.order_by(Review.created_at.desc(), Review.id.desc()), page, page_size)


def booking_review(session: Session, booking_id: int, user_id: int, acting_role: str | None) -> Review:
    """The review of a booking, for its client or its artist (anyone else: not found)."""
    booking = session.get(Booking, booking_id)
    if booking is None or not ((acting_role == "client" and booking.client_id == user_id)
                               or (acting_role == "artist" and booking.artist_id == user_id)):
        raise NotFound("预约不存在")
    review = session.scalar(select(Review).where(Review.booking_id == booking_id))
    if review is None:
        raise ReviewNotFound("该预约还没有评价")
    return review


# --- writes


def create_review(session: Session, client_id: int, booking_id: int, data: ReviewIn) -> Review:
    """One review per booking, by its client, once the booking is COMPLETED. Notifies the artist in-app."""
    # The booking row is locked, so two quick submissions can't both pass the "already reviewed" check.
    booking = session.scalar(select(Booking).where(Booking.id == booking_id).with_for_update())
    if booking is None or booking.client_id != client_id:
        raise NotFound("预约不存在")
    if booking.status != "COMPLETED":
        raise BookingNotCompleted()
    if session.scalar(select(Review.id).where(Review.booking_id == booking_id)) is not None:
        raise AlreadyReviewed()
    if data.photo_upload_ids:
        owned = set(session.scalars(select(Upload.id).where(
            Upload.id.in_(data.photo_upload_ids), Upload.user_id == client_id, Upload.purpose == PHOTO_PURPOSE)))
        if owned != set(data.photo_upload_ids):
            raise InvalidReviewPhoto()
    review = Review(booking_id=booking_id, client_id=client_id, artist_id=booking.artist_id,
                    effect_score=data.effect_score, attitude_score=data.attitude_score,
                    punctuality_score=data.punctuality_score, text=data.text,
                    photo_upload_ids=list(data.photo_upload_ids), status="visible")
    session.add(review)
    try:
        session.flush()
    except IntegrityError as exc:  # the unique booking_id: reviewed in a parallel request
        raise AlreadyReviewed() from exc
    artist_changed(session, booking.artist_id)
    org = session.scalar(select(ClientProfile.org_name).where(ClientProfile.user_id == client_id))
    mean = _one_decimal(Decimal(data.effect_score + data.attitude_score + data.punctuality_score) / 3)
    notify(session, booking.artist_id, Kind.REVIEW, "收到新评价",
           f"{mask_org(org)}评价了您的演出（综合{mean}分），去看看并回复吧。", booking_id=booking_id,
           step=f"review:{review.id}")
    return review


def _locked_review(session: Session, review_id: int) -> Review:
    review = session.scalar(select(Review).where(Review.id == review_id).with_for_update())
    if review is None:
        raise ReviewNotFound()
    return review


def reply(session: Session, artist_id: int, review_id: int, text: str) -> Review:
    """The reviewed artist's one reply: the first call writes it, later calls edit it."""
    review = _locked_review(session, review_id)
    if review.artist_id != artist_id:
        raise ReviewNotFound()
    now = utc_now()
    first = review.replied_at is None
    review.reply = text
    if first:
        review.replied_at = now
    else:
        review.reply_updated_at = now
    session.flush()
    if first:
        notify(session, review.client_id, Kind.REVIEW, "艺人回复了您的评价", "艺人回复了您的评价，去看看吧。",
               booking_id=review.booking_id, step=f"review_reply:{review.id}")
    return review


def hide(session: Session, operator_id: int, review_id: int, reason: str) -> Review:
    """Hide a review that breaks the rules (hiding again updates the reason)."""
    review = _locked_review(session, review_id)
    review.status, review.hidden_reason = "hidden", reason
    review.hidden_by, review.hidden_at = operator_id, utc_now()
    session.flush()
    artist_changed(session, review.artist_id)
    return review


def unhide(session: Session, review_id: int) -> Review:
    review = _locked_review(session, review_id)
    if review.status != "hidden":
        raise Conflict("该评价未被隐藏")
    review.status = "visible"
    review.hidden_reason, review.hidden_by, review.hidden_at = None, None, None
    session.flush()
    artist_changed(session, review.artist_id)
    return review
