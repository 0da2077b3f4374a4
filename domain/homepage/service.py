"""The mini-program home's operator-managed content: 推荐艺人, banners and 公告.

Operators pick and order recommended artists (only public ones may be added; one that stops being public stays in
the console's list, flagged, and simply drops off the home page), banners (an image stored through the upload
layer, a tap target, a publish window, an order) and announcements (a publish window, pinned first). The public
home answers only what is live now. "Public" is whatever the artist list shows: `cards_for` drops the rest, so
this module never restates the rule. Services only flush; the request commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import BinaryIO

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from domain.artists.service import cards_for, image_urls
from domain.db import xact_lock
from domain.enums import ARTIST_TYPE_LABELS
from domain.errors import AppError, Conflict, NotFound
from domain.homepage.schemas import (
    MAX_BANNERS,
    STATUS_LABELS,
    AnnouncementIn,
    AnnouncementOut,
    ArtistOption,
    BannerImageOut,
    BannerIn,
    BannerOut,
    HomeOut,
    PublicAnnouncement,
    PublicBanner,
    RecommendationOut,
    Status,
)
from domain.models import Announcement, ArtistProfile, HomeBanner, HomeRecommendation
from domain.time import utc_now
from domain.uploads.service import remove_stored, store_for_purpose
from storage.base import ObjectStorage

BANNER_MAX_BYTES = 5 * 1024 * 1024  # a 750 px wide banner is a few hundred KB; the mini-program loads it first
# The home page is cached by the client for a while; an hour covers a browsing session.
IMAGE_URL_TTL = timedelta(hours=1)
MAX_LIVE_ANNOUNCEMENTS = 10
MAX_ARTIST_OPTIONS = 20


class HomeArtistNotPublic(AppError):
    status, code, message = 422, "home_artist_not_public", "所选艺人不存在或未公开，不能推荐"


class BannerNotFound(NotFound):
    code, message = "banner_not_found", "横幅不存在或已删除"


class BannerImageMissing(AppError):
    status, code, message = 422, "banner_image_missing", "横幅图片不存在，请重新上传"


class BannerImageInUse(Conflict):
    code, message = "banner_image_in_use", "这张图片已用于另一个横幅，请重新上传"


class BannerLimit(Conflict):
    code, message = "banner_limit", f"横幅最多{MAX_BANNERS}个，请先删除不用的横幅"


class BannerOrderInvalid(AppError):
    status, code, message = 422, "banner_order_invalid", "排序需包含全部横幅，且每个只出现一次"


class AnnouncementNotFound(NotFound):
    code, message = "announcement_not_found", "公告不存在或已删除"


def status_of(enabled: bool, starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> Status:
    if not enabled:
        return "disabled"
    if starts_at is not None and now < starts_at:
        return "scheduled"
    if ends_at is not None and now >= ends_at:
        return "ended"
    return "live"


def _public_ids(session: Session, storage: ObjectStorage, artist_ids: list[int]) -> set[int]:
    return {card.id for card in cards_for(session, storage, artist_ids)} if artist_ids else set()


# --- 推荐艺人


def recommendations(session: Session, storage: ObjectStorage) -> list[RecommendationOut]:
    rows = session.execute(select(HomeRecommendation.artist_id, ArtistProfile)
                           .join(ArtistProfile, ArtistProfile.user_id == HomeRecommendation.artist_id)
                           .order_by(HomeRecommendation.position)).all()
    ids = [artist_id for artist_id, _ in rows]
    public = _public_ids(session, storage, ids)
    avatars = image_urls(session, storage, [p.avatar_upload_id for _, p in rows])
    return [RecommendationOut(artist_id=artist_id, stage_name=p.stage_name, city=p.city,
                              artist_type_labels=[ARTIST_TYPE_LABELS.get(t, t) for t in p.artist_types],
                              avatar_url=avatars.get(p.avatar_upload_id or ""), public=artist_id in public)
            for artist_id, p in rows]


def set_recommendations(session: Session, storage: ObjectStorage, operator_id: int, artist_ids: list[int]) -> None:
    """Replace the list. An artist already on it may stay while not public (the operator reorders around them);
    every artist added must be public now."""
    xact_lock(session, "home:recommendations")  # two saves at once: one list, not both merged or a key clash
    current = set(session.scalars(select(HomeRecommendation.artist_id)))
    added = [i for i in artist_ids if i not in current]
    refused = [i for i in added if i not in _public_ids(session, storage, added)]
    if refused:
        raise HomeArtistNotPublic(detail={"artist_ids": refused})
    session.execute(delete(HomeRecommendation))
    session.add_all(HomeRecommendation(artist_id=artist_id, position=n, created_by=operator_id)
                    for n, artist_id in enumerate(artist_ids))
    session.flush()


def artist_options(session: Session, storage: ObjectStorage, keyword: str | None) -> list[ArtistOption]:
    """Public artists whose stage name contains `keyword` (newest first without one), for the picker."""
    query = select(ArtistProfile.user_id).order_by(ArtistProfile.user_id.desc()).limit(MAX_ARTIST_OPTIONS * 2)
    if keyword:
        escaped = keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(ArtistProfile.stage_name.ilike(f"%{escaped}%", escape="\\"))
    cards = cards_for(session, storage, list(session.scalars(query)))[:MAX_ARTIST_OPTIONS]
    return [ArtistOption(id=c.id, stage_name=c.stage_name, city=c.city, artist_type_labels=c.artist_type_labels,
                         avatar_url=c.avatar_url) for c in cards]


# --- banners


def store_banner_image(storage: ObjectStorage, file: BinaryIO) -> BannerImageOut:
    """Validate an image by content (JPG/PNG/WebP, at most 5 MB) and keep it privately under `banners/`; the
    banner that uses it is saved next."""
    stored = store_for_purpose(storage, file, "case_image", prefix="banners", max_bytes=BANNER_MAX_BYTES)
    return BannerImageOut(image_key=stored.key, image_url=storage.download_url(stored.key, expires=IMAGE_URL_TTL))


def _banner(session: Session, banner_id: int) -> HomeBanner:
    row = session.get(HomeBanner, banner_id)
    if row is None:
        raise BannerNotFound()
    return row


def _check_banner(session: Session, storage: ObjectStorage, body: BannerIn, banner: HomeBanner | None) -> None:
    if banner is None or body.image_key != banner.image_key:
        if not storage.exists(body.image_key):
            raise BannerImageMissing()
        if session.scalar(select(HomeBanner.id).where(HomeBanner.image_key == body.image_key)) is not None:
            raise BannerImageInUse()
    if body.link_type == "artist":
        artist_id = int(body.link_value)
        kept = banner is not None and banner.link_type == "artist" and banner.link_value == body.link_value
        if not kept and artist_id not in _public_ids(session, storage, [artist_id]):
            raise HomeArtistNotPublic("跳转的艺人不存在或未公开")


def create_banner(session: Session, storage: ObjectStorage, operator_id: int, body: BannerIn) -> HomeBanner:
    xact_lock(session, "home:banners")  # the count limit and the next position hold under concurrent saves
    count = session.scalar(select(func.count()).select_from(HomeBanner)) or 0
    if count >= MAX_BANNERS:
        raise BannerLimit()
    _check_banner(session, storage, body, None)
    last = session.scalar(select(func.max(HomeBanner.position)))
    row = HomeBanner(**body.model_dump(), position=(last + 1) if last is not None else 0, created_by=operator_id)
    session.add(row)
    session.flush()
    return row


def update_banner(session: Session, storage: ObjectStorage, banner_id: int, body: BannerIn) -> HomeBanner:
    row = _banner(session, banner_id)
    _check_banner(session, storage, body, row)
    old_image = row.image_key
    for name, value in body.model_dump().items():
        setattr(row, name, value)
    row.updated_at = utc_now()
    session.flush()
    if old_image != row.image_key:
        remove_stored(storage, old_image)
    return row


def delete_banner(session: Session, storage: ObjectStorage, banner_id: int) -> None:
    row = _banner(session, banner_id)
    session.delete(row)
    session.flush()
    remove_stored(storage, row.image_key)


def reorder_banners(session: Session, ids: list[int]) -> None:
    xact_lock(session, "home:banners")
    rows = {b.id: b for b in session.scalars(select(HomeBanner))}
    if len(set(ids)) != len(ids) or set(ids) != set(rows):
        raise BannerOrderInvalid()
    for n, banner_id in enumerate(ids):
        rows[banner_id].position = n
    session.flush()


def banners(session: Session, storage: ObjectStorage) -> list[BannerOut]:
    rows = list(session.scalars(select(HomeBanner).order_by(HomeBanner.position, HomeBanner.id)))
    artist_ids = [int(b.link_value) for b in rows if b.link_type == "artist"]
    names: dict[int, str] = {uid: name for uid, name in session.execute(
        select(ArtistProfile.user_id, ArtistProfile.stage_name).where(ArtistProfile.user_id.in_(artist_ids)))}
    now = utc_now()
    out = []
    for b in rows:
        label = ("不跳转" if b.link_type == "none" else f"页面：{b.link_value}" if b.link_type == "page"
                 else f"艺人：{names.get(int(b.link_value), '（已删除）')}")
        status = status_of(b.enabled, b.starts_at, b.ends_at, now)
        out.append(BannerOut(id=b.id, title=b.title, image_key=b.image_key,
                             image_url=storage.download_url(b.image_key, expires=IMAGE_URL_TTL),
                             link_type=b.link_type,
                             link_value=b.link_value, link_label=label, starts_at=b.starts_at, ends_at=b.ends_at,
                             enabled=b.enabled, position=b.position, status=status,
                             status_label=STATUS_LABELS[status], updated_at=b.updated_at))
    return out


def banner_view(session: Session, storage: ObjectStorage, banner_id: int) -> BannerOut:
    return next(b for b in banners(session, storage) if b.id == banner_id)


# --- 公告


def _announcement_out(row: Announcement, now: datetime) -> AnnouncementOut:
    status = status_of(True, row.starts_at, row.ends_at, now)
    return AnnouncementOut(id=row.id, title=row.title, body=row.body, starts_at=row.starts_at, ends_at=row.ends_at,
                           pinned=row.pinned, status=status, status_label=STATUS_LABELS[status],
                           created_at=row.created_at, updated_at=row.updated_at)


def announcements(session: Session, page: int, page_size: int) -> tuple[list[AnnouncementOut], int]:
    """Every announcement, newest start first."""
    total = session.scalar(select(func.count()).select_from(Announcement)) or 0
    rows = session.scalars(select(Announcement).order_by(Announcement.starts_at.desc(), Announcement.id.desc())
                           .offset((page - 1) * page_size).limit(page_size))
    now = utc_now()
    return [_announcement_out(r, now) for r in rows], total


def _announcement(session: Session, announcement_id: int) -> Announcement:
    row = session.get(Announcement, announcement_id)
    if row is None:
        raise AnnouncementNotFound()
    return row


def save_announcement(session: Session, operator_id: int, body: AnnouncementIn,
                      announcement_id: int | None = None) -> AnnouncementOut:
    """Create (no id) or replace an announcement; no start means from now."""
    values = body.model_dump()
    values["starts_at"] = values["starts_at"] or utc_now()
    if values["ends_at"] is not None and values["ends_at"] <= values["starts_at"]:
        raise AppError("结束时间必须晚于开始时间", code="validation_error", status=422)
    if announcement_id is None:
        row = Announcement(**values, created_by=operator_id)
        session.add(row)
    else:
        row = _announcement(session, announcement_id)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = utc_now()
    session.flush()
    return _announcement_out(row, utc_now())


def delete_announcement(session: Session, announcement_id: int) -> None:
    session.delete(_announcement(session, announcement_id))
    session.flush()


# --- the mini-program home


def _live(model: type[HomeBanner] | type[Announcement], now: datetime) -> list[ColumnElement[bool]]:
    return [or_(model.starts_at.is_(None), model.starts_at <= now), or_(model.ends_at.is_(None), model.ends_at > now)]


def home(session: Session, storage: ObjectStorage) -> HomeOut:
    """What the home page shows now: live banners in order, public recommended artists in order, current
    announcements (pinned first, then the latest)."""
    now = utc_now()
    live_banners = list(session.scalars(select(HomeBanner).where(HomeBanner.enabled, *_live(HomeBanner, now))
                                        .order_by(HomeBanner.position, HomeBanner.id).limit(MAX_BANNERS)))
    recommended_ids = list(session.scalars(select(HomeRecommendation.artist_id).order_by(HomeRecommendation.position)))
    recommended = cards_for(session, storage, recommended_ids)  # drops artists that are not public
    # A banner that leads to an artist who is no longer public stays, without the link.
    linked = _public_ids(session, storage, [int(b.link_value) for b in live_banners if b.link_type == "artist"])
    public_banners = []
    for b in live_banners:
        link_ok = b.link_type != "artist" or int(b.link_value) in linked
        public_banners.append(PublicBanner(
            id=b.id, title=b.title, image_url=storage.download_url(b.image_key, expires=IMAGE_URL_TTL),
            link_type=b.link_type if link_ok else "none",
            link_value=b.link_value if link_ok else ""))
    notices = session.scalars(select(Announcement).where(*_live(Announcement, now))
                              .order_by(Announcement.pinned.desc(), Announcement.starts_at.desc(),
                                        Announcement.id.desc()).limit(MAX_LIVE_ANNOUNCEMENTS))
    return HomeOut(banners=public_banners, recommended=recommended,
                   announcements=[PublicAnnouncement(id=a.id, title=a.title, body=a.body, starts_at=a.starts_at,
                                                     pinned=a.pinned) for a in notices])
