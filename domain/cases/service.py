"""Media cases (演出案例): an artist's past performances, reviewed before the public sees them.

Flow: the artist creates or edits a case → the content-security check runs on the text (at once) and on each
new image (asynchronously on WeChat) → an obviously risky case is rejected automatically, anything else waits
for an operator → approved cases show on the artist's page in the artist's order. Any content edit sends a
case back to review. Services only flush; the request commits.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.cases.schemas import (
    MAX_CASE_IMAGES,
    MAX_CASE_VIDEOS,
    MAX_CASES,
    AdminCaseOut,
    ArtistCaseOut,
    CaseIn,
    CaseMediaDetailOut,
    CaseMediaOut,
    CaseOut,
    CasePatch,
)
from domain.errors import AppError, Conflict, NotFound
from domain.models import ArtistProfile, CaseMedia, MediaCase, Upload, User
from domain.notifications.service import review_result
from domain.privacy import mask_contacts
from domain.profiles.managers import upload_owners
from domain.time import utc_now
from integrations.errors import IntegrationError
from integrations.wechat.security import (
    CheckMediaType,
    ContentSecurity,
    MediaVerdict,
    Scene,
    Suggest,
    screen_text,
)
from storage.base import ObjectStorage
from storage.media import thumbnail_key

logger = logging.getLogger(__name__)

MODERATION_LABELS = {"pending": "审核中", "approved": "已通过", "rejected": "未通过"}
CHECK_LABELS = {"pending": "机审中", "pass": "机审通过", "review": "建议人工复核", "risky": "机审判定违规"}
# pending sits between pass and review: "not all checked yet" is worse than "all clear", better than a doubt.
_SEVERITY = {"pass": 0, "pending": 1, "review": 2, "risky": 3}
# Operators' decisions: from which states each is allowed (approving an approved case changes nothing).
TRANSITIONS = {"approve": frozenset({"pending", "rejected", "approved"}),
               "reject": frozenset({"pending", "approved", "rejected"})}
_PURPOSE_KIND = {"case_image": "image", "case_video": "video"}
# WeChat's media check reads jpg/png/bmp/gif only (not WebP); videos it can't check at all.
_CHECKABLE = frozenset({"image/jpeg", "image/png"})
# Signed links of case media: long enough to watch a video (players re-request ranges), still expiring.
MEDIA_URL_TTL = timedelta(minutes=30)
# WeChat downloads the image within 30 minutes of the request.
CHECK_URL_TTL = timedelta(hours=1)


class CaseNotFound(NotFound):
    code, message = "case_not_found", "案例不存在或已删除"


class CaseMediaInvalid(AppError):
    status, code, message = 422, "case_media_invalid", "所选文件不存在或不属于您"


class CaseMediaInUse(Conflict):
    code, message = "case_media_in_use", "所选文件已用于其他案例，请重新上传"


class CaseRisky(Conflict):
    code, message = "case_risky", "该案例内容安全检测判定为违规，不能通过，请驳回并让艺人修改"


def _worst(*statuses: str) -> str:
    return max(statuses, key=_SEVERITY.__getitem__, default="pass")


# --- media lists


def _resolve_media(session: Session, owners: set[int], upload_ids: list[str], case: MediaCase | None) -> list[Upload]:
    """The uploads behind `upload_ids`, in order, if all are case images/videos of `owners` (the artist and
    the team member acting for them) or already on this case, and free."""
    rows = {u.id: u for u in session.scalars(select(Upload).where(Upload.id.in_(upload_ids)))}
    uploads = [rows.get(i) for i in upload_ids]
    # Files already on the case stay usable whoever uploaded them (another member of the team, say).
    kept = {m.upload_id for m in case.media} if case is not None else set()
    # Missing and someone else's look the same: an id says nothing about other users' files.
    if any(u is None or (u.user_id not in owners and u.id not in kept) for u in uploads):
        raise CaseMediaInvalid()
    found = [u for u in uploads if u is not None]
    if any(u.purpose not in _PURPOSE_KIND for u in found):
        raise CaseMediaInvalid("只能添加以“案例图片”或“案例视频”用途上传的文件")
    kinds = [_PURPOSE_KIND[u.purpose] for u in found]
    if kinds.count("image") > MAX_CASE_IMAGES:
        raise CaseMediaInvalid(f"每个案例最多{MAX_CASE_IMAGES}张图片")
    if kinds.count("video") > MAX_CASE_VIDEOS:
        raise CaseMediaInvalid(f"每个案例最多{MAX_CASE_VIDEOS}个视频")
    used = session.scalar(select(func.count()).select_from(CaseMedia).where(
        CaseMedia.upload_id.in_(upload_ids), CaseMedia.case_id != (case.id if case is not None else 0)))
    if used:
        raise CaseMediaInUse()
    return found


def _set_media(session: Session, case: MediaCase, uploads: list[Upload]) -> list[CaseMedia]:
    """Make the case's media exactly `uploads` in this order; returns the rows that are new (to be checked).
    Kept files keep their verdicts."""
    existing = {m.upload_id: m for m in case.media}
    wanted = {u.id for u in uploads}
    for m in list(case.media):
        if m.upload_id not in wanted:
            case.media.remove(m)  # delete-orphan
    new: list[CaseMedia] = []
    for position, upload in enumerate(uploads):
        row = existing.get(upload.id)
        if row is None:
            row = CaseMedia(upload_id=upload.id, kind=_PURPOSE_KIND[upload.purpose], check_status="pending")
            case.media.append(row)
            new.append(row)
        row.position = position
    case.media.sort(key=lambda m: m.position)
    try:
        session.flush()
    except IntegrityError as exc:  # another request took the same upload between the check and here
        raise CaseMediaInUse() from exc
    return new


# --- machine checks


def _run_checks(session: Session, storage: ObjectStorage, checker: ContentSecurity, case: MediaCase,
                openid: str | None, new_media: list[CaseMedia]) -> None:
    """Check the text now and submit the new images; set machine_check and, for risky content, reject."""
    text = "\n".join(p for p in (case.title, case.event_type, case.description) if p)
    verdict = screen_text(checker, text, openid=openid, scene=Scene.PROFILE, title=case.title)
    uploads = {u.id: u for u in session.scalars(select(Upload).where(
        Upload.id.in_([m.upload_id for m in new_media])))}
    for media in new_media:
        upload = uploads[media.upload_id]
        if media.kind != "image" or upload.content_type not in _CHECKABLE:
            continue  # stays pending: an operator looks at it
        try:
            url = storage.download_url(upload.object_key, expires=CHECK_URL_TTL)
            trace_id = checker.submit_media(url, media_type=CheckMediaType.IMAGE, openid=openid,
                                            scene=Scene.PROFILE)
        except IntegrationError as exc:
            logger.warning("media check of case %s not submitted: %s", case.id, exc.code)
            continue
        media.check_trace_id = trace_id
        known = checker.media_result(trace_id)  # the sandbox answers at once; WeChat pushes later
        if known is not None:
            media.check_status = known.suggest.value
    case.machine_check = _worst(verdict.suggest.value, *(m.check_status for m in case.media))
    case.moderation_status, case.review_reason = "pending", None
    case.reviewed_by = case.reviewed_at = None
    if verdict.suggest is Suggest.RISKY:
        _auto_reject(case, verdict.rejection_reason("标题或描述"))
    elif any(m.check_status == "risky" for m in case.media):
        _auto_reject(case, _MEDIA_RISKY_REASON)
    session.flush()


_MEDIA_RISKY_REASON = "图片含有违规内容，未通过内容安全检测，请更换后重新提交"


def _auto_reject(case: MediaCase, reason: str) -> None:
    case.moderation_status, case.review_reason = "rejected", reason
    case.reviewed_by, case.reviewed_at = None, utc_now()  # no operator: the machine decided


def apply_media_verdict(session: Session, verdict: MediaVerdict) -> bool:
    """Record a pushed media verdict. Idempotent: an unknown trace id or a repeated push changes nothing.

    A risky image takes the case down (also when already approved): WeChat's verdict on risky content is
    not for an operator to override.
    """
    media = session.scalar(select(CaseMedia).where(CaseMedia.check_trace_id == verdict.trace_id)
                           .with_for_update())
    if media is None or media.check_status != "pending":
        return False
    case = session.scalar(select(MediaCase).where(MediaCase.id == media.case_id).with_for_update())
    assert case is not None  # the foreign key
    media.check_status = verdict.suggest.value
    # machine_check = worst(text verdict, media verdicts), and the text verdict is never "pending": so an old
    # "pending" came from media only, and anything worse is kept (verdicts never improve).
    old = "pass" if case.machine_check == "pending" else case.machine_check
    case.machine_check = _worst(old, *(m.check_status for m in case.media))
    if verdict.suggest is Suggest.RISKY and case.moderation_status != "rejected":
        _auto_reject(case, _MEDIA_RISKY_REASON)
    session.flush()
    return True


# --- the artist's cases


def _profile(session: Session, artist_id: int) -> ArtistProfile:
    profile = session.get(ArtistProfile, artist_id)
    if profile is None:
        raise Conflict("请先完善艺人资料再添加演出案例", code="artist_profile_missing")
    return profile


def _own_case(session: Session, artist_id: int, case_id: int) -> MediaCase:
    case = session.scalar(select(MediaCase).where(MediaCase.id == case_id).with_for_update())
    if case is None or case.artist_id != artist_id:
        raise CaseNotFound()
    return case


def create_case(session: Session, storage: ObjectStorage, checker: ContentSecurity, artist_id: int, actor: User,
                data: CaseIn) -> MediaCase:
    """A case of `artist_id`, added by `actor`: the artist or a team member acting for them (their uploads
    may be used; the content check names the actor's WeChat openid, the person submitting)."""
    _profile(session, artist_id)
    count, last = session.execute(select(func.count(), func.max(MediaCase.position))
                                  .where(MediaCase.artist_id == artist_id)).one()
    if count >= MAX_CASES:
        raise Conflict(f"最多可添加{MAX_CASES}个演出案例", code="too_many_cases")
    uploads = _resolve_media(session, upload_owners(session, artist_id, actor.id), data.media, None)
    case = MediaCase(artist_id=artist_id, title=data.title, event_type=data.event_type,
                     performed_on=data.performed_on, description=data.description,
                     position=(last + 1) if last is not None else 0)
    session.add(case)
    session.flush()
    new = _set_media(session, case, uploads)
    _run_checks(session, storage, checker, case, actor.wechat_openid, new)
    return case


def update_case(session: Session, storage: ObjectStorage, checker: ContentSecurity, artist_id: int, actor: User,
                case_id: int, data: CasePatch) -> MediaCase:
    case = _own_case(session, artist_id, case_id)
    sent = data.model_fields_set
    changed = False
    for name in ("title", "event_type", "performed_on", "description"):
        if name in sent and getattr(data, name) != getattr(case, name):
            setattr(case, name, getattr(data, name))
            changed = True
    new: list[CaseMedia] = []
    if data.media is not None and data.media != [m.upload_id for m in case.media]:
        uploads = _resolve_media(session, upload_owners(session, artist_id, actor.id), data.media, case)
        new = _set_media(session, case, uploads)
        changed = True
    if changed:
        case.updated_at = utc_now()
        _run_checks(session, storage, checker, case, actor.wechat_openid, new)
    return case


def delete_case(session: Session, artist_id: int, case_id: int) -> None:
    """The case and its media rows go; the uploaded files stay the artist's (they can be used again)."""
    session.delete(_own_case(session, artist_id, case_id))
    session.flush()


def reorder_cases(session: Session, artist_id: int, ids: list[int]) -> None:
    """`ids` is the artist's full ordering: every own case exactly once."""
    own = list(session.scalars(select(MediaCase).where(MediaCase.artist_id == artist_id)
                               .order_by(MediaCase.id).with_for_update()))
    if len(set(ids)) != len(ids) or set(ids) != {c.id for c in own}:
        raise AppError("排序需包含您的全部案例，且每个案例只出现一次", code="case_order_invalid", status=422)
    position = {case_id: i for i, case_id in enumerate(ids)}
    for case in own:
        case.position = position[case.id]
    session.flush()


# --- reading


def _media_rows(session: Session, case_ids: list[int]) -> dict[int, list[tuple[CaseMedia, Upload]]]:
    rows = session.execute(select(CaseMedia, Upload).join(Upload, Upload.id == CaseMedia.upload_id)
                           .where(CaseMedia.case_id.in_(case_ids))
                           .order_by(CaseMedia.case_id, CaseMedia.position, CaseMedia.id)).all()
    by_case: dict[int, list[tuple[CaseMedia, Upload]]] = defaultdict(list)
    for media, upload in rows:
        by_case[media.case_id].append((media, upload))
    return by_case


def _urls(storage: ObjectStorage, media: CaseMedia, upload: Upload) -> tuple[str, str | None]:
    url = storage.download_url(upload.object_key, expires=MEDIA_URL_TTL)
    # Every stored image has a thumbnail (storage.media): no per-item existence check (an S3 HEAD each).
    thumb = (storage.download_url(thumbnail_key(upload.object_key), expires=MEDIA_URL_TTL)
             if media.kind == "image" else None)
    return url, thumb


def _detail_media(storage: ObjectStorage, rows: list[tuple[CaseMedia, Upload]]) -> list[CaseMediaDetailOut]:
    out = []
    for media, upload in rows:
        url, thumb = _urls(storage, media, upload)
        out.append(CaseMediaDetailOut(kind=media.kind, url=url, thumbnail_url=thumb, upload_id=upload.id,
                                      check_status=media.check_status,
                                      check_label=CHECK_LABELS[media.check_status]))
    return out


def _artist_view(case: MediaCase, media: list[CaseMediaDetailOut]) -> ArtistCaseOut:
    return ArtistCaseOut(
        id=case.id, title=case.title, event_type=case.event_type, performed_on=case.performed_on,
        description=case.description, position=case.position, moderation_status=case.moderation_status,
        moderation_label=MODERATION_LABELS[case.moderation_status], review_reason=case.review_reason,
        machine_check=case.machine_check, machine_check_label=CHECK_LABELS[case.machine_check],
        created_at=case.created_at, updated_at=case.updated_at, media=media)


def artist_case_views(session: Session, storage: ObjectStorage, cases: list[MediaCase]) -> list[ArtistCaseOut]:
    media = _media_rows(session, [c.id for c in cases])
    return [_artist_view(c, _detail_media(storage, media.get(c.id, []))) for c in cases]


def artist_cases(session: Session, storage: ObjectStorage, artist_id: int) -> list[ArtistCaseOut]:
    """All of the artist's own cases, every status, in the artist's order."""
    cases = list(session.scalars(select(MediaCase).where(MediaCase.artist_id == artist_id)
                                 .order_by(MediaCase.position, MediaCase.id)))
    return artist_case_views(session, storage, cases)


def admin_case_views(session: Session, storage: ObjectStorage, cases: list[MediaCase]) -> list[AdminCaseOut]:
    names = dict(session.execute(select(ArtistProfile.user_id, ArtistProfile.stage_name).where(
        ArtistProfile.user_id.in_({c.artist_id for c in cases}))).all())
    return [AdminCaseOut(**view.model_dump(), artist_id=c.artist_id, stage_name=names.get(c.artist_id, ""),
                         reviewed_at=c.reviewed_at)
            for c, view in zip(cases, artist_case_views(session, storage, cases), strict=True)]


def admin_cases(session: Session, storage: ObjectStorage, status: str, page: int,
                page_size: int) -> tuple[list[AdminCaseOut], int]:
    """The review queue: pending cases oldest (last submitted) first; decided ones latest decision first."""
    q = select(MediaCase).where(MediaCase.moderation_status == status)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    order = ((MediaCase.updated_at, MediaCase.id) if status == "pending"
             else (MediaCase.reviewed_at.desc().nulls_last(), MediaCase.id.desc()))
    cases = list(session.scalars(q.order_by(*order).offset((page - 1) * page_size).limit(page_size)))
    return admin_case_views(session, storage, cases), total


def _decide(session: Session, case_id: int, action: str, seen_updated_at: datetime | None) -> MediaCase:
    """The case, locked. `seen_updated_at` (from the queue the operator looked at) pins the decision to that
    version: an edit made meanwhile is reviewed afresh, not approved blind."""
    case = session.scalar(select(MediaCase).where(MediaCase.id == case_id).with_for_update())
    if case is None:
        raise CaseNotFound()
    if case.moderation_status not in TRANSITIONS[action] or (
            seen_updated_at is not None and case.updated_at != seen_updated_at):
        raise Conflict("案例状态已变化，请刷新后重试", code="case_state_conflict")
    return case


def approve_case(session: Session, operator_id: int, case_id: int,
                 seen_updated_at: datetime | None = None) -> MediaCase:
    case = _decide(session, case_id, "approve", seen_updated_at)
    if case.machine_check == "risky":
        raise CaseRisky()
    if case.moderation_status != "approved":
        case.moderation_status, case.review_reason = "approved", None
        case.reviewed_by, case.reviewed_at = operator_id, utc_now()
        session.flush()
        review_result(session, case.artist_id, "案例", case.title, True, None, f"case:{case.id}", case.reviewed_at)
    return case


def reject_case(session: Session, operator_id: int, case_id: int, reason: str,
                seen_updated_at: datetime | None = None) -> MediaCase:
    case = _decide(session, case_id, "reject", seen_updated_at)
    case.moderation_status, case.review_reason = "rejected", reason
    case.reviewed_by, case.reviewed_at = operator_id, utc_now()
    session.flush()
    review_result(session, case.artist_id, "案例", case.title, False, reason, f"case:{case.id}", case.reviewed_at)
    return case


def public_cases(session: Session, storage: ObjectStorage, artist_id: int) -> list[CaseOut]:
    """Approved cases of one artist in the artist's order, media as short-lived signed URLs."""
    cases = list(session.scalars(select(MediaCase).where(MediaCase.artist_id == artist_id,
                                                         MediaCase.moderation_status == "approved")
                                 .order_by(MediaCase.position, MediaCase.id)))
    media = _media_rows(session, [c.id for c in cases])
    out = []
    for case in cases:
        items = []
        for m, upload in media.get(case.id, []):
            url, thumb = _urls(storage, m, upload)
            items.append(CaseMediaOut(kind=m.kind, url=url, thumbnail_url=thumb))
        # Like every public text of an artist: no phone numbers or WeChat ids for dealing off-platform.
        out.append(CaseOut(id=case.id, title=mask_contacts(case.title), event_type=mask_contacts(case.event_type),
                           performed_on=case.performed_on, description=mask_contacts(case.description),
                           media=items))
    return out
