"""Chat between a client and an artist: opening the pair's conversation, sending, history, read cursors, unread
counts, blocking, search, and the views the socket pushes.

Who may read: the conversation's two members, each acting in their own role (client / artist, from the token), and
an operator looking at a dispute of the pair (domain.chat.service.dispute_chat, audited). Anyone else gets 404.

Contact masking: until a booking of the pair has reached CONFIRMED (or went past it), phone numbers and WeChat ids
in the other side's text are masked for the reader (domain.privacy.mask_contacts). The stored text stays as typed,
so a confirmation unmasks the old messages too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.artists.onboarding import listed_artist
from domain.artists.service import image_urls
from domain.audit.log import record
from domain.bookings.states import POPULAR_BOOKING_STATUSES
from domain.chat.errors import (
    AttachmentMismatch,
    BookingNotOfPair,
    ChatNotAllowed,
    ClientMsgIdReused,
    ConversationBlocked,
    ConversationNotFound,
    MessageRejected,
    PeerNotFound,
    SendingTooFast,
)
from domain.chat.schemas import (
    AttachmentOut,
    ConversationOut,
    ConversationPage,
    DisputeChatOut,
    MessageOut,
    MessagePage,
    OpenIn,
    PeerOut,
    SearchHit,
    SearchPage,
    SendIn,
)
from domain.errors import AppError, NotFound
from domain.models import (
    ArtistProfile,
    Booking,
    BookingEvent,
    ChatConversation,
    ChatMember,
    ChatMessage,
    ClientProfile,
    Dispute,
    Upload,
    User,
)
from domain.privacy import mask_contacts
from domain.time import utc_now
from integrations.wechat.security import ContentSecurity, Scene, Suggest, screen_text
from realtime.base import Fanout
from search.pg import keyword_tsquery
from search.tokenize import index_tokens
from storage.base import ObjectStorage

ATTACHMENT_URL_TTL = timedelta(minutes=30)
HISTORY_DEFAULT, HISTORY_MAX = 30, 100
SYNC_BATCH = 500
# Sends per sender in a sliding minute: people typing fast stay far below, a script flooding a peer does not.
SEND_LIMIT, SEND_WINDOW = 30, timedelta(minutes=1)
# The upload purpose each attachment kind must come from (storage.media.UPLOAD_PURPOSES judges the content).
KIND_PURPOSE = {"image": "chat_image", "voice": "chat_voice", "file": "chat_file"}
_DEFAULT_NAMES = {"image": "图片", "voice": "语音", "file": "文件"}
_EXT_BY_MIME = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "audio/mpeg": ".mp3",
                "audio/aac": ".aac", "audio/mp4": ".m4a", "application/pdf": ".pdf", "application/msword": ".doc",
                "application/vnd.ms-excel": ".xls",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx"}


# --- membership


def _pair(conv: ChatConversation) -> tuple[int, int]:
    return conv.client_id, conv.artist_id


def _member_filter(user_id: int, role: str) -> ColumnElement[bool]:
    return ChatConversation.client_id == user_id if role == "client" else ChatConversation.artist_id == user_id


def member_conversation(session: Session, conversation_id: int, user_id: int, role: str | None,
                        *, lock: bool = False) -> ChatConversation:
    """The conversation if `user_id`, acting as `role`, is its member; 404 otherwise (nobody learns it exists)."""
    q = select(ChatConversation).where(ChatConversation.id == conversation_id)
    if lock:
        q = q.with_for_update().execution_options(populate_existing=True)
    conv = session.scalar(q)
    if conv is None or role not in ("client", "artist") or (
            conv.client_id if role == "client" else conv.artist_id) != user_id:
        raise ConversationNotFound()
    return conv


def _peer_id(conv: ChatConversation, user_id: int) -> int:
    return conv.artist_id if conv.client_id == user_id else conv.client_id


# --- facts about pairs, a fixed number of queries per page


def _reached_confirmed() -> ColumnElement[bool]:
    """A booking that is CONFIRMED or later now, or got there once (a confirmed booking later cancelled)."""
    return or_(Booking.status.in_(POPULAR_BOOKING_STATUSES),
               exists().where(BookingEvent.booking_id == Booking.id, BookingEvent.to_status == "CONFIRMED"))


def _pair_clause(pairs: Iterable[tuple[int, int]]) -> ColumnElement[bool]:
    return or_(*(and_(Booking.client_id == c, Booking.artist_id == a) for c, a in pairs))


def contact_visible_pairs(session: Session, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    if not pairs:
        return set()
    rows = session.execute(select(Booking.client_id, Booking.artist_id).distinct()
                           .where(_pair_clause(pairs), _reached_confirmed())).all()
    return {(c, a) for c, a in rows}


def latest_bookings(session: Session, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    if not pairs:
        return {}
    rows = session.execute(select(Booking.client_id, Booking.artist_id, func.max(Booking.id))
                           .where(_pair_clause(pairs)).group_by(Booking.client_id, Booking.artist_id)).all()
    return {(c, a): int(b) for c, a, b in rows}


def _peers(session: Session, storage: ObjectStorage, user_roles: dict[int, str]) -> dict[int, PeerOut]:
    artist_ids = [u for u, r in user_roles.items() if r == "artist"]
    client_ids = [u for u, r in user_roles.items() if r == "client"]
    out: dict[int, PeerOut] = {}
    if artist_ids:
        rows = session.execute(select(ArtistProfile.user_id, ArtistProfile.stage_name, ArtistProfile.avatar_upload_id)
                               .where(ArtistProfile.user_id.in_(artist_ids))).all()
        avatars = image_urls(session, storage, [a for _, _, a in rows])
        for uid, name, avatar in rows:
            out[uid] = PeerOut(id=uid, name=name, avatar_url=avatars.get(avatar or ""), role="artist")
    if client_ids:
        for uid, org, contact in session.execute(select(ClientProfile.user_id, ClientProfile.org_name,
                                                        ClientProfile.contact_name)
                                                 .where(ClientProfile.user_id.in_(client_ids))).all():
            out[uid] = PeerOut(id=uid, name=org or contact, avatar_url=None, role="client")
    for uid, role in user_roles.items():  # a profile that is gone: still a named party
        out.setdefault(uid, PeerOut(id=uid, name="艺人" if role == "artist" else "需求方", avatar_url=None,
                                    role="artist" if role == "artist" else "client"))
    return out


@dataclass
class _Side:
    read_seq: int = 0
    blocked: bool = False


def _members(session: Session, conv_ids: Sequence[int]) -> dict[tuple[int, int], _Side]:
    if not conv_ids:
        return {}
    return {(m.conversation_id, m.user_id): _Side(m.read_seq, m.blocked_at is not None)
            for m in session.scalars(select(ChatMember).where(ChatMember.conversation_id.in_(conv_ids)))}


# --- rendering


def render(storage: ObjectStorage, msg: ChatMessage, *, reader_id: int | None, contact_visible: bool,
           peer_read_seq: int) -> MessageOut:
    """A message as `reader_id` sees it (None: an operator, who sees everything as typed)."""
    text, name = msg.text, msg.attachment_name or ""
    if reader_id is not None and msg.sender_id != reader_id and not contact_visible:
        text = mask_contacts(text) if text is not None else None
        name = mask_contacts(name)  # a file's name is typed by the sender too
    attachment = None
    if msg.attachment_key:
        attachment = AttachmentOut(url=storage.download_url(msg.attachment_key, expires=ATTACHMENT_URL_TTL),
                                   name=name, size=msg.attachment_size or 0,
                                   mime=msg.attachment_mime or "", duration_ms=msg.duration_ms)
    read = msg.seq <= peer_read_seq if msg.sender_id == reader_id else True
    return MessageOut(id=msg.id, conversation_id=msg.conversation_id, seq=msg.seq, sender_id=msg.sender_id,
                      kind=msg.kind, text=text, attachment=attachment, booking_id=msg.booking_id,
                      created_at=msg.created_at, read_by_peer=read)


@dataclass
class _Context:
    """Everything about a set of conversations that rendering needs, for one reader."""

    convs: dict[int, ChatConversation]
    sides: dict[tuple[int, int], _Side]
    visible: set[tuple[int, int]]
    latest: dict[tuple[int, int], int]
    peers: dict[int, PeerOut]

    def peer_read(self, conv: ChatConversation, user_id: int) -> int:
        return self.sides.get((conv.id, _peer_id(conv, user_id)), _Side()).read_seq


def _context(session: Session, storage: ObjectStorage, convs: Sequence[ChatConversation], user_id: int,
             *, with_peers: bool = True) -> _Context:
    pairs = {_pair(c) for c in convs}
    peers = {_peer_id(c, user_id): ("artist" if c.client_id == user_id else "client") for c in convs}
    return _Context({c.id: c for c in convs}, _members(session, [c.id for c in convs]),
                    contact_visible_pairs(session, pairs), latest_bookings(session, pairs) if with_peers else {},
                    _peers(session, storage, peers) if with_peers else {})


def _render_for(storage: ObjectStorage, ctx: _Context, msg: ChatMessage, user_id: int) -> MessageOut:
    conv = ctx.convs[msg.conversation_id]
    return render(storage, msg, reader_id=user_id, contact_visible=_pair(conv) in ctx.visible,
                  peer_read_seq=ctx.peer_read(conv, user_id))


def _unread(session: Session, conv_ids: Sequence[int], user_id: int) -> dict[int, int]:
    if not conv_ids:
        return {}
    rows = session.execute(
        select(ChatMessage.conversation_id, func.count())
        .join(ChatMember, and_(ChatMember.conversation_id == ChatMessage.conversation_id,
                               ChatMember.user_id == user_id))
        .where(ChatMessage.conversation_id.in_(conv_ids), ChatMessage.sender_id != user_id,
               ChatMessage.seq > ChatMember.read_seq)
        .group_by(ChatMessage.conversation_id)).all()
    return {c: int(n) for c, n in rows}


def conversation_views(session: Session, storage: ObjectStorage, convs: Sequence[ChatConversation],
                       user_id: int) -> list[ConversationOut]:
    if not convs:
        return []
    ctx = _context(session, storage, convs, user_id)
    last_ids = [c.last_message_id for c in convs if c.last_message_id]
    last = {m.id: m for m in session.scalars(select(ChatMessage).where(ChatMessage.id.in_(last_ids)))} \
        if last_ids else {}
    unread = _unread(session, [c.id for c in convs], user_id)
    out = []
    for c in convs:
        peer = _peer_id(c, user_id)
        msg = last.get(c.last_message_id or 0)
        out.append(ConversationOut(
            id=c.id, peer=ctx.peers[peer], last_message=_render_for(storage, ctx, msg, user_id) if msg else None,
            unread=unread.get(c.id, 0), blocked=ctx.sides.get((c.id, user_id), _Side()).blocked,
            blocked_by_peer=ctx.sides.get((c.id, peer), _Side()).blocked, contact_visible=_pair(c) in ctx.visible,
            booking_id=ctx.latest.get(_pair(c)), updated_at=c.updated_at))
    return out


def conversation_view(session: Session, storage: ObjectStorage, conv: ChatConversation,
                      user_id: int) -> ConversationOut:
    return conversation_views(session, storage, [conv], user_id)[0]


# --- opening


def _pair_booking(session: Session, client_id: int, artist_id: int, booking_id: int | None) -> int | None:
    if booking_id is None:
        return None
    booking = session.get(Booking, booking_id)
    if booking is None or (booking.client_id, booking.artist_id) != (client_id, artist_id):
        raise BookingNotOfPair()
    return booking.id


def open_conversation(session: Session, storage: ObjectStorage, user_id: int, role: str | None,
                      body: OpenIn) -> ConversationOut:
    """Get or create the pair's one conversation. A client may open one with any public artist; an artist only
    with a client who has asked them (an inquiry, hence a booking, between them)."""
    if role not in ("client", "artist"):
        raise ChatNotAllowed("请先选择需求方或艺人身份")
    if body.peer_id == user_id:
        raise PeerNotFound()
    client_id, artist_id = (user_id, body.peer_id) if role == "client" else (body.peer_id, user_id)
    _pair_booking(session, client_id, artist_id, body.booking_id)
    conv = session.scalar(select(ChatConversation).where(ChatConversation.client_id == client_id,
                                                         ChatConversation.artist_id == artist_id))
    if conv is None:
        if role == "client":
            listed = session.scalar(select(ArtistProfile.user_id).join(User, User.id == ArtistProfile.user_id)
                                    .where(ArtistProfile.user_id == artist_id, User.status != "banned",
                                           listed_artist()))
            if listed is None:
                raise PeerNotFound("艺人不存在或已下架")
        else:
            asked = session.scalar(select(Booking.id).where(Booking.client_id == client_id,
                                                            Booking.artist_id == artist_id).limit(1))
            if asked is None:
                # Whether the user exists at all is not revealed: same answer for anyone who hasn't asked.
                raise ChatNotAllowed("只能与向您发起过询价或预约的需求方聊天")
        conv = _create(session, client_id, artist_id)
    return conversation_view(session, storage, conv, user_id)


def _create(session: Session, client_id: int, artist_id: int) -> ChatConversation:
    """Insert the pair's conversation, or take the one a concurrent request just made (the unique pair wins)."""
    try:
        with session.begin_nested():
            conv = ChatConversation(client_id=client_id, artist_id=artist_id)
            session.add(conv)
            session.flush()
            session.add_all([ChatMember(conversation_id=conv.id, user_id=client_id, role="client"),
                             ChatMember(conversation_id=conv.id, user_id=artist_id, role="artist")])
            session.flush()
        return conv
    except IntegrityError:
        found = session.scalar(select(ChatConversation).where(ChatConversation.client_id == client_id,
                                                              ChatConversation.artist_id == artist_id))
        if found is None:
            raise
        return found


# --- lists


def list_conversations(session: Session, storage: ObjectStorage, user_id: int, role: str | None, page: int,
                       page_size: int) -> ConversationPage:
    if role not in ("client", "artist"):
        return ConversationPage(items=[], total=0, page=page, page_size=page_size, unread_total=0)
    where = _member_filter(user_id, role)
    total = session.scalar(select(func.count()).select_from(ChatConversation).where(where)) or 0
    convs = session.scalars(select(ChatConversation).where(where)
                            .order_by(ChatConversation.updated_at.desc(), ChatConversation.id.desc())
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return ConversationPage(items=conversation_views(session, storage, convs, user_id), total=total, page=page,
                            page_size=page_size, unread_total=unread_total(session, user_id, role))


def unread_total(session: Session, user_id: int, role: str | None) -> int:
    if role not in ("client", "artist"):
        return 0
    return int(session.scalar(
        select(func.count()).select_from(ChatMessage)
        .join(ChatMember, and_(ChatMember.conversation_id == ChatMessage.conversation_id,
                               ChatMember.user_id == user_id, ChatMember.role == role))
        .where(ChatMessage.sender_id != user_id, ChatMessage.seq > ChatMember.read_seq)) or 0)


def history(session: Session, storage: ObjectStorage, user_id: int, role: str | None, conversation_id: int,
            *, before_seq: int | None, after_seq: int | None, limit: int) -> MessagePage:
    conv = member_conversation(session, conversation_id, user_id, role)
    return _page(session, storage, conv, user_id, before_seq=before_seq, after_seq=after_seq, limit=limit)


def _page(session: Session, storage: ObjectStorage, conv: ChatConversation, reader_id: int | None,
          *, before_seq: int | None, after_seq: int | None, limit: int) -> MessagePage:
    q = select(ChatMessage).where(ChatMessage.conversation_id == conv.id)
    if after_seq is not None:
        q = q.where(ChatMessage.seq > after_seq)
    if before_seq is not None:
        q = q.where(ChatMessage.seq < before_seq)
    # After a cursor: the next page forwards; otherwise the latest page (before the cursor, if any).
    forward = after_seq is not None and before_seq is None
    rows = list(session.scalars(q.order_by(ChatMessage.seq if forward else ChatMessage.seq.desc()).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    if not forward:
        rows.reverse()
    if reader_id is None:  # an operator: as typed
        items = [render(storage, m, reader_id=None, contact_visible=True, peer_read_seq=0) for m in rows]
    else:
        ctx = _context(session, storage, [conv], reader_id, with_peers=False)
        items = [_render_for(storage, ctx, m, reader_id) for m in rows]
    return MessagePage(items=items, has_more=has_more)


# --- sending


@dataclass
class _Attachment:
    key: str
    name: str
    size: int
    mime: str


def _attachment(session: Session, user_id: int, body: SendIn) -> _Attachment | None:
    if body.kind == "text":
        if body.text is None:
            raise AppError("请输入消息内容", code="message_text_required", status=422)
        if body.upload_id is not None:
            raise AttachmentMismatch("文字消息不能附带文件")
        return None
    if body.upload_id is None:
        raise AttachmentMismatch("请先上传要发送的文件")
    if body.kind == "voice" and body.duration_ms is None:
        raise AppError("语音消息需要时长", code="voice_duration_required", status=422)
    upload = session.get(Upload, body.upload_id)
    if upload is None or upload.user_id != user_id:  # only the sender's own upload
        raise NotFound("文件不存在或已删除", code="upload_not_found")
    if upload.purpose != KIND_PURPOSE[body.kind]:
        raise AttachmentMismatch(f"该文件不能作为{_DEFAULT_NAMES[body.kind]}发送，请按消息类型重新上传")
    ext = _EXT_BY_MIME.get(upload.content_type, "")
    name = body.name or (body.text if body.kind == "file" else None) or f"{_DEFAULT_NAMES[body.kind]}{ext}"
    return _Attachment(upload.object_key, name[:200], upload.size, upload.content_type)


def _existing(session: Session, sender_id: int, client_msg_id: str) -> ChatMessage | None:
    return session.scalar(select(ChatMessage).where(ChatMessage.sender_id == sender_id,
                                                    ChatMessage.client_msg_id == client_msg_id))


def _same_or_reused(found: ChatMessage, conversation_id: int) -> ChatMessage:
    if found.conversation_id != conversation_id:
        raise ClientMsgIdReused()
    return found


def message_event(msg: ChatMessage, conv: ChatConversation) -> dict[str, object]:
    """The fan-out event of a new message: ids only (each process renders it for its own readers)."""
    return {"type": "message", "id": msg.id, "conversation_id": conv.id, "users": [conv.client_id, conv.artist_id]}


def send(session: Session, storage: ObjectStorage, checker: ContentSecurity, fanout: Fanout, user: User,
         role: str | None, conversation_id: int, body: SendIn) -> tuple[MessageOut, bool]:
    """(the message as the sender sees it, created). The same client_msg_id again answers the first message."""
    conv = member_conversation(session, conversation_id, user.id, role)
    found = _existing(session, user.id, body.client_msg_id)
    if found is not None:
        return _view_one(session, storage, conv, _same_or_reused(found, conv.id), user.id), False
    sides = _members(session, [conv.id])
    if sides.get((conv.id, user.id), _Side()).blocked:
        raise ConversationBlocked("您已屏蔽对方，解除屏蔽后才能发送消息")
    if sides.get((conv.id, _peer_id(conv, user.id)), _Side()).blocked:
        raise ConversationBlocked()
    recent = session.scalar(select(func.count()).select_from(ChatMessage).where(
        ChatMessage.sender_id == user.id, ChatMessage.created_at > utc_now() - SEND_WINDOW)) or 0
    if recent >= SEND_LIMIT:
        raise SendingTooFast()
    booking_id = _pair_booking(session, conv.client_id, conv.artist_id, body.booking_id)
    attachment = _attachment(session, user.id, body)
    text = body.text if body.kind == "text" else None
    if text is not None:
        # Outside the lock: WeChat's check is an HTTP call. Only an outright "risky" verdict stops a message;
        # "review" goes through (the other side can report it: 投诉与反馈).
        verdict = screen_text(checker, text, openid=user.wechat_openid, scene=Scene.COMMENT)
        if verdict.suggest is Suggest.RISKY:
            raise MessageRejected(verdict.rejection_reason("消息"))
    # The conversation's row lock orders senders: seq is last_seq + 1, unique with the conversation.
    conv = member_conversation(session, conversation_id, user.id, role, lock=True)
    found = _existing(session, user.id, body.client_msg_id)  # a retry that raced us to the lock
    if found is not None:
        return _view_one(session, storage, conv, _same_or_reused(found, conv.id), user.id), False
    conv.last_seq += 1
    msg = ChatMessage(conversation_id=conv.id, seq=conv.last_seq, sender_id=user.id, kind=body.kind, text=text,
                      attachment_key=attachment.key if attachment else None,
                      attachment_name=attachment.name if attachment else None,
                      attachment_size=attachment.size if attachment else None,
                      attachment_mime=attachment.mime if attachment else None,
                      duration_ms=body.duration_ms if body.kind == "voice" else None, booking_id=booking_id,
                      client_msg_id=body.client_msg_id,
                      # Indexed masked: a search can't confirm a guessed phone number the reader only sees masked.
                      tokens=index_tokens(mask_contacts(text), mask_contacts(
                          attachment.name if attachment and body.kind == "file" else "")))
    try:
        with session.begin_nested():
            session.add(msg)
            session.flush()
    except IntegrityError as exc:  # the same client_msg_id, just used in another conversation
        raise ClientMsgIdReused() from exc
    conv.last_message_id, conv.updated_at = msg.id, utc_now()
    session.flush()
    fanout.publish(session, message_event(msg, conv))
    return _view_one(session, storage, conv, msg, user.id), True


def _view_one(session: Session, storage: ObjectStorage, conv: ChatConversation, msg: ChatMessage,
              user_id: int) -> MessageOut:
    ctx = _context(session, storage, [conv], user_id, with_peers=False)
    return _render_for(storage, ctx, msg, user_id)


# --- reads and blocks


def mark_read(session: Session, fanout: Fanout, user_id: int, role: str | None, conversation_id: int,
              seq: int) -> None:
    """Move my read cursor forward to `seq` (never back, never past the last message)."""
    conv = member_conversation(session, conversation_id, user_id, role)
    seq = min(seq, conv.last_seq)
    moved = session.execute(update(ChatMember)
                            .where(ChatMember.conversation_id == conv.id, ChatMember.user_id == user_id,
                                   ChatMember.read_seq < seq)
                            .values(read_seq=seq).returning(ChatMember.read_seq)).first()
    if moved is not None:
        fanout.publish(session, {"type": "read", "conversation_id": conv.id, "user_id": user_id, "seq": seq,
                                 "users": [conv.client_id, conv.artist_id]})


def set_blocked(session: Session, storage: ObjectStorage, user_id: int, role: str | None, conversation_id: int,
                blocked: bool) -> ConversationOut:
    conv = member_conversation(session, conversation_id, user_id, role)
    member = session.get(ChatMember, (conv.id, user_id))
    assert member is not None  # made with the conversation
    if blocked and member.blocked_at is None:
        member.blocked_at = utc_now()
    elif not blocked:
        member.blocked_at = None
    session.flush()
    return conversation_view(session, storage, conv, user_id)


# --- search


def search(session: Session, storage: ObjectStorage, user_id: int, role: str | None, q: str, page: int,
           page_size: int) -> SearchPage:
    """Messages of my conversations matching every word of `q` (jieba tokens, as the artist search), newest first.
    Matching runs on the text as typed; what comes back is masked like everywhere else."""
    query = keyword_tsquery(q) if role in ("client", "artist") else None
    if query is None:
        return SearchPage(items=[], total=0, page=page, page_size=page_size)
    assert role is not None
    where = and_(_member_filter(user_id, role), ChatMessage.tsv.op("@@")(query))
    base = select(ChatMessage).join(ChatConversation, ChatConversation.id == ChatMessage.conversation_id).where(where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = list(session.scalars(base.order_by(ChatMessage.id.desc()).offset((page - 1) * page_size).limit(page_size)))
    convs = list(session.scalars(select(ChatConversation).where(
        ChatConversation.id.in_({m.conversation_id for m in rows})))) if rows else []
    views = {v.id: v for v in conversation_views(session, storage, convs, user_id)}
    ctx = _context(session, storage, convs, user_id, with_peers=False)
    return SearchPage(items=[SearchHit(conversation=views[m.conversation_id],
                                       message=_render_for(storage, ctx, m, user_id)) for m in rows],
                      total=total, page=page, page_size=page_size)



# --- what the socket pushes


def messages_after(session: Session, storage: ObjectStorage, user_id: int, role: str | None, after_id: int,
                   limit: int = SYNC_BATCH) -> list[MessageOut]:
    """Every message of my conversations with an id above `after_id`, in id order (at most `limit`)."""
    if role not in ("client", "artist"):
        return []
    rows = list(session.scalars(select(ChatMessage)
                                .join(ChatConversation, ChatConversation.id == ChatMessage.conversation_id)
                                .where(_member_filter(user_id, role), ChatMessage.id > after_id)
                                .order_by(ChatMessage.id).limit(limit)))
    if not rows:
        return []
    convs = list(session.scalars(select(ChatConversation).where(
        ChatConversation.id.in_({m.conversation_id for m in rows}))))
    ctx = _context(session, storage, convs, user_id, with_peers=False)
    return [_render_for(storage, ctx, m, user_id) for m in rows]


def message_for(session: Session, storage: ObjectStorage, message_id: int, user_id: int,
                role: str | None) -> MessageOut | None:
    """One message as a member sees it, or None if `user_id` acting as `role` is not its conversation's member."""
    msg = session.get(ChatMessage, message_id)
    if msg is None:
        return None
    try:
        conv = member_conversation(session, msg.conversation_id, user_id, role)
    except ConversationNotFound:
        return None
    return _view_one(session, storage, conv, msg, user_id)


def is_member(session: Session, conversation_id: int, user_id: int, role: str | None) -> bool:
    try:
        member_conversation(session, conversation_id, user_id, role)
    except ConversationNotFound:
        return False
    return True


# --- operators


def dispute_chat(session: Session, storage: ObjectStorage, operator_id: int, booking_id: int, *,
                 before_seq: int | None, limit: int, ip: str | None) -> DisputeChatOut:
    """The messages of a disputed booking's pair, as typed, for the operator deciding it. Reading them is recorded
    in the audit log (reads are not audited automatically)."""
    booking = session.get(Booking, booking_id)
    if booking is None or session.scalar(select(Dispute.id).where(Dispute.booking_id == booking_id).limit(1)) is None:
        raise NotFound("该订单没有纠纷记录", code="dispute_not_found")
    peers = _peers(session, storage, {booking.client_id: "client", booking.artist_id: "artist"})
    conv = session.scalar(select(ChatConversation).where(ChatConversation.client_id == booking.client_id,
                                                         ChatConversation.artist_id == booking.artist_id))
    page = _page(session, storage, conv, None, before_seq=before_seq, after_seq=None, limit=limit) \
        if conv else MessagePage(items=[], has_more=False)
    record(session, operator_id=operator_id, action="查看聊天记录",
           summary=f"处理纠纷时查看订单 {booking_id} 双方的聊天记录", target_type="booking", target_id=str(booking_id),
           request={"before_seq": before_seq, "limit": limit}, ip=ip)
    return DisputeChatOut(conversation_id=conv.id if conv else None, client=peers[booking.client_id],
                          artist=peers[booking.artist_id], items=page.items, has_more=page.has_more)


# --- demo data


def seed_demo_conversation(session: Session, client_id: int, artist_id: int, lines: Sequence[tuple[str, str]]) -> None:
    """A conversation of the pair with `lines` ((sender role, text), oldest first, all read) unless they have one
    already."""
    if session.scalar(select(ChatConversation.id).where(ChatConversation.client_id == client_id,
                                                        ChatConversation.artist_id == artist_id)) is not None:
        return
    conv = _create(session, client_id, artist_id)
    for role, text in lines:
        conv.last_seq += 1
        msg = ChatMessage(conversation_id=conv.id, seq=conv.last_seq, kind="text", text=text,
                          sender_id=client_id if role == "client" else artist_id,
                          client_msg_id=f"seed-{conv.id}-{conv.last_seq}", tokens=index_tokens(mask_contacts(text)))
        session.add(msg)
        session.flush()
        conv.last_message_id = msg.id
    # Read by both: demo data must not change the unread badges browser tests count on the seeded accounts.
    session.execute(update(ChatMember).where(ChatMember.conversation_id == conv.id).values(read_seq=conv.last_seq))
    session.flush()
