"""Money around a booking, in fen: payment orders, the gateway callback inbox, refunds, payouts, penalties."""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


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
    # What the client needs to pay at the gateway (WeChat's signed requestPayment parameters, Alipay's tradeNO).
    pay_params: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    __table_args__ = (
        # Nothing is charged twice: one paid order per booking and kind.
        Index("uq_payment_orders_paid", "booking_id", "kind", unique=True, postgresql_where=text("status = 'paid'")),
        # Open orders by age: the reconciliation job asks the gateway about those whose callback never came.
        Index("ix_payment_orders_open", "created_at", postgresql_where=text("status = 'created'")),
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
    # One gateway refund per paid order it comes from: [{refund_no (our out_refund_no), order_id, gateway,
    # amount, state (processing / succeeded / failed), gateway_refund_id}]; the refund succeeds with all parts.
    parts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)

    __table_args__ = (UniqueConstraint("booking_id", "step", name="uq_refunds_booking_step"),)



def payout_no(booking_id: int) -> str:
    return f"PO{booking_id}"


class Payout(Base):
    __tablename__ = "payouts"
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    gross_amount: Mapped[int] = mapped_column(BigInteger)
    commission_amount: Mapped[int] = mapped_column(BigInteger)
    payout_amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _now_col()
    # Lifecycle: pending_approval -> approved -> paying -> paid | failed (an operator retries) ; or rejected.
    status: Mapped[str] = mapped_column(String(20), default="pending_approval", server_default="pending_approval")
    # Our id sent to the channel (one payout per booking): PO<booking id>.
    payout_no: Mapped[str] = mapped_column(String(32), unique=True, default=lambda ctx: payout_no(
        ctx.get_current_parameters()["booking_id"]))
    channel: Mapped[str | None] = mapped_column(String(20))
    auto_approve_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[int | None] = mapped_column(BigInteger)  # operator id; None with approved_at: automatic
    provider_id: Mapped[str | None] = mapped_column(String(64))
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_payouts_status", "status"),)



class Penalty(Base):
    __tablename__ = "penalties"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = _now_col()
