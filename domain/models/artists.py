"""An artist's public profile and what hangs off it: prices, calendar, profile drafts under review, tags,
qualifications, media cases, the agent team and its invitations."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE, ExcludeConstraint, Range
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.enums import BLOCKING_STATUSES
from domain.models.base import Base, _now_col

if TYPE_CHECKING:  # relationship targets in a sibling module
    from domain.models.accounts import User


class ArtistProfile(Base):
    __tablename__ = "artist_profiles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    stage_name: Mapped[str] = mapped_column(String(50))
    artist_types: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    styles: Mapped[list[str]] = mapped_column(ARRAY(String(30)), default=list, server_default="{}")
    city: Mapped[str] = mapped_column(String(30))
    contact_phone: Mapped[str] = mapped_column(String(20))
    contact_wechat: Mapped[str | None] = mapped_column(String(50))
    bio: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The approved public profile (drafts live in artist_profile_drafts until an operator approves them).
    avatar_upload_id: Mapped[str | None] = mapped_column(ForeignKey("uploads.id", ondelete="SET NULL"))
    regions: Mapped[list[str]] = mapped_column(ARRAY(String(30)), default=list, server_default="{}")
    active_since_year: Mapped[int | None] = mapped_column(Integer)
    works: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list, server_default="{}")
    team: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list, server_default="[]")
    travel_terms: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Privacy: prices shown as 面议; contact details only to clients with a confirmed booking.
    hide_prices: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    hide_contact: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    view_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_col()
    user: Mapped[User] = relationship(back_populates="artist_profile")
    prices: Mapped[list[ArtistPrice]] = relationship(order_by="ArtistPrice.min_amount")

    __table_args__ = (Index("ix_artist_profiles_city", "city"),
                      Index("ix_artist_profiles_types", "artist_types", postgresql_using="gin"))



class ArtistPrice(Base):
    """One line of an artist's price list, in fen."""

    __tablename__ = "artist_prices"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist_profiles.user_id", ondelete="CASCADE"),
                                           index=True)
    title: Mapped[str] = mapped_column(String(60))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    min_amount: Mapped[int] = mapped_column(BigInteger)
    max_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY", server_default="CNY")
    negotiable: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")

    __table_args__ = (CheckConstraint("min_amount >= 0 and max_amount >= min_amount", name="amounts"),)



class CalendarSlot(Base):
    """A stretch of an artist's time. Held/booked stretches of one artist never overlap (PostgreSQL)."""

    __tablename__ = "calendar_slots"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist_profiles.user_id", ondelete="CASCADE"))
    period: Mapped[Range[datetime]] = mapped_column(TSTZRANGE)
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai", server_default="Asia/Shanghai")
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = _now_col()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("status in ('available','held','booked','rest','unavailable')", name="status"),
        ExcludeConstraint(("artist_id", "="), ("period", "&&"), name="no_double_booking",
                          using="gist", where=text("status in ('held','booked')")),
        Index("ix_calendar_slots_artist_period", "artist_id", "period", postgresql_using="gist"),
    )


# The search's availability filter (search.pg, `available_on`) looks up one day's blocking slots of every
# artist: the (artist_id, period) GiST needs a full index pass for a period-only condition (~80 ms at 750k
# slots). Migration 0006 (the search index) created it.
Index("ix_calendar_slots_blocking_period", CalendarSlot.period, postgresql_using="gist",
      postgresql_where=CalendarSlot.status.in_(BLOCKING_STATUSES))



class ArtistProfileDraft(Base):
    """The artist's edited profile (JSON of the public fields and price list) until an operator decides.

    status: editing (saved, not submitted) -> pending (submitted) -> approved (copied onto the profile)
    or rejected (with a reason; the artist edits and submits again).
    """

    __tablename__ = "artist_profile_drafts"
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist_profiles.user_id", ondelete="CASCADE"),
                                           primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(16), default="editing", server_default="editing")
    review_reason: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = _now_col()

    __table_args__ = (
        CheckConstraint("status in ('editing','pending','approved','rejected')", name="status"),
        Index("ix_artist_profile_drafts_status", "status", "submitted_at"),
    )



class Tag(Base):
    """An operator-managed label such as 热门艺人 or 本地艺人."""

    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = _now_col()



class ArtistTag(Base):
    __tablename__ = "artist_tags"
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist_profiles.user_id", ondelete="CASCADE"),
                                           primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = _now_col()



class Qualification(Base):
    """A certificate or licence (营业性演出许可证) an artist uploaded: private, checked by an operator."""

    __tablename__ = "qualifications"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist_profiles.user_id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(60))
    upload_id: Mapped[str] = mapped_column(ForeignKey("uploads.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    review_reason: Mapped[str | None] = mapped_column(String(500))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_col()

    __table_args__ = (CheckConstraint("status in ('pending','approved','rejected')", name="status"),)



class MediaCase(Base):
    """A 演出案例: shown publicly once approved. Any edit sends it back to review."""

    __tablename__ = "media_cases"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist_profiles.user_id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(60))
    event_type: Mapped[str] = mapped_column(String(30))
    performed_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    moderation_status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    # The content-security check's verdict on text and media: pending / pass / review / risky.
    machine_check: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    review_reason: Mapped[str | None] = mapped_column(String(500))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_col()
    updated_at: Mapped[datetime] = _now_col()
    media: Mapped[list[CaseMedia]] = relationship(order_by="CaseMedia.position", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("moderation_status in ('pending','approved','rejected')", name="moderation_status"),
        CheckConstraint("machine_check in ('pending','pass','review','risky')", name="machine_check"),
        Index("ix_media_cases_artist", "artist_id", "position"),
        Index("ix_media_cases_queue", "moderation_status", "created_at"),
    )



class CaseMedia(Base):
    """One image or video of a case (an upload of purpose case_image / case_video)."""

    __tablename__ = "case_media"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("media_cases.id", ondelete="CASCADE"), index=True)
    upload_id: Mapped[str] = mapped_column(ForeignKey("uploads.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    check_trace_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # WeChat mediaCheckAsync
    check_status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")

    __table_args__ = (
        CheckConstraint("kind in ('image','video')", name="kind"),
        CheckConstraint("check_status in ('pending','pass','review','risky')", name="check_status"),
    )



class ArtistManager(Base):
    """A member of an artist's agent team (经纪人/助理): may edit the artist's profile draft, cases,
    qualifications and calendar on the artist's behalf. Only the artist adds or removes members."""

    __tablename__ = "artist_managers"
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist_profiles.user_id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)  # index: "the artists I manage"
    role: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = _now_col()

    __table_args__ = (
        CheckConstraint("role in ('agent','assistant')", name="role"),
        CheckConstraint("artist_id <> user_id", name="not_self"),
    )



class TeamInvitation(Base):
    """An artist's invitation to join the team, by phone; the invited person becomes a member only by accepting.

    Keyed by the phone, not a user id: the answer to the artist never says whether the phone has an account,
    and a phone that registers later sees the invitation. Expiry is read from `expires_at` (no sweeper)."""

    __tablename__ = "team_invitations"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist_profiles.user_id", ondelete="CASCADE"))
    phone: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    created_at: Mapped[datetime] = _now_col()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("role in ('agent','assistant')", name="role"),
        CheckConstraint("status in ('pending','accepted','declined','cancelled')", name="status"),
        Index("ix_team_invitations_phone_status", "phone", "status"),  # "my invitations"
        Index("ix_team_invitations_artist_created", "artist_id", "created_at"),  # the team page, the rate limit
    )
