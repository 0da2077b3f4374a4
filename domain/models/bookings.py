"""Bookings: a projection written by activities (the workflow is the source of truth).

Inquiries, bookings, their event log, contracts, disputes and the in-app notifications they send."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


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

    __table_args__ = (Index("ix_bookings_status", "status"),
                      # Date ranges: the dashboard's orders (created) and paid shows (performance date).
                      Index("ix_bookings_created_at", "created_at"), Index("ix_bookings_start_at", "start_at"))



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
    # What it is about (domain.notifications.kinds): picks the user's channel settings and message templates.
    kind: Mapped[str] = mapped_column(String(40), default="other", server_default="other")
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = _now_col()
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("user_id", "step", name="uq_notifications_user_step"),
                      Index("ix_notifications_user_created", "user_id", "created_at"))
