"""Users (clients and artists): accounts, role profiles, acting role, status changes, the booking rule."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from domain.accounts import exports, rules
from domain.accounts.crypto import mask_phone
from domain.accounts.schemas import (
    AdminUserOut,
    ArtistProfileIn,
    ArtistProfileOut,
    ClientProfileIn,
    ClientProfileOut,
    MeOut,
    VerificationOut,
)
from domain.accounts.sessions import revoke_all_for_user
from domain.artists.changes import artist_changed
from domain.artists.onboarding import open_application
from domain.enums import INDUSTRY_LABELS, ROLE_LABELS
from domain.errors import AppError, Conflict, NotFound
from domain.models import (
    AccountStatusChange,
    ArtistProfile,
    AuthSession,
    ClientProfile,
    RealNameVerification,
    User,
)
from domain.profiles import invitations
from domain.time import utc_now


class RoleProfileMissing(AppError):
    status, code = 409, "role_profile_missing"


def get_user(session: Session, user_id: int) -> User:
    user = session.scalar(select(User).where(User.id == user_id)
                          .options(selectinload(User.client_profile), selectinload(User.artist_profile)))
    if user is None:
        raise NotFound("用户不存在")
    return user


def user_for_phone(session: Session, phone: str) -> User:
    """The account of this phone, created on first login (SMS login doubles as sign-up)."""
    user = session.scalar(select(User).where(User.phone == phone))
    if user is None:
        user = User(phone=phone)
        session.add(user)
        session.flush()
        invitations.notify_new_account(session, user)
    user.last_login_at = utc_now()
    session.flush()
    return user


def user_for_openid(session: Session, openid: str, unionid: str | None) -> User:
    user = session.scalar(select(User).where(User.wechat_openid == openid))
    if user is None:
        user = User(wechat_openid=openid, wechat_unionid=unionid)
        session.add(user)
    user.last_login_at = utc_now()
    session.flush()
    return user


def bind_phone(session: Session, user: User, phone: str) -> User:
    """Attach a WeChat-verified phone. If that phone already has an account, the WeChat identity moves
    to it when the WeChat-only account is still empty; otherwise it is a conflict."""
    if user.phone == phone:
        return user
    owner = session.scalar(select(User).where(User.phone == phone))
    if owner is None:
        user.phone = phone
        session.flush()
        invitations.notify_new_account(session, user)
        return user
    if owner.wechat_openid and owner.wechat_openid != user.wechat_openid:
        raise Conflict("该手机号已绑定其他微信账号", code="phone_taken")
    if user.phone or user.roles:
        raise Conflict("当前微信账号已有资料，无法合并到该手机号账号，请联系客服", code="phone_taken")
    openid, unionid = user.wechat_openid, user.wechat_unionid
    revoke_all_for_user(session, user.id)
    session.delete(user)
    session.flush()
    owner.wechat_openid, owner.wechat_unionid = openid, unionid
    session.flush()
    return owner


def booking_block_reason(session: Session, user: User) -> str | None:
    """Why this user may not send or accept a booking now (None = allowed)."""
    if user.status == "banned":
        return "账号已被封禁"
    if rules.get_rule(session, "booking.require_verification") and user.verification_status != "verified":
        return "完成实名认证后才能发起或接受预约"
    return None


def latest_verification(session: Session, user_id: int) -> RealNameVerification | None:
    return session.scalar(select(RealNameVerification).where(RealNameVerification.user_id == user_id)
                          .order_by(RealNameVerification.created_at.desc()).limit(1))


def me_view(session: Session, user: User, acting_role: str | None) -> MeOut:
    session.refresh(user, ["client_profile", "artist_profile"])
    cp, ap = user.client_profile, user.artist_profile
    ver = latest_verification(session, user.id)
    reason = booking_block_reason(session, user)
    return MeOut(
        id=user.id, phone=mask_phone(user.phone), status=user.status, roles=user.roles,
        acting_role=acting_role if acting_role in user.roles else None,
        client_profile=ClientProfileOut(org_name=cp.org_name, industry=cp.industry,
                                        industry_label=INDUSTRY_LABELS[cp.industry],
                                        contact_name=cp.contact_name, contact_phone=cp.contact_phone)
        if cp else None,
        artist_profile=ArtistProfileOut(stage_name=ap.stage_name, artist_types=ap.artist_types,
                                        styles=ap.styles, city=ap.city, contact_phone=ap.contact_phone,
                                        contact_wechat=ap.contact_wechat) if ap else None,
        verification=VerificationOut(status=user.verification_status,
                                     reason=ver.reason if ver and ver.status == "rejected" else None,
                                     subject=ver.subject if ver else None,
                                     legal_name=ver.legal_name_masked if ver else None,
                                     id_number=ver.id_number_masked if ver else None),
        can_book=reason is None, can_book_reason=reason,
    )


class RegistrationClosed(AppError):
    status, code = 409, "registration_closed"


def save_client_profile(session: Session, user: User, data: ClientProfileIn) -> ClientProfile:
    existing = session.get(ClientProfile, user.id)
    if existing is None and not rules.get_rule(session, "registration.client_open"):
        raise RegistrationClosed("平台暂停新的需求方注册，请联系客服")
    profile = existing or ClientProfile(user_id=user.id)
    profile.org_name, profile.industry = data.org_name, data.industry.value
    profile.contact_name, profile.contact_phone = data.contact_name, data.contact_phone
    session.add(profile)
    session.flush()
    return profile


class PublicProfileReviewed(AppError):
    status, code = 409, "profile_needs_review"
    message = "艺名、类型、风格和城市已公开展示，请在“编辑资料”中修改并提交审核"


def save_artist_profile(session: Session, user: User, data: ArtistProfileIn) -> ArtistProfile:
    """Registers the artist role. Once registered, only the (private) contact details change here: public
    fields go through a reviewed draft (domain.profiles)."""
    types, styles = [t.value for t in data.artist_types], list(dict.fromkeys(data.styles))
    profile = session.get(ArtistProfile, user.id)
    if profile is None and not rules.get_rule(session, "registration.artist_open"):
        raise RegistrationClosed("平台暂停新艺人入驻，请联系客服")
    if profile is None:
        profile = ArtistProfile(user_id=user.id, stage_name=data.stage_name, city=data.city, artist_types=types,
                                styles=styles)
    elif (profile.stage_name, profile.city, profile.artist_types, profile.styles) != (
            data.stage_name, data.city, types, styles):
        raise PublicProfileReviewed()
    new = profile not in session
    profile.contact_phone, profile.contact_wechat = data.contact_phone, data.contact_wechat
    session.add(profile)
    session.flush()
    if new:  # public only once an operator approves it (艺人入驻审核)
        open_application(session, profile)
    artist_changed(session, user.id)
    return profile


def choose_role(session: Session, auth: AuthSession, user: User, role: str) -> None:
    session.refresh(user, ["client_profile", "artist_profile"])
    if role not in user.roles:
        raise RoleProfileMissing(f"请先完成{ROLE_LABELS[role]}资料登记")
    auth.acting_role = role
    session.flush()


# --- operators' view of users


def list_users(session: Session, *, phone: str | None, role: str | None, status: str | None,
               page: int, page_size: int, pii: bool) -> tuple[list[AdminUserOut], int]:
    """`pii`: whether the operator may see phone numbers (else masked, and found by the full number only)."""
    q = exports.users_query(phone=phone, role=role, status=status, pii=pii)
    total = session.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
    rows = session.scalars(q.offset((page - 1) * page_size).limit(page_size)).all()
    return [admin_user_view(u, pii=pii) for u in rows], total


def admin_user_view(u: User, *, pii: bool) -> AdminUserOut:
    return AdminUserOut(id=u.id, phone=u.phone if pii else mask_phone(u.phone), status=u.status, roles=u.roles,
                        org_name=u.client_profile.org_name if u.client_profile else None,
                        stage_name=u.artist_profile.stage_name if u.artist_profile else None,
                        verification_status=u.verification_status, created_at=u.created_at)


def change_status(session: Session, user: User, operator_id: int, status: str, reason: str) -> None:
    if user.status == status:
        raise Conflict("账号已是该状态", code="status_unchanged")
    session.add(AccountStatusChange(user_id=user.id, operator_id=operator_id, from_status=user.status,
                                    to_status=status, reason=reason))
    user.status = status
    if status == "banned":
        revoke_all_for_user(session, user.id)
    session.flush()
    artist_changed(session, user.id)  # a banned artist leaves the results

