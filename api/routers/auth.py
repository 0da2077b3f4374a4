"""Login: SMS code, WeChat mini-program, token refresh and logout (users and operators alike)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import Auth, Ctx, Db, Me, client_ip
from domain.accounts import sessions, sms, users
from domain.accounts.schemas import (
    RefreshIn,
    SmsLoginIn,
    SmsSendIn,
    SmsSendOut,
    TokenPairOut,
    WechatLoginIn,
)
from domain.errors import AccountBanned, raises
from domain.models import User

router = APIRouter(prefix="/auth", tags=["auth"])
# What the WeChat adapter answers (integrations.wechat.miniprogram) when WeChat refuses or fails.
WECHAT_ERRORS = ((400, "wechat_code_invalid"), (403, "wechat_risky_user"), (429, "wechat_rate_limited"),
                 (503, "wechat_busy"), (503, "wechat_unavailable"))


def _tokens(db: Db, ctx: Ctx, issued: sessions.IssuedTokens, user: User | None) -> TokenPairOut:
    return TokenPairOut(access_token=issued.access_token, refresh_token=issued.refresh_token,
                        expires_in=issued.expires_in,
                        me=users.me_view(db, user, issued.session.acting_role) if user else None)


def _login(db: Db, ctx: Ctx, user: User, ip: str) -> TokenPairOut:
    if user.status == "banned":
        raise AccountBanned()
    # Act in the only role the user has; with two roles the client asks (or keeps the last choice).
    roles = users.get_user(db, user.id).roles
    issued = sessions.open_session(db, ctx.tokens, user=user, ip=ip,
                                   acting_role=roles[0] if len(roles) == 1 else None)
    return _tokens(db, ctx, issued, user)


@router.post("/sms/send", response_model=SmsSendOut, summary="发送短信验证码")
@raises((400, "phone_invalid"), (429, "sms_rate_limited"), (503, "sms_unavailable"))  # the SMS provider
def sms_send(body: SmsSendIn, request: Request, ctx: Ctx, db: Db) -> SmsSendOut:
    sent = sms.send_code(db, ctx.sms, ctx.settings.secret("jwt_secret"), body.phone, client_ip(request),
                         echo_sandbox_code=ctx.settings.sms_sandbox_echo_code)
    return SmsSendOut(sent=True, cooldown_seconds=sent.cooldown_seconds, sandbox_code=sent.sandbox_code)


@router.post("/sms/login", response_model=TokenPairOut, summary="短信验证码登录（首次登录即注册）")
def sms_login(body: SmsLoginIn, request: Request, ctx: Ctx, db: Db) -> TokenPairOut:
    sms.check_code(db, ctx.settings.secret("jwt_secret"), body.phone, body.code)
    return _login(db, ctx, users.user_for_phone(db, body.phone), client_ip(request))


@router.post("/wechat/login", response_model=TokenPairOut, summary="微信小程序登录")
@raises(*WECHAT_ERRORS)
async def wechat_login(body: WechatLoginIn, request: Request, ctx: Ctx, db: Db) -> TokenPairOut:
    # wechatpy is blocking: keep it off the event loop.
    wx = await run_in_threadpool(ctx.wechat.code_to_session, body.code)

    def finish() -> TokenPairOut:
        return _login(db, ctx, users.user_for_openid(db, wx.openid, wx.unionid), client_ip(request))

    return await run_in_threadpool(finish)


@router.post("/wechat/phone", response_model=TokenPairOut, summary="绑定微信手机号")
@raises(*WECHAT_ERRORS)
async def wechat_phone(body: WechatLoginIn, request: Request, ctx: Ctx, db: Db, me: Me) -> TokenPairOut:
    phone = await run_in_threadpool(ctx.wechat.phone_number, body.code)

    def finish() -> TokenPairOut:
        # The session is reissued: after a merge it belongs to the phone's account.
        sessions.revoke(db, me.auth)
        owner = users.bind_phone(db, me.user, phone)
        return _login(db, ctx, owner, client_ip(request))

    return await run_in_threadpool(finish)


@router.post("/refresh", response_model=TokenPairOut, summary="刷新登录令牌")
def refresh(body: RefreshIn, ctx: Ctx, db: Db) -> TokenPairOut:
    issued = sessions.refresh_session(db, ctx.tokens, body.refresh_token)
    user = users.get_user(db, issued.session.user_id) if issued.session.user_id else None
    return _tokens(db, ctx, issued, user)


@router.post("/logout", status_code=204, summary="退出登录")
def logout(auth: Auth, db: Db) -> Response:
    sessions.revoke(db, auth)
    return Response(status_code=204)
