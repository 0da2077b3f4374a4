"""What users post and keep: private uploads, favorites, demand posts (需求) and their responses, reviews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class Upload(Base):
    """A private file a user uploaded (e.g. a business licence). Never served publicly."""

    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(30))
    object_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))  # office MIME types run to 70 characters
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _now_col()



class FavoriteArtist(Base):
    """A client's 意向艺人. The primary key makes favoriting twice a no-op."""

    __tablename__ = "favorite_artists"
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist_profiles.user_id", ondelete="CASCADE"),
                                           primary_key=True, index=True)  # index: popularity counts
    created_at: Mapped[datetime] = _now_col()



class Demand(Base):
    """A client's demand post; artists see it only once an operator approved it and while it is open."""

    __tablename__ = "demands"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(30))
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai", server_default="Asia/Shanghai")
    city: Mapped[str] = mapped_column(String(30))
    venue_address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    audience_size: Mapped[int | None] = mapped_column(Integer)
    budget_min_amount: Mapped[int] = mapped_column(BigInteger)
    budget_max_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY", server_default="CNY")
    artist_types: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    moderation_status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    review_reason: Mapped[str | None] = mapped_column(String(500))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_col()
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("status in ('open','closed')", name="status"),
        CheckConstraint("moderation_status in ('pending','approved','rejected')", name="moderation_status"),
        CheckConstraint("budget_min_amount >= 0 and budget_max_amount >= budget_min_amount", name="budget"),
        CheckConstraint("end_at > start_at", name="times"),
        Index("ix_demands_listing", "moderation_status", "status", "start_at"),
        Index("ix_demands_types", "artist_types", postgresql_using="gin"),
    )



class FavoriteDemand(Base):
    """An artist's saved demand post."""

    __tablename__ = "favorite_demands"
    artist_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    created_at: Mapped[datetime] = _now_col()



class DemandResponse(Base):
    """An artist's quote on a demand: the booking it opened. One per artist per demand."""

    __tablename__ = "demand_responses"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"))
    artist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    message: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = _now_col()

    __table_args__ = (UniqueConstraint("demand_id", "artist_id", name="uq_demand_responses_artist"),)



class Review(Base):
    """A client's verified review of a completed booking (one per booking) and the artist's one reply."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist_profiles.user_id", ondelete="CASCADE"))
    effect_score: Mapped[int] = mapped_column(Integer)
    attitude_score: Mapped[int] = mapped_column(Integer)
    punctuality_score: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    photo_upload_ids: Mapped[list[str]] = mapped_column(ARRAY(String(36)), default=list, server_default="{}")
    status: Mapped[str] = mapped_column(String(16), default="visible", server_default="visible")
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    hidden_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reply: Mapped[str | None] = mapped_column(String(500))
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reply_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_col()

    __table_args__ = (
        CheckConstraint("effect_score between 1 and 5 and attitude_score between 1 and 5 "
                        "and punctuality_score between 1 and 5", name="scores"),
        CheckConstraint("status in ('visible','hidden')", name="status"),
        Index("ix_reviews_artist_created", "artist_id", "created_at"),
    )
