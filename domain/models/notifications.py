"""Notifications that reach people: each user's channel choices and one delivery row per notification and
outside channel (WeChat subscribe message, SMS). The in-app centre is the `notifications` row itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, _now_col


class NotificationSetting(Base):
    """A user's choice for one kind and channel; no row means the catalogue's default.

    `credits` counts WeChat one-time subscriptions the user granted (each allows one subscribe message)."""

    __tablename__ = "notification_settings"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    credits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = _now_col()


class NotificationDelivery(Base):
    """One notification on one outside channel. Unique per (notification, channel): sent at most once."""

    __tablename__ = "notification_deliveries"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | failed | skipped
    reason: Mapped[str | None] = mapped_column(String(200))  # why skipped or failed, in Chinese
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(300))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now_col()
    updated_at: Mapped[datetime] = _now_col()

    __table_args__ = (UniqueConstraint("notification_id", "channel", name="uq_notification_deliveries_channel"),
                      # The dispatcher's scan: pending rows not yet handed to a workflow.
                      Index("ix_notification_deliveries_pending", "id",
                            postgresql_where=text("status = 'pending' AND dispatched_at IS NULL")))
