"""Chat between a client and an artist: one conversation per pair, its members (read cursor, block) and messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class ChatConversation(Base):
    """The one conversation of a client–artist pair. `last_seq` hands out message sequence numbers: bumping it
    takes the row lock, so two senders in the same conversation get 1, 2, 3… with no gap and no clash."""

    __tablename__ = "chat_conversations"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    artist_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _now_col()
    updated_at: Mapped[datetime] = _now_col()  # the last activity (a message), for "most recent first"
    __table_args__ = (UniqueConstraint("client_id", "artist_id"),
                      CheckConstraint("client_id <> artist_id", name="distinct_members"))


class ChatMember(Base):
    """One side of a conversation: how far they have read and whether they blocked the other side."""

    __tablename__ = "chat_members"
    conversation_id: Mapped[int] = mapped_column(ForeignKey("chat_conversations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))  # client / artist
    read_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    blocked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ChatMessage(Base):
    """A message as sent: the text is stored as typed (masking is applied when read, so confirmation unmasks old
    messages too). `tokens` are jieba search-mode tokens, indexed as a 'simple' tsvector like the artist search."""

    __tablename__ = "chat_messages"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("chat_conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # text / image / voice / file
    text: Mapped[str | None] = mapped_column(Text)
    attachment_key: Mapped[str | None] = mapped_column(String(200))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_size: Mapped[int | None] = mapped_column(BigInteger)
    attachment_mime: Mapped[str | None] = mapped_column(String(100))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    client_msg_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _now_col()
    tokens: Mapped[str] = mapped_column(Text, default="", server_default="")
    tsv: Mapped[Any] = mapped_column(TSVECTOR, Computed("to_tsvector('simple'::regconfig, tokens)", persisted=True))
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        UniqueConstraint("sender_id", "client_msg_id"),  # idempotency per sender
        CheckConstraint("kind IN ('text', 'image', 'voice', 'file')", name="kind"),
        Index("ix_chat_messages_tsv", "tsv", postgresql_using="gin"),
        Index("ix_chat_messages_sender_id_created_at", "sender_id", "created_at"),  # the send rate limit
        # A socket's sync: per conversation of the user, the messages after an id (without it, the plan walks the
        # whole table by id from the client's last one).
        Index("ix_chat_messages_conversation_id_id", "conversation_id", "id"),
    )
