"""All SQLAlchemy models in one module (avoids import cycles between domains)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE, ExcludeConstraint, Range
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.db import Base
from domain.time import utc_now


def _now_col() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), default=utc_now, server_default=text("now()"))


class User(Base):
    """A client and/or artist account (operators live in `operators`)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    wechat_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    wechat_unionid: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    verification_status: Mapped[str] = mapped_column(String(16), default="unverified",
                                                     server_default="unverified")
    created_at: Mapped[datetime] = _now_col()
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    client_profile: Mapped[ClientProfile | None] = relationship(back_populates="user", uselist=False)
    artist_profile: Mapped[ArtistProfile | None] = relationship(back_populates="user", uselist=False)

    __table_args__ = (
        CheckConstraint("status in ('active','warned','banned')", name="status"),
        CheckConstraint("verification_status in ('unverified','pending','verified','rejected')",
                        name="verification_status"),
    )

    @property
    def roles(self) -> list[str]:
        return [r for r, p in (("client", self.client_profile), ("artist", self.artist_profile)) if p]


class ClientProfile(Base):
    __tablename__ = "client_profiles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    org_name: Mapped[str] = mapped_column(String(100))
    industry: Mapped[str] = mapped_column(String(32))
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = _now_col()
    user: Mapped[User] = relationship(back_populates="client_profile")


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


class Operator(Base):
    __tablename__ = "operators"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = _now_col()


class AuthSession(Base):
    """One login. The access token names it; refresh tokens rotate; logout revokes it."""

    __tablename__ = "auth_sessions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    acting_role: Mapped[str | None] = mapped_column(String(16))
    refresh_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    previous_refresh_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = _now_col()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (CheckConstraint("(user_id is null) <> (operator_id is null)", name="one_subject"),)


class SmsCode(Base):
    __tablename__ = "sms_codes"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    ip: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _now_col()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    consumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_sms_codes_phone_created", "phone", "created_at"),
                      Index("ix_sms_codes_ip_created", "ip", "created_at"))


class PhoneLock(Base):
    """A phone locked out of SMS login after too many wrong codes."""

    __tablename__ = "phone_locks"
    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    locked_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginThrottle(Base):
    """Failed operator logins per submitted username and per client IP, and the lock they lead to."""

    __tablename__ = "login_throttles"
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)  # "username" | "ip"
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AccountStatusChange(Base):
    __tablename__ = "account_status_changes"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = _now_col()


class Upload(Base):
    """A private file a user uploaded (e.g. a business licence). Never served publicly."""

    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(30))
    object_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _now_col()


class RealNameVerification(Base):
    """One real-name submission. The ID number is AES-GCM encrypted; a keyed hash finds duplicates."""

    __tablename__ = "real_name_verifications"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(16))
    legal_name_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    legal_name_masked: Mapped[str] = mapped_column(String(40))
    id_number_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_hash: Mapped[str] = mapped_column(String(64))
    id_number_masked: Mapped[str] = mapped_column(String(20))
    licence_upload_id: Mapped[str | None] = mapped_column(ForeignKey("uploads.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    reason: Mapped[str | None] = mapped_column(String(200))
    provider: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = _now_col()
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("status in ('pending','verified','rejected')", name="status"),
        # One identity belongs to one account: a second account can't claim a verified/pending ID.
        Index("uq_real_name_id_hash_active", "id_number_hash", unique=True,
              postgresql_where=text("status in ('pending','verified')")),
    )


class SystemSetting(Base):
    """Platform rules operators can change (e.g. whether booking needs real-name verification)."""

    __tablename__ = "system_settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = _now_col()
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))


# --- bookings (projection written by activities; the workflow is the source of truth)


class Inquiry(Base):
    """One client request sent to 1-10 artists; each artist gets a booking of their own."""

    __tablename__ = "inquiries"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(30))
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai", server_default="Asia/Shanghai")
    city: Mapped[str] = mapped_column(String(30))
    venue_address: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    audience_size: Mapped[int] = mapped_column(Integer)
    requirements: Mapped[str] = mapped_column(Text, default="", server_default="")
    budget_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY", server_default="CNY")
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = _now_col()


class Booking(Base):
    __tablename__ = "bookings"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="REQUESTED", server_default="REQUESTED")
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    currency: Mapped[str] = mapped_column(String(3), default="CNY", server_default="CNY")
    # Quote and money, in fen. Computed once and snapshotted; never re-derived from changed settings.
    fee_amount: Mapped[int | None] = mapped_column(BigInteger)
    deposit_amount: Mapped[int | None] = mapped_column(BigInteger)
    balance_amount: Mapped[int | None] = mapped_column(BigInteger)
    quote: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    commission_rate_bp: Mapped[int] = mapped_column(Integer)
    paid_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    commission_amount: Mapped[int | None] = mapped_column(BigInteger)
    payout_amount: Mapped[int | None] = mapped_column(BigInteger)
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    balance_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    needs_operator: Mapped[str | None] = mapped_column(String(200))  # why an operator must look at it
    reason: Mapped[str | None] = mapped_column(String(500))  # reject / cancel / dispute reason
    created_at: Mapped[datetime] = _now_col()
    updated_at: Mapped[datetime] = _now_col()

    __table_args__ = (Index("ix_bookings_status", "status"),)


class BookingEvent(Base):
    """One row per transition or side effect: who, when, from -> to, data. Unique per step (idempotent)."""

    __tablename__ = "booking_events"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[datetime] = _now_col()

    __table_args__ = (UniqueConstraint("booking_id", "step", name="uq_booking_events_step"),)


class Contract(Base):
    __tablename__ = "contracts"
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)
    terms: Mapped[dict[str, Any]] = mapped_column(JSONB)
    terms_sha256: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    client_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    client_signer_id: Mapped[int | None] = mapped_column(BigInteger)
    client_signature_key: Mapped[str | None] = mapped_column(String(200))
    artist_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    artist_signer_id: Mapped[int | None] = mapped_column(BigInteger)
    artist_signature_key: Mapped[str | None] = mapped_column(String(200))


class PaymentOrder(Base):
    __tablename__ = "payment_orders"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # our out_trade_no
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # deposit / balance
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY", server_default="CNY")
    gateway: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="created", server_default="created")
    gateway_txn_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = _now_col()
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # Nothing is charged twice: one paid order per booking and kind.
        Index("uq_payment_orders_paid", "booking_id", "kind", unique=True, postgresql_where=text("status = 'paid'")),
    )


class PaymentNotification(Base):
    """Inbox of gateway callbacks: a notification is recorded (and acted on) once."""

    __tablename__ = "payment_notifications"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20))
    notification_id: Mapped[str] = mapped_column(String(80))
    order_id: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = _now_col()

    __table_args__ = (UniqueConstraint("gateway", "notification_id", name="uq_payment_notifications_id"),)


class Refund(Base):
    __tablename__ = "refunds"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    step: Mapped[str] = mapped_column(String(80))  # one refund per booking and step ("refund-cancel", ...)
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(300))
    gateway_refund_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = _now_col()
    succeeded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("booking_id", "step", name="uq_refunds_booking_step"),)


class Payout(Base):
    __tablename__ = "payouts"
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    gross_amount: Mapped[int] = mapped_column(BigInteger)
    commission_amount: Mapped[int] = mapped_column(BigInteger)
    payout_amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _now_col()


class Penalty(Base):
    __tablename__ = "penalties"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = _now_col()


class Dispute(Base):
    __tablename__ = "disputes"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    step: Mapped[str] = mapped_column(String(80))
    opened_by_role: Mapped[str] = mapped_column(String(16))
    opened_by_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(1000))
    evidence: Mapped[list[str]] = mapped_column(ARRAY(String(200)), default=list, server_default="{}")
    from_status: Mapped[str] = mapped_column(String(20))
    resolution: Mapped[str | None] = mapped_column(String(20))
    refund_amount: Mapped[int | None] = mapped_column(BigInteger)
    resolution_reason: Mapped[str | None] = mapped_column(String(1000))
    resolved_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _now_col()
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("booking_id", "step", name="uq_disputes_booking_step"),)


class Notification(Base):
    """In-app notification centre. Unique per user and step, so a retried activity notifies once."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = _now_col()
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("user_id", "step", name="uq_notifications_user_step"),
                      Index("ix_notifications_user_created", "user_id", "created_at"))


# --- discovery: favorites and demand posts (需求)


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


# --- artist profiles under review, tags, qualifications, media cases, reviews


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


class SearchOutbox(Base):
    """Artists whose search entry must be rewritten. Written in the same transaction as the change, so an
    index that is down loses nothing: the outbox is drained (and retried) after commit and by the worker."""

    __tablename__ = "search_outbox"
    artist_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    enqueued_at: Mapped[datetime] = _now_col()
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(300))


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
