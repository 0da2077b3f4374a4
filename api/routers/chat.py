"""Chat between a client and an artist: conversations, messages (REST) and the real-time socket.

Sending is always the REST POST (idempotent by client_msg_id); the socket at /chat/ws only pushes: new messages and
read cursors live, and every message after a client's last seen id on `sync` (see api/chat_live.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, WebSocket

from api.chat_live import serve_socket
from api.deps import Ctx, Db, Me, Page, PageSize, PathId, client_ip, require_permission
from domain.accounts.permissions import Permission
from domain.chat import service
from domain.chat.schemas import (
    ConversationOut,
    ConversationPage,
    DisputeChatOut,
    MessageOut,
    MessagePage,
    OpenIn,
    ReadIn,
    SearchPage,
    SendIn,
    UnreadOut,
)
from domain.inputs import Text
from domain.models import Operator

router = APIRouter(tags=["chat"])
Seq = Annotated[int | None, Query(ge=0, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=service.HISTORY_MAX)]
DisputeOp = Annotated[Operator, Depends(require_permission(Permission.DISPUTE_RESOLVE))]


@router.post("/chat/conversations", response_model=ConversationOut, summary="打开与对方的会话（没有则创建）")
def open_conversation(body: OpenIn, me: Me, db: Db, ctx: Ctx) -> ConversationOut:
    return service.open_conversation(db, ctx.storage, me.user.id, me.acting_role, body)


@router.get("/chat/conversations", response_model=ConversationPage, summary="我的会话（最近活动在前）")
def list_conversations(me: Me, db: Db, ctx: Ctx, page: Page = 1, page_size: PageSize = 20) -> ConversationPage:
    return service.list_conversations(db, ctx.storage, me.user.id, me.acting_role, page, page_size)


@router.get("/chat/conversations/{conversation_id}", response_model=ConversationOut, summary="会话详情")
def get_conversation(conversation_id: PathId, me: Me, db: Db, ctx: Ctx) -> ConversationOut:
    conv = service.member_conversation(db, conversation_id, me.user.id, me.acting_role)
    return service.conversation_view(db, ctx.storage, conv, me.user.id)


@router.get("/chat/conversations/{conversation_id}/messages", response_model=MessagePage,
            summary="历史消息（按 seq 升序；不带游标为最新一页）")
def messages(conversation_id: PathId, me: Me, db: Db, ctx: Ctx, before_seq: Seq = None, after_seq: Seq = None,
             limit: Limit = service.HISTORY_DEFAULT) -> MessagePage:
    return service.history(db, ctx.storage, me.user.id, me.acting_role, conversation_id, before_seq=before_seq,
                           after_seq=after_seq, limit=limit)


@router.post("/chat/conversations/{conversation_id}/messages", response_model=MessageOut, status_code=201,
             summary="发送消息（client_msg_id 幂等：重复发送返回同一条消息，状态 200）",
             responses={200: {"model": MessageOut, "description": "同一 client_msg_id 已发送过"}})
def send_message(conversation_id: PathId, body: SendIn, me: Me, db: Db, ctx: Ctx, response: Response) -> MessageOut:
    msg, created = service.send(db, ctx.storage, ctx.content_security, ctx.realtime, me.user, me.acting_role,
                                conversation_id, body)
    if not created:
        response.status_code = 200
    return msg


@router.post("/chat/conversations/{conversation_id}/read", status_code=204, response_class=Response,
             summary="已读到 seq（只前进不后退）")
def mark_read(conversation_id: PathId, body: ReadIn, me: Me, db: Db, ctx: Ctx) -> Response:
    service.mark_read(db, ctx.realtime, me.user.id, me.acting_role, conversation_id, body.seq)
    return Response(status_code=204)


@router.post("/chat/conversations/{conversation_id}/block", response_model=ConversationOut, summary="屏蔽对方")
def block(conversation_id: PathId, me: Me, db: Db, ctx: Ctx) -> ConversationOut:
    return service.set_blocked(db, ctx.storage, me.user.id, me.acting_role, conversation_id, True)


@router.delete("/chat/conversations/{conversation_id}/block", response_model=ConversationOut, summary="解除屏蔽")
def unblock(conversation_id: PathId, me: Me, db: Db, ctx: Ctx) -> ConversationOut:
    return service.set_blocked(db, ctx.storage, me.user.id, me.acting_role, conversation_id, False)


@router.get("/chat/unread-count", response_model=UnreadOut, summary="聊天未读总数")
def unread_count(me: Me, db: Db) -> UnreadOut:
    return UnreadOut(unread_total=service.unread_total(db, me.user.id, me.acting_role))


@router.get("/chat/search", response_model=SearchPage, summary="搜索我的聊天记录（中文分词）")
def search(me: Me, db: Db, ctx: Ctx, q: Annotated[Annotated[str, Text(50, min_length=1)], Query()],
           page: Page = 1, page_size: PageSize = 20) -> SearchPage:
    return service.search(db, ctx.storage, me.user.id, me.acting_role, q, page, page_size)


@router.get("/admin/disputes/{booking_id}/chat", response_model=DisputeChatOut, tags=["admin"],
            summary="纠纷订单双方的聊天记录（原文；查看会记入操作日志）")
def dispute_chat(booking_id: PathId, op: DisputeOp, db: Db, ctx: Ctx, request: Request, before_seq: Seq = None,
                 limit: Limit = service.HISTORY_MAX) -> DisputeChatOut:
    return service.dispute_chat(db, ctx.storage, op.id, booking_id, before_seq=before_seq, limit=limit,
                                ip=client_ip(request))


@router.websocket("/chat/ws")
async def chat_socket(websocket: WebSocket) -> None:
    await serve_socket(websocket)


