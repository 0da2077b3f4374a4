"""The mini-program home's content that operators manage: recommended artists, banners, announcements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class HomeRecommendation(Base):
    """An artist on the home page's 推荐艺人 row, in `position` order. Shown only while the artist is public."""

    __tablename__ = "home_recommendations"
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist_profiles.user_id", ondelete="CASCADE"),
                                           primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = _now_col()


class HomeBanner(Base):
    """A home page banner: an image in storage, where a tap leads, and when it is shown (UTC; open ends allowed)."""

    __tablename__ = "home_banners"
    __table_args__ = (
        CheckConstraint("link_type in ('none','artist','page')", name="link_type"),
        CheckConstraint("ends_at is null or starts_at is null or ends_at > starts_at", name="window"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(String(40))
    image_key: Mapped[str] = mapped_column(String(200), unique=True)  # one banner per stored image
    link_type: Mapped[str] = mapped_column(String(10), default="none", server_default="none")
    link_value: Mapped[str] = mapped_column(String(200), default="", server_default="")
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    position: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = _now_col()
    updated_at: Mapped[datetime] = _now_col()


class Announcement(Base):
    """公告: shown in the mini-program between `starts_at` and `ends_at` (no end: until taken down), pinned first."""

    __tablename__ = "announcements"
    __table_args__ = (CheckConstraint("ends_at is null or ends_at > starts_at", name="window"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = _now_col()
    updated_at: Mapped[datetime] = _now_col()
