"""帮助中心 articles and 投诉与反馈 tickets (domain.support)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Computed, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class HelpArticle(Base):
    """An FAQ article. `tokens` holds jieba's search-mode words of the title and body (as the artist search
    indexes them), so a Chinese word inside the body is found through the 'simple' tsvector."""

    __tablename__ = "help_articles"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    category: Mapped[str] = mapped_column(String(20), index=True)  # domain.support.help.CATEGORIES
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    published: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    tokens: Mapped[str] = mapped_column(Text, default="", server_default="")
    tsv: Mapped[str] = mapped_column(TSVECTOR, Computed("to_tsvector('simple'::regconfig, tokens)", persisted=True))
    created_at: Mapped[datetime] = _now_col()
    updated_at: Mapped[datetime] = _now_col()

    __table_args__ = (Index("ix_help_articles_tsv", "tsv", postgresql_using="gin"),)


class Complaint(Base):
    """A user's complaint: a ticket operators assign, answer and close with a result the user sees.

    `target_id` has no foreign key: it names a booking, an artist or client account, or a chat message by
    `target_type`, checked by the service when the complaint is filed."""

    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[str] = mapped_column(String(16))  # order / artist / client / message
    target_id: Mapped[int] = mapped_column(BigInteger)
    category: Mapped[str] = mapped_column(String(20))  # domain.support.complaints.CATEGORIES
    body: Mapped[str] = mapped_column(String(1000))
    photos: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list, server_default="{}")
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending", index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"), index=True)
    result: Mapped[str | None] = mapped_column(String(1000))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_col()
    updated_at: Mapped[datetime] = _now_col()

    __table_args__ = (Index("ix_complaints_target", "target_type", "target_id"),)


class ComplaintReply(Base):
    """One message of a complaint's thread, by the user or by an operator (who, in operator_id)."""

    __tablename__ = "complaint_replies"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(10))  # user / operator
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = _now_col()
