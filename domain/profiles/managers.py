"""An artist's agent team (经纪人/助理): who may act for which artist.

Only the artist invites (domain.profiles.invitations) or removes members; the invited person joins by accepting;
a member may leave. A member acting for an artist (the `X-Artist-Id`
header, api.deps.ActingArtist) edits that artist's profile draft, cases, qualifications and calendar; every
such service call is keyed by the artist id checked here, so a member never reaches another artist. Team
management, privacy settings and booking actions stay with the artist's own account.

Services only flush; the request commits.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from domain.accounts.crypto import mask_phone
from domain.errors import AppError, ArtistNotFound, Conflict, NotFound, PermissionDenied
from domain.models import ArtistManager, ArtistProfile, User
from domain.profiles.schemas import MANAGER_ROLE_LABELS, ManagedArtistOut, ManagerOut

MAX_MANAGERS = 10


class NotArtistManager(PermissionDenied):
    code, message = "not_artist_manager", "您不是该艺人的经纪人或助理，无权代为操作"


class ManagedArtistBanned(PermissionDenied):
    code, message = "artist_banned", "该艺人账号已被封禁，暂不能代为操作"


class MemberIsSelf(AppError):
    status, code, message = 422, "team_member_self", "不能把自己添加为团队成员"


class TeamFull(Conflict):
    code, message = "team_full", f"团队成员最多{MAX_MANAGERS}人，请先移除不再合作的成员"


class MemberNotFound(NotFound):
    code, message = "team_member_not_found", "该成员不在团队中"


class NotInTeam(NotFound):
    code, message = "team_membership_not_found", "您不是该艺人的团队成员"


# --- who acts for whom


def acting_role_for(session: Session, artist_id: int, user_id: int) -> str | None:
    """May `user_id` act for `artist_id`? None: they are the artist; 'agent'/'assistant': a team member.
    Unknown artist -> 404; anyone else -> 403."""
    row = session.execute(select(ArtistProfile.user_id, User.status).join(User, User.id == ArtistProfile.user_id)
                          .where(ArtistProfile.user_id == artist_id)).first()
    if row is None:
        raise ArtistNotFound()
    if user_id == artist_id:
        return None
    role = session.scalar(select(ArtistManager.role).where(ArtistManager.artist_id == artist_id,
                                                           ArtistManager.user_id == user_id))
    if role is None:
        raise NotArtistManager()
    if row.status == "banned":
        raise ManagedArtistBanned()
    return role


def manager_ids(session: Session, artist_id: int) -> set[int]:
    return set(session.scalars(select(ArtistManager.user_id).where(ArtistManager.artist_id == artist_id)))


def upload_owners(session: Session, artist_id: int, actor_id: int | None) -> set[int]:
    """Whose uploads may be attached to the artist's profile, cases and qualifications: the artist's own and
    those of the person acting (when they are the artist or a current team member). `actor_id=None` (an
    operator deciding later): the artist's and any current member's."""
    if actor_id is None:
        return {artist_id} | manager_ids(session, artist_id)
    if actor_id == artist_id:
        return {artist_id}
    is_member = session.scalar(select(ArtistManager.user_id).where(ArtistManager.artist_id == artist_id,
                                                                   ArtistManager.user_id == actor_id))
    return {artist_id, actor_id} if is_member is not None else {artist_id}


# --- the artist's side


def _member_out(m: ArtistManager, phone: str | None) -> ManagerOut:
    return ManagerOut(user_id=m.user_id, phone=mask_phone(phone), role=m.role,
                      role_label=MANAGER_ROLE_LABELS.get(m.role, m.role), added_at=m.added_at)


def list_team(session: Session, artist_id: int) -> list[ManagerOut]:
    rows = session.execute(select(ArtistManager, User.phone).join(User, User.id == ArtistManager.user_id)
                           .where(ArtistManager.artist_id == artist_id)
                           .order_by(ArtistManager.added_at, ArtistManager.user_id)).all()
    return [_member_out(m, phone) for m, phone in rows]


def join(session: Session, artist_id: int, user_id: int, role: str) -> None:
    """Make `user_id` a member (an accepted invitation). Joining again keeps them, with the role now given."""
    # Lock the artist's row: concurrent joins to one artist are serialised, so the limit holds.
    if session.scalar(select(ArtistProfile.user_id).where(ArtistProfile.user_id == artist_id)
                      .with_for_update()) is None:
        raise ArtistNotFound()
    member = session.get(ArtistManager, (artist_id, user_id))
    if member is None:
        if team_size(session, artist_id) >= MAX_MANAGERS:
            raise TeamFull("该艺人的团队成员已满10人，暂时无法加入", code="team_full")
        session.add(ArtistManager(artist_id=artist_id, user_id=user_id, role=role))
    else:
        member.role = role
    session.flush()


def team_size(session: Session, artist_id: int) -> int:
    return session.scalar(select(func.count()).select_from(ArtistManager)
                          .where(ArtistManager.artist_id == artist_id)) or 0


def remove_member(session: Session, artist_id: int, user_id: int) -> None:
    gone = session.execute(delete(ArtistManager).where(ArtistManager.artist_id == artist_id,
                                                       ArtistManager.user_id == user_id)
                           .returning(ArtistManager.user_id)).first()
    if gone is None:
        raise MemberNotFound()


# --- the member's side


def managed_artists(session: Session, user_id: int) -> list[ManagedArtistOut]:
    rows = session.execute(select(ArtistManager, ArtistProfile.stage_name)
                           .join(ArtistProfile, ArtistProfile.user_id == ArtistManager.artist_id)
                           .where(ArtistManager.user_id == user_id)
                           .order_by(ArtistManager.added_at, ArtistManager.artist_id)).all()
    return [ManagedArtistOut(artist_id=m.artist_id, stage_name=name, role=m.role,
                             role_label=MANAGER_ROLE_LABELS.get(m.role, m.role), added_at=m.added_at)
            for m, name in rows]


def leave(session: Session, user_id: int, artist_id: int) -> None:
    gone = session.execute(delete(ArtistManager).where(ArtistManager.artist_id == artist_id,
                                                       ArtistManager.user_id == user_id)
                           .returning(ArtistManager.artist_id)).first()
    if gone is None:
        raise NotInTeam()
