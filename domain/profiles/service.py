"""Artist profile editing under review, privacy settings, operator tags and private qualifications.

The public page always shows `artist_profiles` (+ `artist_prices`): the last approved version. The artist edits
one draft (`artist_profile_drafts`, a JSON copy of the public fields and price list):

    (none) -save-> editing -submit-> pending -approve-> approved (copied onto the profile)
                      ^                  |  -reject--> rejected (with a reason)
                      +------save--------+  (saving a pending draft withdraws it from the queue)

Services only flush; the request commits. The caller re-syncs search after anything public changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.artists.changes import artist_changed
from domain.artists.onboarding import is_listed
from domain.artists.service import image_urls
from domain.enums import ARTIST_TYPE_LABELS
from domain.errors import AppError, ArtistNotFound, Conflict, NotFound
from domain.models import (
    ArtistPrice,
    ArtistProfile,
    ArtistProfileDraft,
    ArtistTag,
    Qualification,
    Tag,
    Upload,
    User,
)
from domain.notifications.service import review_result
from domain.privacy import mask_phone
from domain.profiles.managers import upload_owners
from domain.profiles.schemas import (
    DRAFT_STATUS_LABELS,
    QUALIFICATION_KIND_LABELS,
    QUALIFICATION_STATUS_LABELS,
    ArtistTagsOut,
    DraftOut,
    PriceLineOut,
    PrivacyIn,
    PrivacyOut,
    ProfileData,
    ProfileDataOut,
    QualificationIn,
    QualificationOut,
    ReviewItemOut,
    TagOut,
    TeamMemberOut,
)
from domain.time import utc_now
from storage.base import ObjectStorage

ReviewKind = Literal["all", "onboarding", "edit"]

AVATAR_PURPOSE = "case_image"
QUALIFICATION_PURPOSES = ("licence", "document")
MAX_QUALIFICATIONS = 50


class ProfileMissing(NotFound):
    code, message = "artist_profile_missing", "请先完成艺人资料登记"


class AvatarInvalid(AppError):
    status, code, message = 422, "avatar_invalid", "头像图片不存在或不可用，请重新上传头像"


class NothingToSubmit(Conflict):
    code, message = "profile_nothing_to_submit", "没有待提交的资料修改，请先保存修改"


class DraftNotPending(Conflict):
    code, message = "profile_draft_not_pending", "该资料修改不在审核中（可能已被艺人撤回修改或已审核），请刷新后重试"


class DraftResubmitted(Conflict):
    code, message = "profile_draft_resubmitted", "艺人已重新提交资料，请刷新后按最新内容审核"


class DraftOutdated(Conflict):
    code, message = "profile_draft_invalid", "该资料修改已不符合现行规则，请驳回并让艺人修改后重新提交"


class TagExists(Conflict):
    code = "tag_exists"


class TagNotFound(NotFound):
    code, message = "tag_not_found", "标签不存在或已删除"


class QualificationNotFound(NotFound):
    code, message = "qualification_not_found", "资质不存在或已删除"


class QualificationUploadInvalid(AppError):
    status, code, message = 422, "qualification_upload_invalid", "文件不存在或不可用，请先上传资质文件"


# --- the profile as data


def _profile(session: Session, artist_id: int, *, lock: bool = False) -> ArtistProfile:
    q = select(ArtistProfile).where(ArtistProfile.user_id == artist_id)
    profile = session.scalar(q.with_for_update().execution_options(populate_existing=True) if lock else q)
    if profile is None:
        raise ProfileMissing()
    return profile


def _published_data(session: Session, profile: ArtistProfile) -> dict[str, Any]:
    """The approved profile in the draft's JSON shape."""
    prices = session.scalars(select(ArtistPrice).where(ArtistPrice.artist_id == profile.user_id)
                             .order_by(ArtistPrice.min_amount, ArtistPrice.id)).all()
    return {
        "stage_name": profile.stage_name, "avatar_upload_id": profile.avatar_upload_id,
        "artist_types": list(profile.artist_types or ()), "styles": list(profile.styles or ()),
        "city": profile.city, "regions": list(profile.regions or ()),
        "active_since_year": profile.active_since_year, "bio": profile.bio or "",
        "works": list(profile.works or ()),
        "team": [{"name": str(m.get("name", "")), "role": str(m.get("role", ""))} for m in profile.team or ()],
        "prices": [{"title": p.title, "duration_minutes": p.duration_minutes, "min_amount": p.min_amount,
                    "max_amount": p.max_amount, "negotiable": p.negotiable} for p in prices],
        "travel_terms": profile.travel_terms or "",
    }


def _data_out(data: dict[str, Any], avatar_urls: dict[str, str]) -> ProfileDataOut:
    types = [str(t) for t in data.get("artist_types", [])]
    avatar = data.get("avatar_upload_id")
    return ProfileDataOut(
        stage_name=data.get("stage_name", ""), avatar_upload_id=avatar,
        avatar_url=avatar_urls.get(avatar) if avatar else None,
        artist_types=types, artist_type_labels=[ARTIST_TYPE_LABELS.get(t, t) for t in types],
        styles=list(data.get("styles", [])), city=data.get("city", ""), regions=list(data.get("regions", [])),
        active_since_year=data.get("active_since_year"), bio=data.get("bio", ""), works=list(data.get("works", [])),
        team=[TeamMemberOut(**m) for m in data.get("team", [])],
        prices=[PriceLineOut(**p) for p in data.get("prices", [])],
        travel_terms=data.get("travel_terms", ""),
    )


def _changed_fields(draft: dict[str, Any], current: dict[str, Any]) -> list[str]:
    return [k for k in ProfileData.model_fields if draft.get(k) != current.get(k)]


def _privacy(profile: ArtistProfile) -> PrivacyOut:
    return PrivacyOut(hide_prices=profile.hide_prices, hide_contact=profile.hide_contact)


def _avatar_ok(session: Session, artist_id: int, upload_id: str | None, actor_id: int | None) -> bool:
    """An image the artist uploaded, or the acting team member (`actor_id`; None: any current member)."""
    if upload_id is None:
        return True
    upload = session.get(Upload, upload_id)
    return (upload is not None and upload.user_id in upload_owners(session, artist_id, actor_id)
            and upload.purpose == AVATAR_PURPOSE
            and upload.content_type.startswith("image/"))


# --- the artist's draft


def get_draft(session: Session, storage: ObjectStorage, artist_id: int) -> DraftOut:
    """The current draft, or (when there is none) the approved profile in the draft's shape."""
    profile = _profile(session, artist_id)
    # populate_existing: the draft may have just been written by an INSERT .. ON CONFLICT in this session.
    draft = session.scalar(select(ArtistProfileDraft).where(ArtistProfileDraft.artist_id == artist_id)
                           .execution_options(populate_existing=True))
    data = draft.data if draft is not None else _published_data(session, profile)
    status = draft.status if draft is not None else "published"
    return DraftOut(
        artist_id=artist_id, status=status, status_label=DRAFT_STATUS_LABELS[status],
        review_reason=draft.review_reason if draft is not None and draft.status == "rejected" else None,
        submitted_at=draft.submitted_at if draft is not None else None,
        reviewed_at=draft.reviewed_at if draft is not None else None,
        updated_at=draft.updated_at if draft is not None else None,
        data=_data_out(data, image_urls(session, storage, [data.get("avatar_upload_id")])),
        privacy=_privacy(profile), listed=is_listed(profile),
    )


def save_draft(session: Session, artist_id: int, data: ProfileData, actor_id: int | None = None) -> None:
    """Save the artist's edit (status editing). A submitted draft goes back to editing: it leaves the queue.
    `actor_id`: who saves (the artist or a team member acting for them; default the artist)."""
    _profile(session, artist_id)
    if not _avatar_ok(session, artist_id, data.avatar_upload_id, artist_id if actor_id is None else actor_id):
        raise AvatarInvalid()
    now = utc_now()
    values = {"data": data.model_dump(mode="json"), "status": "editing", "submitted_at": None,
              "updated_at": now}
    # One statement, so two saves racing (or a save racing the operator's decision) can't fail on the key.
    session.execute(insert(ArtistProfileDraft).values(artist_id=artist_id, **values)
                    .on_conflict_do_update(index_elements=[ArtistProfileDraft.artist_id], set_=values))


def submit_draft(session: Session, artist_id: int) -> None:
    draft = session.scalar(select(ArtistProfileDraft).where(ArtistProfileDraft.artist_id == artist_id)
                           .with_for_update().execution_options(populate_existing=True))
    if draft is None or draft.status == "approved":
        raise NothingToSubmit()
    if draft.status == "pending":
        return  # submitting twice changes nothing
    draft.status, draft.submitted_at = "pending", utc_now()
    session.flush()


def set_privacy(session: Session, artist_id: int, body: PrivacyIn) -> PrivacyOut:
    """Applies at once, without review: both settings only reduce what the public sees."""
    profile = _profile(session, artist_id)
    profile.hide_prices, profile.hide_contact = body.hide_prices, body.hide_contact
    session.flush()
    artist_changed(session, artist_id)
    return _privacy(profile)


# --- operators: the review queue


def review_queue(session: Session, storage: ObjectStorage, status: str, page: int,
                 page_size: int, kind: ReviewKind = "all") -> tuple[list[ReviewItemOut], int]:
    """`kind`: onboarding — new artists' first profiles (not public yet); edit — changes to public profiles."""
    q = select(ArtistProfileDraft).where(ArtistProfileDraft.status == status)
    if kind != "all":
        new = select(ArtistProfile.user_id).where(ArtistProfile.approved_at.is_(None))
        q = q.where(ArtistProfileDraft.artist_id.in_(new) if kind == "onboarding"
                    else ArtistProfileDraft.artist_id.not_in(new))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    # Oldest submission first: the queue is worked in order.
    order = ((ArtistProfileDraft.submitted_at.asc().nulls_last(),) if status == "pending"
             else (ArtistProfileDraft.updated_at.desc(),))
    drafts = list(session.scalars(q.order_by(*order, ArtistProfileDraft.artist_id)
                                  .offset((page - 1) * page_size).limit(page_size)))
    profiles = {p.user_id: p for p in session.scalars(
        select(ArtistProfile).where(ArtistProfile.user_id.in_([d.artist_id for d in drafts])))}
    phones: dict[int, str | None] = {i: phone for i, phone in session.execute(
        select(User.id, User.phone).where(User.id.in_(list(profiles))))}
    currents = {d.artist_id: _published_data(session, profiles[d.artist_id]) for d in drafts}
    urls = image_urls(session, storage, [d.data.get("avatar_upload_id") for d in drafts]
                      + [c.get("avatar_upload_id") for c in currents.values()])
    items = [ReviewItemOut(
        artist_id=d.artist_id, status=d.status, status_label=DRAFT_STATUS_LABELS[d.status],
        submitted_at=d.submitted_at, review_reason=d.review_reason,
        draft=_data_out(d.data, urls), current=_data_out(currents[d.artist_id], urls),
        changed_fields=_changed_fields(d.data, currents[d.artist_id]),
        onboarding=not is_listed(profiles[d.artist_id]), phone=mask_phone(phones.get(d.artist_id)),
        registered_at=profiles[d.artist_id].created_at,
    ) for d in drafts]
    return items, total


def _pending_draft(session: Session, artist_id: int, submitted_at: datetime | None) -> ArtistProfileDraft:
    """The pending draft, locked. `submitted_at` (from the queue the operator looked at) pins the decision to
    that submission: an artist who withdrew and resubmitted meanwhile gets a fresh look, not a blind approval."""
    draft = session.scalar(select(ArtistProfileDraft).where(ArtistProfileDraft.artist_id == artist_id)
                           .with_for_update().execution_options(populate_existing=True))
    if draft is None:
        raise NotFound("没有该艺人的资料修改", code="profile_draft_not_found")
    if draft.status != "pending":
        raise DraftNotPending()
    if submitted_at is not None and draft.submitted_at != submitted_at:
        raise DraftResubmitted()
    return draft


def approve_draft(session: Session, operator_id: int | None, artist_id: int,
                  submitted_at: datetime | None = None) -> None:
    """Publish the draft: copy it onto the profile and replace the price list. A new artist's first approval
    makes the artist public (domain.artists.onboarding). `operator_id` None: approved by a maintenance step."""
    draft = _pending_draft(session, artist_id, submitted_at)
    try:
        data = ProfileData.model_validate(draft.data)
    except ValidationError as exc:
        raise DraftOutdated() from exc
    profile = _profile(session, artist_id, lock=True)
    profile.stage_name, profile.city, profile.bio = data.stage_name, data.city, data.bio
    # An avatar deleted since the draft was saved (or uploaded by a member who has left the team since) is
    # dropped rather than failing the whole approval.
    profile.avatar_upload_id = data.avatar_upload_id \
        if _avatar_ok(session, artist_id, data.avatar_upload_id, None) else None
    profile.artist_types = [t.value for t in data.artist_types]
    profile.styles, profile.regions, profile.works = data.styles, data.regions, data.works
    profile.active_since_year = data.active_since_year
    profile.team = [m.model_dump() for m in data.team]
    profile.travel_terms = data.travel_terms
    now = utc_now()
    profile.approved_at = now
    session.execute(delete(ArtistPrice).where(ArtistPrice.artist_id == artist_id))
    session.add_all(ArtistPrice(artist_id=artist_id, title=p.title, duration_minutes=p.duration_minutes,
                                min_amount=p.min_amount, max_amount=p.max_amount, negotiable=p.negotiable)
                    for p in data.prices)
    draft.status, draft.review_reason = "approved", None
    draft.reviewed_by, draft.reviewed_at = operator_id, now
    session.flush()
    session.expire(profile, ["prices"])
    artist_changed(session, artist_id)
    if operator_id is not None:  # a maintenance step's re-approval is no news to the artist
        review_result(session, artist_id, "艺人资料", data.stage_name, True, None, f"draft:{artist_id}", now)


def reject_draft(session: Session, operator_id: int, artist_id: int, reason: str,
                 submitted_at: datetime | None = None) -> None:
    """The public page stays as it is; the artist sees the reason, edits and submits again."""
    draft = _pending_draft(session, artist_id, submitted_at)
    draft.status, draft.review_reason = "rejected", reason
    draft.reviewed_by, draft.reviewed_at = operator_id, utc_now()
    session.flush()
    name = str((draft.data or {}).get("stage_name") or "艺人资料")
    review_result(session, artist_id, "艺人资料", name, False, reason, f"draft:{artist_id}", draft.reviewed_at)


# --- tags


def list_tags(session: Session) -> list[TagOut]:
    counts = (select(ArtistTag.tag_id, func.count().label("n")).group_by(ArtistTag.tag_id).subquery())
    rows = session.execute(select(Tag, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.tag_id == Tag.id)
                           .order_by(Tag.id)).all()
    return [TagOut(id=t.id, name=t.name, artist_count=n) for t, n in rows]


def create_tag(session: Session, operator_id: int, name: str) -> TagOut:
    tag_id = session.scalar(insert(Tag).values(name=name, created_by=operator_id)
                            .on_conflict_do_nothing(index_elements=[Tag.name]).returning(Tag.id))
    if tag_id is None:
        raise TagExists(f"标签「{name}」已存在")
    return TagOut(id=tag_id, name=name, artist_count=0)


def _tag(session: Session, tag_id: int) -> Tag:
    tag = session.get(Tag, tag_id)
    if tag is None:
        raise TagNotFound()
    return tag


def _tagged_artists(session: Session, tag_id: int) -> list[int]:
    return list(session.scalars(select(ArtistTag.artist_id).where(ArtistTag.tag_id == tag_id)))


def rename_tag(session: Session, tag_id: int, name: str) -> TagOut:
    """Rename a tag; the artists carrying it change in search."""
    tag = _tag(session, tag_id)
    artists = _tagged_artists(session, tag_id)
    if tag.name != name:
        taken = session.scalar(select(Tag.id).where(Tag.name == name, Tag.id != tag_id))
        if taken is not None:
            raise TagExists(f"标签「{name}」已存在")
        try:
            with session.begin_nested():  # another operator may take the name in between
                tag.name = name
                session.flush()
        except IntegrityError as exc:
            raise TagExists(f"标签「{name}」已存在") from exc
    artist_changed(session, *artists)
    return TagOut(id=tag.id, name=tag.name, artist_count=len(artists))


def delete_tag(session: Session, tag_id: int) -> None:
    """Delete a tag (and its assignments); the artists that carried it change in search."""
    tag = _tag(session, tag_id)
    artist_changed(session, *_tagged_artists(session, tag_id))
    session.delete(tag)
    session.flush()


def artist_tags_out(session: Session, artist_id: int) -> ArtistTagsOut:
    rows = session.scalars(select(Tag).join(ArtistTag, ArtistTag.tag_id == Tag.id)
                           .where(ArtistTag.artist_id == artist_id).order_by(Tag.id)).all()
    return ArtistTagsOut(artist_id=artist_id, tags=[TagOut(id=t.id, name=t.name) for t in rows])


def _artist_exists(session: Session, artist_id: int) -> None:
    if session.get(ArtistProfile, artist_id) is None:
        raise ArtistNotFound()


def artist_tags_of(session: Session, artist_id: int) -> ArtistTagsOut:
    _artist_exists(session, artist_id)
    return artist_tags_out(session, artist_id)


def assign_tag(session: Session, artist_id: int, tag_id: int) -> ArtistTagsOut:
    _artist_exists(session, artist_id)
    _tag(session, tag_id)
    session.execute(insert(ArtistTag).values(artist_id=artist_id, tag_id=tag_id).on_conflict_do_nothing())
    artist_changed(session, artist_id)
    return artist_tags_out(session, artist_id)


def unassign_tag(session: Session, artist_id: int, tag_id: int) -> ArtistTagsOut:
    _artist_exists(session, artist_id)
    session.execute(delete(ArtistTag).where(ArtistTag.artist_id == artist_id, ArtistTag.tag_id == tag_id))
    artist_changed(session, artist_id)
    return artist_tags_out(session, artist_id)


# --- qualifications (private: only the owner and operators)


def _qualification_views(session: Session, rows: list[Qualification]) -> list[QualificationOut]:
    names = dict(session.execute(select(ArtistProfile.user_id, ArtistProfile.stage_name)
                                 .where(ArtistProfile.user_id.in_({q.artist_id for q in rows}))).all())
    types = dict(session.execute(select(Upload.id, Upload.content_type)
                                 .where(Upload.id.in_({q.upload_id for q in rows}))).all())
    return [QualificationOut(
        id=q.id, artist_id=q.artist_id, stage_name=names.get(q.artist_id, ""), kind=q.kind,
        kind_label=QUALIFICATION_KIND_LABELS.get(q.kind, q.kind), title=q.title, upload_id=q.upload_id,
        content_type=types.get(q.upload_id, ""), status=q.status,
        status_label=QUALIFICATION_STATUS_LABELS.get(q.status, q.status), review_reason=q.review_reason,
        created_at=q.created_at, reviewed_at=q.reviewed_at,
    ) for q in rows]


def add_qualification(session: Session, artist_id: int, body: QualificationIn,
                      actor_id: int | None = None) -> QualificationOut:
    """`actor_id`: who submits (the artist or a team member acting for them; default the artist), whose
    uploads may be used besides the artist's."""
    _profile(session, artist_id)
    upload = session.get(Upload, body.upload_id)
    owners = upload_owners(session, artist_id, artist_id if actor_id is None else actor_id)
    if upload is None or upload.user_id not in owners:
        raise QualificationUploadInvalid()
    if upload.purpose not in QUALIFICATION_PURPOSES:
        raise QualificationUploadInvalid("资质文件须作为证照图片或 PDF 文档上传，请重新上传")
    count = session.scalar(select(func.count(Qualification.id)).where(Qualification.artist_id == artist_id)) or 0
    if count >= MAX_QUALIFICATIONS:
        raise Conflict(f"最多可提交{MAX_QUALIFICATIONS}份资质文件", code="qualification_limit")
    row = Qualification(artist_id=artist_id, kind=body.kind, title=body.title, upload_id=upload.id)
    try:
        with session.begin_nested():  # the upload may be attached once only (unique)
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("该文件已提交过，请勿重复提交", code="qualification_duplicate") from exc
    return _qualification_views(session, [row])[0]


def my_qualifications(session: Session, artist_id: int) -> list[QualificationOut]:
    rows = list(session.scalars(select(Qualification).where(Qualification.artist_id == artist_id)
                                .order_by(Qualification.created_at.desc(), Qualification.id.desc())))
    return _qualification_views(session, rows)


def qualification_queue(session: Session, status: str | None, page: int,
                        page_size: int) -> tuple[list[QualificationOut], int]:
    q = select(Qualification)
    if status:
        q = q.where(Qualification.status == status)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = list(session.scalars(q.order_by(Qualification.created_at, Qualification.id)
                                .offset((page - 1) * page_size).limit(page_size)))
    return _qualification_views(session, rows), total


def get_qualification(session: Session, qualification_id: int, *, lock: bool = False) -> Qualification:
    q = select(Qualification).where(Qualification.id == qualification_id)
    row = session.scalar(q.with_for_update().execution_options(populate_existing=True) if lock else q)
    if row is None:
        raise QualificationNotFound()
    return row


def decide_qualification(session: Session, operator_id: int, qualification_id: int, approve: bool,
                         reason: str | None = None) -> QualificationOut:
    """Approve, or reject with a reason. A decision can be reversed (a licence found fake later), not repeated."""
    row = get_qualification(session, qualification_id, lock=True)
    target = "approved" if approve else "rejected"
    if row.status == target:
        raise Conflict("该资质已" + QUALIFICATION_STATUS_LABELS[target], code="qualification_already_decided")
    row.status, row.review_reason = target, None if approve else reason
    row.reviewed_by, row.reviewed_at = operator_id, utc_now()
    session.flush()
    review_result(session, row.artist_id, "资质", row.title, approve, reason, f"qualification:{row.id}",
                  row.reviewed_at)
    return _qualification_views(session, [row])[0]


def qualification_upload(session: Session, qualification_id: int, artist_id: int | None = None) -> Upload:
    """The file of a qualification; with `artist_id`, only if it is that artist's (else not found)."""
    row = get_qualification(session, qualification_id)
    if artist_id is not None and row.artist_id != artist_id:
        raise QualificationNotFound()
    upload = session.get(Upload, row.upload_id)
    if upload is None:
        raise QualificationNotFound("资质文件已删除")
    return upload
