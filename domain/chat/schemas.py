"""The chat API's shapes (the contract the mini-program's chat pages are written against)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from domain.inputs import Input, Text

Kind = Literal["text", "image", "voice", "file"]
Role = Literal["client", "artist"]
Id = Annotated[int, Field(ge=1, le=2**62)]
MAX_VOICE_MS = 60_000


class PeerOut(BaseModel):
    id: int
    name: str
    avatar_url: str | None  # short-lived signed link
    role: Role


class AttachmentOut(BaseModel):
    url: str  # signed, short-lived
    name: str
    size: int
    mime: str
    duration_ms: int | None


class MessageOut(BaseModel):
    id: int  # global, increasing: what a socket's `sync` counts from
    conversation_id: int
    seq: int  # 1, 2, 3… per conversation
    sender_id: int
    kind: Kind
    text: str | None  # contacts masked for the reader until contact_visible
    attachment: AttachmentOut | None
    booking_id: int | None
    created_at: datetime
    read_by_peer: bool


class ConversationOut(BaseModel):
    id: int
    peer: PeerOut
    last_message: MessageOut | None
    unread: int
    blocked: bool  # I blocked them
    blocked_by_peer: bool
    contact_visible: bool  # a booking of the pair got to CONFIRMED: contacts are no longer masked
    booking_id: int | None  # the pair's latest booking
    updated_at: datetime


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    total: int
    page: int
    page_size: int
    unread_total: int


class MessagePage(BaseModel):
    items: list[MessageOut]  # ascending seq
    has_more: bool


class UnreadOut(BaseModel):
    unread_total: int


class SearchHit(BaseModel):
    conversation: ConversationOut
    message: MessageOut


class SearchPage(BaseModel):
    items: list[SearchHit]
    total: int
    page: int
    page_size: int


class OpenIn(Input):
    peer_id: Id
    booking_id: Id | None = None


class SendIn(Input):
    client_msg_id: Annotated[str, Text(64, min_length=8)] = Field(description="客户端生成的 UUID，同一发送者内幂等")
    kind: Kind
    text: Annotated[str, Text(2000, min_length=1, multiline=True)] | None = None
    upload_id: Annotated[str, Text(64, min_length=1)] | None = None
    duration_ms: Annotated[int, Field(ge=1, le=MAX_VOICE_MS)] | None = None
    booking_id: Id | None = None
    name: Annotated[str, Text(200, min_length=1)] | None = Field(default=None, description="文件消息的文件名（可选）")


class ReadIn(Input):
    seq: Annotated[int, Field(ge=0, le=2**31 - 1)]


class DisputeChatOut(BaseModel):
    """What an operator handling a dispute reads: the pair's messages, unmasked (the access is audited)."""

    conversation_id: int | None
    client: PeerOut
    artist: PeerOut
    items: list[MessageOut]
    has_more: bool
