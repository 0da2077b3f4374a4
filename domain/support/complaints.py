"""投诉与反馈: a user's complaint about an order, an artist, a client or a chat message becomes a ticket that
operators assign, answer and close with a result.

States are defined once (STATUS_LABELS / OPEN): 待处理 → 处理中 (an operator took it or answered) → 已解决 or
已关闭 (with a result the user sees). The user and the operators write in one thread; the user is told of each
operator reply and of the result through `_notify`. Nobody but the complainant reads a complaint through the user
routes (another user's id answers 404, as a booking does)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from domain.bookings.states import STATUS_LABELS as BOOKING_STATUS_LABELS
from domain.errors import AppError, Conflict, NotFound
from domain.inputs import Input, Text
from domain.models import (
    ArtistProfile,
    Booking,
    ChatMember,
    ChatMessage,
    ClientProfile,
    Complaint,
    ComplaintReply,
    Operator,
    Upload,
    User,
)
from domain.notifications.kinds import Kind
from domain.notifications.service import notify
from domain.pages import Page
from domain.time import SHANGHAI, utc_now
from domain.uploads.service import DOWNLOAD_TTL
from storage.base import ObjectStorage

TargetType = Literal["order", "artist", "client", "message"]
TARGET_LABELS = {"order": "订单", "artist": "艺人", "client": "需求方", "message": "聊天消息"}
CATEGORIES: dict[str, str] = {
    "service": "服务质量",
    "breach": "违约爽约",
    "fraud": "虚假信息或欺诈",
    "offline_deal": "诱导私下交易",
    "harassment": "骚扰或辱骂",
    "other": "其他",
}
ComplaintStatus = Literal["pending", "processing", "resolved", "closed"]
STATUS_LABELS = {"pending": "待处理", "processing": "处理中", "resolved": "已解决", "closed": "已关闭"}
OPEN = ("pending", "processing")
MAX_PHOTOS = 6
PHOTO_PURPOSE = "evidence"
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


class ComplaintNotFound(NotFound):
    code, message = "complaint_not_found", "投诉不存在"


class ComplaintTargetNotFound(NotFound):
    code, message = "complaint_target_not_found", "投诉对象不存在"


class ComplaintTargetInvalid(AppError):
    status, code, message = 422, "complaint_target_invalid", "不能投诉自己"


class ComplaintPhotoInvalid(AppError):
    status, code, message = 422, "complaint_photo_invalid", "图片无效，请重新上传"


class ComplaintAlreadyOpen(Conflict):
    code, message = "complaint_already_open", "您对该对象的投诉正在处理中，可在原投诉中补充说明"


class ComplaintClosed(Conflict):
    code, message = "complaint_closed", "投诉已处理完毕，不能再回复"


class AssigneeInvalid(AppError):
    status, code, message = 422, "complaint_assignee_invalid", "指派的运营账号不存在或已停用"


# --- bodies and views

Body = Annotated[str, Text(1000, min_length=1, multiline=True)]
PhotoId = Annotated[str, Text(40)]


class ComplaintIn(Input):
    target_type: TargetType
    target_id: Annotated[int, Field(ge=1, le=2**62)]
    category: Annotated[str, Field(pattern="^(" + "|".join(CATEGORIES) + ")$",
                                   description="、".join(f"{k} {v}" for k, v in CATEGORIES.items()))]
    body: Body
    photos: Annotated[list[PhotoId], Field(max_length=MAX_PHOTOS,
                                           description="本人上传的 evidence 图片 id，最多 6 张")] = []


class ComplaintReplyIn(Input):
    body: Body


class ComplaintAssignIn(Input):
    operator_id: Annotated[int, Field(ge=1, le=2**62)]


class ComplaintResolveIn(Input):
    status: Literal["resolved", "closed"]
    result: Body


class ComplaintReplyOut(BaseModel):
    id: int
    author: Literal["user", "operator"]
    author_name: str  # 我 / the operator's display name (the user sees 平台客服)
    body: str
    created_at: datetime


class TargetOut(BaseModel):
    type: TargetType
    type_label: str
    id: int
    title: str  # e.g. 订单 #12 · 林晚晴
    detail: str = ""  # more for the console: parties, status, date
    admin_link: str | None = None  # the console page of the target, when it has one


class ComplaintSummary(BaseModel):
    id: int
    target: TargetOut
    category: str
    category_label: str
    body: str
    status: ComplaintStatus
    status_label: str
    created_at: datetime
    updated_at: datetime


class ComplaintOut(ComplaintSummary):
    photo_urls: list[str]  # short-lived signed links
    replies: list[ComplaintReplyOut]
    result: str | None
    resolved_at: datetime | None


class AdminComplaintSummary(ComplaintSummary):
    user_id: int
    user_name: str
    assignee_id: int | None
    assignee_name: str | None


class AdminComplaintOut(AdminComplaintSummary):
    photo_urls: list[str]
    replies: list[ComplaintReplyOut]
    result: str | None
    resolved_at: datetime | None


class AssigneeOut(BaseModel):
    id: int
    display_name: str


# --- filing


def _check_photos(session: Session, user_id: int, photos: list[str]) -> list[str]:
    """The caller's own finished uploads of purpose `evidence` (repeats dropped, order kept)."""
    ids = list(dict.fromkeys(photos))
    if not all(_UPLOAD_ID.fullmatch(i) for i in ids):
        raise ComplaintPhotoInvalid()
    owned = set(session.scalars(select(Upload.id).where(
        Upload.id.in_(ids), Upload.user_id == user_id, Upload.purpose == PHOTO_PURPOSE)))
    if len(owned) != len(ids):
        raise ComplaintPhotoInvalid()
    return ids


def _check_target(session: Session, user_id: int, target_type: str, target_id: int) -> None:
    if target_type == "order":
        booking = session.get(Booking, target_id)
        # Only a party of the booking may complain about it; to anyone else it does not exist.
        if booking is None or user_id not in (booking.client_id, booking.artist_id):
            raise ComplaintTargetNotFound("订单不存在")
    elif target_type in ("artist", "client"):
        model = ArtistProfile if target_type == "artist" else ClientProfile
        if session.get(model, target_id) is None:
            raise ComplaintTargetNotFound(f"{TARGET_LABELS[target_type]}不存在")
        if target_id == user_id:
            raise ComplaintTargetInvalid()
    elif target_type == "message":
        # A message of one of the caller's own conversations; one's own message is not something to report.
        sender = session.scalar(select(ChatMessage.sender_id).join(
            ChatMember, (ChatMember.conversation_id == ChatMessage.conversation_id) & (ChatMember.user_id == user_id))
            .where(ChatMessage.id == target_id))
        if sender is None:
            raise ComplaintTargetNotFound("消息不存在")
        if sender == user_id:
            raise ComplaintTargetInvalid("不能投诉自己发送的消息")


def file_complaint(session: Session, storage: ObjectStorage, user_id: int, data: ComplaintIn) -> ComplaintOut:
    _check_target(session, user_id, data.target_type, data.target_id)
    photos = _check_photos(session, user_id, list(data.photos))
    # One open complaint per user and target: more to say goes into its thread.
    session.execute(select(User.id).where(User.id == user_id).with_for_update())
    if session.scalar(select(Complaint.id).where(
            Complaint.user_id == user_id, Complaint.target_type == data.target_type,
            Complaint.target_id == data.target_id, Complaint.status.in_(OPEN))) is not None:
        raise ComplaintAlreadyOpen()
    row = Complaint(user_id=user_id, target_type=data.target_type, target_id=data.target_id,
                    category=data.category, body=data.body, photos=photos)
    session.add(row)
    session.flush()
    session.refresh(row)
    return _user_view(session, storage, row)


# --- the user's own


def _own(session: Session, user_id: int, complaint_id: int, *, lock: bool = False) -> Complaint:
    row = session.get(Complaint, complaint_id, with_for_update=lock)
    if row is None or row.user_id != user_id:
        raise ComplaintNotFound()
    return row


def my_complaints(session: Session, user_id: int, page: int, page_size: int) -> Page[ComplaintSummary]:
    where = [Complaint.user_id == user_id]
    total = session.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0
    rows = list(session.scalars(select(Complaint).where(*where).order_by(Complaint.id.desc())
                                .offset((page - 1) * page_size).limit(page_size)))
    targets = _targets(session, rows)
    return Page(items=[_summary(r, targets[r.id]) for r in rows], total=total, page=page, page_size=page_size)


def my_complaint(session: Session, storage: ObjectStorage, user_id: int, complaint_id: int) -> ComplaintOut:
    return _user_view(session, storage, _own(session, user_id, complaint_id))


def user_reply(session: Session, storage: ObjectStorage, user_id: int, complaint_id: int,
               data: ComplaintReplyIn) -> ComplaintOut:
    row = _own(session, user_id, complaint_id, lock=True)
    if row.status not in OPEN:
        raise ComplaintClosed()
    session.add(ComplaintReply(complaint_id=row.id, author="user", body=data.body))
    row.updated_at = utc_now()
    session.flush()
    return _user_view(session, storage, row)


# --- operators


def admin_list(session: Session, *, status: str | None, target_type: str | None, assignee: str | None,
               operator_id: int, keyword: str | None, page: int, page_size: int) -> Page[AdminComplaintSummary]:
    where: list[ColumnElement[bool]] = []
    if status:
        where.append(Complaint.status == status)
    if target_type:
        where.append(Complaint.target_type == target_type)
    if assignee == "me":
        where.append(Complaint.assignee_id == operator_id)
    elif assignee == "none":
        where.append(Complaint.assignee_id.is_(None))
    if keyword:
        escaped = keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        match: list[ColumnElement[bool]] = [Complaint.body.ilike(f"%{escaped}%")]
        if keyword.isdigit() and len(keyword) < 18:
            match += [Complaint.id == int(keyword), Complaint.target_id == int(keyword)]
        where.append(or_(*match))
    total = session.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0
    # Open tickets first (oldest first: they waited longest), then the handled ones, newest first.
    is_open = Complaint.status.in_(OPEN)
    rows = list(session.scalars(select(Complaint).where(*where)
                                .order_by(is_open.desc(), case((is_open, Complaint.id), else_=-Complaint.id))
                                .offset((page - 1) * page_size).limit(page_size)))
    targets = _targets(session, rows)
    names = _user_names(session, {r.user_id for r in rows})
    ops = _operator_names(session, {r.assignee_id for r in rows if r.assignee_id})
    return Page(items=[_admin_summary(r, targets[r.id], names, ops) for r in rows], total=total, page=page,
                page_size=page_size)


def admin_detail(session: Session, storage: ObjectStorage, complaint_id: int) -> AdminComplaintOut:
    row = session.get(Complaint, complaint_id)
    if row is None:
        raise ComplaintNotFound()
    return _admin_view(session, storage, row)


def _locked(session: Session, complaint_id: int) -> Complaint:
    row = session.get(Complaint, complaint_id, with_for_update=True)
    if row is None:
        raise ComplaintNotFound()
    return row


def assignees(session: Session) -> list[AssigneeOut]:
    rows = session.scalars(select(Operator).where(Operator.is_active).order_by(Operator.id))
    return [AssigneeOut(id=o.id, display_name=o.display_name) for o in rows]


def assign(session: Session, storage: ObjectStorage, complaint_id: int, data: ComplaintAssignIn) -> AdminComplaintOut:
    row = _locked(session, complaint_id)
    if row.status not in OPEN:
        raise ComplaintClosed("投诉已处理完毕，不能再指派")
    op = session.get(Operator, data.operator_id)
    if op is None or not op.is_active:
        raise AssigneeInvalid()
    row.assignee_id, row.status, row.updated_at = op.id, "processing", utc_now()
    session.flush()
    return _admin_view(session, storage, row)


def operator_reply(session: Session, storage: ObjectStorage, operator: Operator, complaint_id: int,
                   data: ComplaintReplyIn) -> AdminComplaintOut:
    row = _locked(session, complaint_id)
    if row.status not in OPEN:
        raise ComplaintClosed()
    reply = ComplaintReply(complaint_id=row.id, author="operator", operator_id=operator.id, body=data.body)
    session.add(reply)
    row.status, row.updated_at = "processing", utc_now()
    if row.assignee_id is None:
        row.assignee_id = operator.id  # whoever answers first has taken the ticket
    session.flush()
    _notify(session, row.user_id, f"complaint:{row.id}:reply:{reply.id}", "客服回复了您的投诉",
            f"投诉 #{row.id}：{data.body}")
    return _admin_view(session, storage, row)


def resolve(session: Session, storage: ObjectStorage, operator: Operator, complaint_id: int,
            data: ComplaintResolveIn) -> AdminComplaintOut:
    row = _locked(session, complaint_id)
    if row.status not in OPEN:
        raise ComplaintClosed("投诉已处理完毕")
    now = utc_now()
    row.status, row.result, row.resolved_at, row.updated_at = data.status, data.result, now, now
    if row.assignee_id is None:
        row.assignee_id = operator.id
    session.flush()
    _notify(session, row.user_id, f"complaint:{row.id}:result", f"您的投诉{STATUS_LABELS[data.status]}",
            f"投诉 #{row.id} 处理结果：{data.result}")
    return _admin_view(session, storage, row)


def _notify(session: Session, user_id: int, step: str, title: str, body: str) -> None:
    """The complainant hears of a reply or the result through their 通知设置 (投诉与反馈回复); the step names the
    complaint, so a repeat adds nothing."""
    notify(session, user_id, Kind.COMPLAINT_REPLY, title, body, booking_id=None, step=step[:80])


# --- views


def _targets(session: Session, rows: list[Complaint]) -> dict[int, TargetOut]:
    by_type: dict[str, set[int]] = {}
    for r in rows:
        by_type.setdefault(r.target_type, set()).add(r.target_id)
    bookings = {b.id: b for b in session.scalars(select(Booking).where(Booking.id.in_(by_type.get("order", ()))))}
    messages = {m.id: m for m in session.scalars(select(ChatMessage).where(
        ChatMessage.id.in_(by_type.get("message", ()))))}
    senders = {m.sender_id for m in messages.values()}
    artist_ids = set(by_type.get("artist", ())) | {b.artist_id for b in bookings.values()} | senders
    client_ids = set(by_type.get("client", ())) | {b.client_id for b in bookings.values()} | senders
    artists = dict(session.execute(select(ArtistProfile.user_id, ArtistProfile.stage_name)
                                   .where(ArtistProfile.user_id.in_(artist_ids))).all())
    clients = dict(session.execute(select(ClientProfile.user_id, ClientProfile.org_name)
                                   .where(ClientProfile.user_id.in_(client_ids))).all())
    out: dict[int, TargetOut] = {}
    for r in rows:
        label = TARGET_LABELS[r.target_type]
        t = TargetOut(type=r.target_type, type_label=label, id=r.target_id,
                      title=f"{label} #{r.target_id}")
        if r.target_type == "order" and (b := bookings.get(r.target_id)):
            artist, client = artists.get(b.artist_id, ""), clients.get(b.client_id, "")
            t.title = f"订单 #{b.id} · {artist}"
            t.detail = (f"艺人 {artist}，需求方 {client}，{BOOKING_STATUS_LABELS.get(b.status, b.status)}，"
                        f"演出 {b.start_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}")
            t.admin_link = f"/orders/{b.id}"
        elif r.target_type == "artist" and r.target_id in artists:
            t.title = f"艺人 {artists[r.target_id]}"
            t.detail = f"艺人账号 #{r.target_id}"
            t.admin_link = f"/artists?keyword={artists[r.target_id]}"
        elif r.target_type == "client" and r.target_id in clients:
            t.title = f"需求方 {clients[r.target_id]}"
            t.detail = f"需求方账号 #{r.target_id}"
        elif r.target_type == "message" and (m := messages.get(r.target_id)):
            who = clients.get(m.sender_id) or artists.get(m.sender_id) or f"用户 #{m.sender_id}"
            t.title = f"{who}的聊天消息"
            # The reported message itself (its sender is the other party of the complainant's conversation).
            content = m.text if m.kind == "text" else {"image": "[图片]", "voice": "[语音]"}.get(
                m.kind, f"[文件] {m.attachment_name or ''}")
            t.detail = f"会话 #{m.conversation_id}，{m.created_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}：{content}"[:300]
        out[r.id] = t
    return out


def _user_names(session: Session, ids: set[int]) -> dict[int, str]:
    clients = dict(session.execute(select(ClientProfile.user_id, ClientProfile.org_name)
                                   .where(ClientProfile.user_id.in_(ids))).all())
    artists = dict(session.execute(select(ArtistProfile.user_id, ArtistProfile.stage_name)
                                   .where(ArtistProfile.user_id.in_(ids))).all())
    return {i: clients.get(i) or artists.get(i) or f"用户 #{i}" for i in ids}


def _operator_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    return dict(session.execute(select(Operator.id, Operator.display_name)
                                .where(Operator.id.in_({i for i in ids if i}))).all())


def _summary(r: Complaint, target: TargetOut) -> ComplaintSummary:
    return ComplaintSummary(id=r.id, target=target, category=r.category,
                            category_label=CATEGORIES.get(r.category, r.category), body=r.body,
                            status=r.status, status_label=STATUS_LABELS[r.status],
                            created_at=r.created_at, updated_at=r.updated_at)


def _admin_summary(r: Complaint, target: TargetOut, names: dict[int, str],
                   ops: dict[int, str]) -> AdminComplaintSummary:
    return AdminComplaintSummary(**_summary(r, target).model_dump(), user_id=r.user_id,
                                 user_name=names.get(r.user_id, ""), assignee_id=r.assignee_id,
                                 assignee_name=ops.get(r.assignee_id) if r.assignee_id else None)


def _photo_urls(session: Session, storage: ObjectStorage, r: Complaint) -> list[str]:
    keys = dict(session.execute(select(Upload.id, Upload.object_key).where(
        Upload.id.in_(r.photos or ()), Upload.user_id == r.user_id)).all())
    return [storage.download_url(keys[p], expires=DOWNLOAD_TTL) for p in r.photos or () if p in keys]


def _replies(session: Session, r: Complaint, *, for_operator: bool) -> list[ComplaintReplyOut]:
    rows = list(session.scalars(select(ComplaintReply).where(ComplaintReply.complaint_id == r.id)
                                .order_by(ComplaintReply.id)))
    ops = _operator_names(session, {x.operator_id for x in rows}) if for_operator else {}
    user_name = "我" if not for_operator else _user_names(session, {r.user_id})[r.user_id]

    def name(x: ComplaintReply) -> str:
        if x.author == "user":
            return user_name
        # The user sees the platform, not which colleague wrote.
        return (ops.get(x.operator_id or 0) or "运营") if for_operator else "平台客服"

    return [ComplaintReplyOut(id=x.id, author=x.author, author_name=name(x), body=x.body,
                     created_at=x.created_at) for x in rows]


def _user_view(session: Session, storage: ObjectStorage, r: Complaint) -> ComplaintOut:
    return ComplaintOut(**_summary(r, _targets(session, [r])[r.id]).model_dump(),
                        photo_urls=_photo_urls(session, storage, r), replies=_replies(session, r, for_operator=False),
                        result=r.result, resolved_at=r.resolved_at)


def _admin_view(session: Session, storage: ObjectStorage, r: Complaint) -> AdminComplaintOut:
    target = _targets(session, [r])[r.id]
    ops = _operator_names(session, {r.assignee_id})
    return AdminComplaintOut(**_admin_summary(r, target, _user_names(session, {r.user_id}), ops).model_dump(),
                             photo_urls=_photo_urls(session, storage, r),
                             replies=_replies(session, r, for_operator=True), result=r.result,
                             resolved_at=r.resolved_at)
