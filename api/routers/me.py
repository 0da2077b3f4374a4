"""The logged-in user: profile, role choice, role profiles, real-name verification, private uploads, the
artist's income summary, and the artist's agent team (the artist invites and removes members; the invited user
accepts or declines; a member lists the artists they manage and may leave)."""

from __future__ import annotations

from fastapi import APIRouter, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.deps import ArtistSelf, Ctx, Db, Me, PathId
from domain.accounts import users, verification
from domain.accounts.schemas import (
    ArtistProfileIn,
    ClientProfileIn,
    MeOut,
    RoleIn,
    UploadOut,
    VerificationIn,
    VerificationOut,
)
from domain.bookings import income
from domain.bookings.income import IncomeOut
from domain.profiles import invitations, managers
from domain.profiles.schemas import (
    ManagedArtistOut,
    ManagerIn,
    ManagerOut,
    ReceivedInvitationOut,
    TeamInvitationOut,
    TeamInviteOut,
)
from domain.uploads import service as uploads

router = APIRouter(tags=["me"])


@router.get("/me", response_model=MeOut, summary="当前用户")
def get_me(me: Me, db: Db) -> MeOut:
    return users.me_view(db, me.user, me.acting_role)


@router.post("/me/role", response_model=MeOut, summary="切换当前身份")
def set_role(body: RoleIn, me: Me, db: Db) -> MeOut:
    users.choose_role(db, me.auth, me.user, body.role)
    return users.me_view(db, me.user, me.acting_role)


@router.put("/me/client-profile", response_model=MeOut, summary="登记/修改需求方资料")
def put_client_profile(body: ClientProfileIn, me: Me, db: Db) -> MeOut:
    users.save_client_profile(db, me.user, body)
    if me.auth.acting_role is None:
        me.auth.acting_role = "client"
    return users.me_view(db, me.user, me.acting_role)


@router.put("/me/artist-profile", response_model=MeOut, summary="登记/修改艺人资料")
def put_artist_profile(body: ArtistProfileIn, me: Me, db: Db) -> MeOut:
    users.save_artist_profile(db, me.user, body)
    if me.auth.acting_role is None:
        me.auth.acting_role = "artist"
    return users.me_view(db, me.user, me.acting_role)


@router.post("/me/verification", response_model=VerificationOut, summary="提交实名认证")
async def submit_verification(body: VerificationIn, me: Me, db: Db, ctx: Ctx) -> VerificationOut:
    from workflows.real_name import RealNameVerificationWorkflow

    row = await run_in_threadpool(verification.submit, db, ctx.cipher, me.user, body)
    client = await ctx.temporal()
    # Started before the commit: if Temporal is down nothing is saved; the activity retries until it
    # sees the committed row.
    await client.start_workflow(RealNameVerificationWorkflow.run, row.id, id=f"realname-{row.id}",
                                task_queue=ctx.settings.temporal_task_queue)
    return VerificationOut(status="pending", subject=row.subject, legal_name=row.legal_name_masked,
                           id_number=row.id_number_masked)


@router.get("/me/verification", response_model=VerificationOut, summary="实名认证状态")
def get_verification(me: Me, db: Db) -> VerificationOut:
    return users.me_view(db, me.user, me.acting_role).verification


@router.post("/uploads/licence", response_model=UploadOut, summary="上传营业执照（私有）")
def upload_licence(file: UploadFile, me: Me, db: Db, ctx: Ctx) -> UploadOut:
    # Validated by content like every upload (domain.uploads); kept as one call for the mini-program.
    # The spooled request file is streamed to storage, not read into memory.
    stored = uploads.store_for_purpose(ctx.storage, file.file, "licence", prefix=f"licence/{me.user.id}")
    return UploadOut(upload_id=uploads.record_upload(db, ctx.storage, me.user.id, "licence", stored).id)


# --- the artist's income: booking money, so the artist's own like bookings (team members get 403)


@router.get("/me/artist/income", response_model=IncomeOut,
            summary="我的收入汇总（仅艺人本人；已收、已退、待结算、已结算、佣金，单位分）")
def my_income(me: ArtistSelf, db: Db) -> IncomeOut:
    return income.artist_income(db, me.artist_id)


# --- the artist's agent team (经纪人/助理). Managing it is the artist's own: members get 403.


@router.get("/me/artist/team", response_model=list[ManagerOut], summary="我的团队成员（经纪人/助理，仅艺人本人）")
def my_team(me: ArtistSelf, db: Db) -> list[ManagerOut]:
    return managers.list_team(db, me.artist_id)


@router.post("/me/artist/team", response_model=TeamInviteOut, status_code=202,
             summary="邀请团队成员（按手机号；对方接受后加入；7天有效；每小时10个、每天30个；仅艺人本人）")
def invite_team_member(body: ManagerIn, me: ArtistSelf, db: Db) -> TeamInviteOut:
    # The same answer whether or not the phone has an account: no user id, no 404.
    return invitations.invite(db, me.artist_id, body.phone, body.role)


@router.get("/me/artist/team/invitations", response_model=list[TeamInvitationOut],
            summary="待对方接受的团队邀请（仅艺人本人）")
def my_team_invitations(me: ArtistSelf, db: Db) -> list[TeamInvitationOut]:
    return invitations.pending_for_artist(db, me.artist_id)


@router.delete("/me/artist/team/invitations/{invitation_id}", status_code=204, response_class=Response,
               summary="撤销团队邀请（仅艺人本人）")
def cancel_team_invitation(invitation_id: PathId, me: ArtistSelf, db: Db) -> Response:
    invitations.cancel(db, me.artist_id, invitation_id)
    return Response(status_code=204)


@router.delete("/me/artist/team/{user_id}", status_code=204, response_class=Response,
               summary="移除团队成员（仅艺人本人）")
def remove_team_member(user_id: PathId, me: ArtistSelf, db: Db) -> Response:
    managers.remove_member(db, me.artist_id, user_id)
    return Response(status_code=204)


@router.get("/me/managed-artists", response_model=list[ManagedArtistOut],
            summary="我代为管理的艺人（代为操作时请求头带 X-Artist-Id）")
def my_managed_artists(me: Me, db: Db) -> list[ManagedArtistOut]:
    return managers.managed_artists(db, me.user.id)


@router.delete("/me/managed-artists/{artist_id}", status_code=204, response_class=Response,
               summary="退出艺人团队")
def leave_artist_team(artist_id: PathId, me: Me, db: Db) -> Response:
    managers.leave(db, me.user.id, artist_id)
    return Response(status_code=204)


@router.get("/me/team-invitations", response_model=list[ReceivedInvitationOut], summary="我收到的团队邀请")
def my_received_invitations(me: Me, db: Db) -> list[ReceivedInvitationOut]:
    return invitations.received(db, me.user)


@router.post("/me/team-invitations/{invitation_id}/accept", response_model=ManagedArtistOut,
             summary="接受团队邀请（成为该艺人的经纪人/助理）")
def accept_team_invitation(invitation_id: PathId, me: Me, db: Db) -> ManagedArtistOut:
    return invitations.accept(db, me.user, invitation_id)


@router.post("/me/team-invitations/{invitation_id}/decline", status_code=204, response_class=Response,
             summary="拒绝团队邀请")
def decline_team_invitation(invitation_id: PathId, me: Me, db: Db) -> Response:
    invitations.decline(db, me.user, invitation_id)
    return Response(status_code=204)
