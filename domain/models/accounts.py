"""Users and how they log in: accounts, client profiles, sessions, SMS codes, real-name checks."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.models.base import Base, _now_col

if TYPE_CHECKING:  # relationship targets in a sibling module
    from domain.models.artists import ArtistProfile


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
        Index("ix_users_created_at", "created_at"),  # the dashboard's new users by day
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
