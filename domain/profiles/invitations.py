"""Team invitations: an artist invites a 经纪人/助理 by phone; only the invited person's acceptance adds them.

Why invitations: adding by phone told anyone whether a phone had an account (a user id or 404) and put people on
a team without asking them. Now the artist's answer is the same for every valid phone and names no account; the
invitation is keyed by the phone, so a phone that registers later finds it; sending is rate-limited per artist.

Services only flush; the request commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from domain.accounts.crypto import mask_phone
from domain.errors import AppError, ArtistNotFound, NotFound, TooManyRequests
from domain.models import ArtistProfile, Notification, TeamInvitation, User
from domain.notifications.kinds import Kind
from domain.notifications.service import notify
from domain.profiles import managers
from domain.profiles.schemas import (
    MANAGER_ROLE_LABELS,
    ManagedArtistOut,
    ReceivedInvitationOut,
    TeamInvitationOut,
    TeamInviteOut,
)
from domain.time import utc_now

INVITATION_TTL = timedelta(days=7)
# (window, max invitations per artist, Chinese explanation)
INVITE_LIMITS = [(timedelta(hours=1), 10, "邀请过于频繁，1小时内最多发出10个邀请，请稍后再试"),
                 (timedelta(days=1), 30, "今日发出的邀请已达上限（30个），请明天再试")]


class InvitationNotFound(NotFound):
    code, message = "team_invitation_not_found", "邀请不存在或已撤销"


class InvitationExpired(AppError):
    status, code, message = 409, "team_invitation_expired", "邀请已过期，请联系艺人重新邀请"


class InvitationClosed(AppError):
    status, code, message = 409, "team_invitation_closed", "该邀请已处理过"


def _label(role: str) -> str:
    return MANAGER_ROLE_LABELS.get(role, role)


def _step(invitation_id: int) -> str:
    return f"team-invite:{invitation_id}"


def _notify(session: Session, user_id: int, inv: TeamInvitation, stage_name: str) -> None:
    """Tell the invited user in the notification centre (once per invitation and user)."""
    notify(session, user_id, Kind.TEAM_INVITATION, "团队邀请",
           f"艺人「{stage_name}」邀请您成为其{_label(inv.role)}，请在「我的 - 团队邀请」中接受或拒绝（7天内有效）",
           booking_id=None, step=_step(inv.id))


# --- the artist's side


def _pending(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (TeamInvitation.status == "pending", TeamInvitation.expires_at > now)


def _out(inv: TeamInvitation) -> TeamInvitationOut:
    return TeamInvitationOut(id=inv.id, phone_masked=mask_phone(inv.phone), role=inv.role,
                             role_label=_label(inv.role), created_at=inv.created_at, expires_at=inv.expires_at)


def invite(session: Session, artist_id: int, phone: str, role: str) -> TeamInviteOut:
    """Invite by phone. Inviting a phone again replaces its pending invitation (new role, new expiry)."""
    # Lock the artist's row: one artist's invitations are serialised, so the rate limit is exact.
    profile = session.scalar(select(ArtistProfile).where(ArtistProfile.user_id == artist_id).with_for_update())
    if profile is None:
        raise ArtistNotFound()
    if session.scalar(select(User.phone).where(User.id == artist_id)) == phone:
        raise managers.MemberIsSelf()
    if managers.team_size(session, artist_id) >= managers.MAX_MANAGERS:
        raise managers.TeamFull()
    now = utc_now()
    for window, limit, message in INVITE_LIMITS:
        sent = session.scalar(select(func.count()).select_from(TeamInvitation).where(
            TeamInvitation.artist_id == artist_id, TeamInvitation.created_at > now - window)) or 0
        if sent >= limit:
            raise TooManyRequests(message, code="team_invite_limit_reached")
    superseded = list(session.scalars(
        update(TeamInvitation).where(TeamInvitation.artist_id == artist_id, TeamInvitation.phone == phone,
                                     TeamInvitation.status == "pending")
        .values(status="cancelled", responded_at=now).returning(TeamInvitation.id)))
    _forget_notifications(session, superseded)
    inv = TeamInvitation(artist_id=artist_id, phone=phone, role=role, created_at=now, expires_at=now + INVITATION_TTL)
    session.add(inv)
    session.flush()
    invitee = session.scalar(select(User.id).where(User.phone == phone))
    if invitee is not None:
        _notify(session, invitee, inv, profile.stage_name)
    session.flush()
    return TeamInviteOut(**_out(inv).model_dump())


def pending_for_artist(session: Session, artist_id: int) -> list[TeamInvitationOut]:
    rows = session.scalars(select(TeamInvitation).where(TeamInvitation.artist_id == artist_id, *_pending(utc_now()))
                           .order_by(TeamInvitation.created_at.desc(), TeamInvitation.id.desc()))
    return [_out(inv) for inv in rows]


def cancel(session: Session, artist_id: int, invitation_id: int) -> None:
    gone = session.execute(update(TeamInvitation)
                           .where(TeamInvitation.id == invitation_id, TeamInvitation.artist_id == artist_id,
                                  TeamInvitation.status == "pending")
                           .values(status="cancelled", responded_at=utc_now()).returning(TeamInvitation.id)).first()
    if gone is None:
        raise InvitationNotFound()
    _forget_notifications(session, [invitation_id])


def _forget_notifications(session: Session, invitation_ids: list[int]) -> None:
    """A cancelled invitation must not stay in the invited user's notification centre as if it were open."""
    if invitation_ids:
        session.execute(delete(Notification).where(Notification.booking_id.is_(None),
                                                   Notification.step.in_([_step(i) for i in invitation_ids])))


# --- the invited user's side


def received(session: Session, user: User) -> list[ReceivedInvitationOut]:
    if not user.phone:
        return []
    rows = session.execute(select(TeamInvitation, ArtistProfile.stage_name)
                           .join(ArtistProfile, ArtistProfile.user_id == TeamInvitation.artist_id)
                           .where(TeamInvitation.phone == user.phone, *_pending(utc_now()))
                           .order_by(TeamInvitation.created_at.desc(), TeamInvitation.id.desc())).all()
    return [ReceivedInvitationOut(id=inv.id, artist_id=inv.artist_id, stage_name=name, role=inv.role,
                                  role_label=_label(inv.role), created_at=inv.created_at, expires_at=inv.expires_at)
            for inv, name in rows]


def _mine(session: Session, user: User, invitation_id: int) -> TeamInvitation:
    """The user's own invitation, locked. Anyone else's is 'not found': no hint that it exists."""
    inv = session.scalar(select(TeamInvitation).where(TeamInvitation.id == invitation_id).with_for_update())
    if inv is None or not user.phone or inv.phone != user.phone or inv.status == "cancelled":
        raise InvitationNotFound()
    if inv.status != "pending":
        raise InvitationClosed()
    if inv.expires_at <= utc_now():
        raise InvitationExpired()
    if inv.artist_id == user.id:
        raise managers.MemberIsSelf()
    return inv


def accept(session: Session, user: User, invitation_id: int) -> ManagedArtistOut:
    inv = _mine(session, user, invitation_id)
    managers.join(session, inv.artist_id, user.id, inv.role)
    inv.status, inv.responded_at, inv.accepted_by = "accepted", utc_now(), user.id
    _mark_read(session, user.id, inv.id)
    session.flush()
    for artist in managers.managed_artists(session, user.id):
        if artist.artist_id == inv.artist_id:
            return artist
    raise InvitationNotFound()  # unreachable: joined above


def decline(session: Session, user: User, invitation_id: int) -> None:
    inv = _mine(session, user, invitation_id)
    inv.status, inv.responded_at = "declined", utc_now()
    _mark_read(session, user.id, inv.id)


def _mark_read(session: Session, user_id: int, invitation_id: int) -> None:
    session.execute(update(Notification).where(Notification.user_id == user_id,
                                               Notification.step == _step(invitation_id),
                                               Notification.read_at.is_(None)).values(read_at=utc_now()))


def notify_new_account(session: Session, user: User) -> None:
    """A phone invited before it had an account: its open invitations reach the notification centre now."""
    if not user.phone:
        return
    rows = session.execute(select(TeamInvitation, ArtistProfile.stage_name)
                           .join(ArtistProfile, ArtistProfile.user_id == TeamInvitation.artist_id)
                           .where(TeamInvitation.phone == user.phone, *_pending(utc_now()))).all()
    for inv, name in rows:
        _notify(session, user.id, inv, name)
