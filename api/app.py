"""The FastAPI application: /api/v1 routes, /healthz, and the built H5 client and admin console."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors, local_writes, openapi, public_cache
from api.chat_live import ChatHub
from api.context import AppContext
from api.private_pages import PrivatePageCache, PrivatePages
from api.public_cache import CardCache, PageCache, PublicPages
from api.routers import (
    admin,
    admin_access,
    admin_artists,
    admin_bookings,
    auth,
    backups,
    bookings,
    calendar,
    cases,
    chat,
    complaints,
    contracts,
    dashboard,
    discovery,
    disputes,
    files,
    health,
    help,
    homepage,
    me,
    money_exports,
    money_records,
    notifications,
    payments,
    payouts,
    profiles,
    public,
    reconciliation,
    reviews,
    settlements,
    system,
)
from api.security_headers import SecurityHeaders
from api.session_cache import SessionCache
from domain import heap
from domain.accounts.crypto import field_cipher_from_settings
from domain.accounts.sessions import TokenConfig
from domain.db import database_url_from_settings
from domain.homepage.service import BANNER_MAX_BYTES
from domain.payments.factory import payment_gateways_from_settings
from domain.settings import ROOT, Settings, get_settings
from domain.uploads import service as uploads
from integrations.sms.factory import sms_sender_from_settings
from integrations.wechat.factory import content_security_from_settings, miniprogram_auth_from_settings
from search.factory import artist_search_from_settings
from storage.factory import storage_from_settings

log = logging.getLogger(__name__)

H5_DIST = ROOT / "miniapp" / "dist" / "build" / "h5"
ADMIN_DIST = ROOT / "admin" / "dist"
MAX_JSON_BYTES = 1024 * 1024


def build_context(settings: Settings) -> AppContext:
    database_url = database_url_from_settings(settings)
    # `make run` names the engines it started itself, for /healthz.
    backend = "embedded-postgresql" if "database" in settings.embedded_services.split(",") else "postgresql"
    wechat = miniprogram_auth_from_settings(settings)
    return AppContext(
        settings=settings, database_url=database_url, database_backend=backend,
        tokens=TokenConfig(settings.secret("jwt_secret"), settings.access_token_minutes,
                           settings.refresh_token_days),
        cipher=field_cipher_from_settings(settings), sms=sms_sender_from_settings(settings),
        wechat=wechat, storage=storage_from_settings(settings),
        payments=payment_gateways_from_settings(settings, database_url=database_url),
        temporal_address=settings.temporal_address or f"127.0.0.1:{settings.temporal_port}",
        search=artist_search_from_settings(settings, database_url, writes_seen=local_writes.generation),
        # Shares the login adapter's access-token cache (one token per appid, WeChat invalidates older ones).
        content_security=content_security_from_settings(settings, wechat),
    )


def _mount_spa(app: FastAPI, prefix: str, dist: Path) -> None:
    """Serve a built single-page app; unknown paths under it get index.html (client-side routing)."""
    if not (dist / "index.html").exists():
        log.warning("%s not built (%s missing): run make run or the client's build", prefix, dist)
        return
    app.mount(f"{prefix}/assets", StaticFiles(directory=dist / "assets", check_dir=False), name=f"{prefix}-assets")

    @app.get(prefix, include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse(f"{prefix}/")

    @app.get(prefix + "/{path:path}", include_in_schema=False)
    def _spa(path: str) -> FileResponse:
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist.resolve()):
            return FileResponse(candidate)
        return FileResponse(dist / "index.html", headers={"Cache-Control": "no-cache"})


def body_limit(path: str) -> int:
    # Uploads have their own limit (a banner image its own, plus the multipart envelope); everything else is JSON.
    return (uploads.MAX_UPLOAD_BODY if path == "/api/v1/uploads" else
            11 * 1024 * 1024 if path.startswith("/api/v1/uploads/") else
            BANNER_MAX_BYTES + 64 * 1024 if path == "/api/v1/admin/homepage/banner-images" else MAX_JSON_BYTES)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """413 for a body over the route's limit: at once by Content-Length, and by counting what arrives for a
    chunked body without one (reading stops there, so an upload can't fill the disk with its temp file)."""

    TOO_LARGE = json.dumps({"code": "payload_too_large", "message": "请求内容过大", "detail": None},
                           ensure_ascii=False).encode()

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = body_limit(scope["path"])
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            return await self._refuse(send)
        seen, over, started = 0, False, False

        async def counting_receive() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    raise _TooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:
                return  # whatever the app answers to the cut-off body, the answer is 413 (below)
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            pass
        if over and not started:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(self.TOO_LARGE)).encode())]})
        await send({"type": "http.response.body", "body": self.TOO_LARGE})


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The chat fan-out subscription lives as long as the process serves (api/chat_live.py).
    hub: ChatHub = app.state.chat_hub
    await hub.start()
    # Views of artist pages answered from memory are written every few seconds and when the process stops.
    views = asyncio.create_task(public_cache.write_views(app.state.ctx.database_url))
    # What changed in the database, for the private pages kept in memory (api/private_pages.py).
    private: PrivatePageCache = app.state.private_cache
    listener = private.fanout(app.state.ctx.database_url)
    await listener.start(private.changes.on_event)
    heap.freeze_startup()  # started: what the process holds now lives as long as it does
    try:
        yield
    finally:
        await listener.stop()
        views.cancel()
        await public_cache.write_views_now(app.state.ctx.database_url)
        await hub.stop()


def create_app(settings: Settings | None = None, context: AppContext | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="演约 API", version="1.0", description="演出预约平台后端接口", lifespan=lifespan)
    app.state.ctx = context or build_context(settings)
    app.state.chat_hub = ChatHub(app.state.ctx)
    errors.install(app)
    openapi.install(app)

    app.state.session_cache = SessionCache()
    app.state.public_cache = PageCache()
    app.state.card_cache = CardCache()
    app.state.private_cache = PrivatePageCache()
    app.add_middleware(PublicPages, pages=app.state.public_cache, logins=app.state.session_cache)
    app.add_middleware(PrivatePages, pages=app.state.private_cache, logins=app.state.session_cache)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)  # outside BodyLimit: its 413 carries them too
    if settings.trusted_proxies:
        # Added last, so it runs first: every route and limit sees the client the proxy saw. Only the listed
        # proxies are believed; uvicorn itself runs with --no-proxy-headers (its default trusts 127.0.0.1).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    # FastAPI tries routes in this order, a few µs each (~200 routes): the routers users hit most come first (the
    # notification centre and chat answered ~0.8 ms later when listed last). Moving a router keeps every path
    # answered by the same route: no path of one matches another router's routes.
    for router in (auth.router, me.router, public.router, calendar.router, bookings.router, notifications.router,
                   chat.router, admin.router,
                   admin_bookings.router, payments.router, discovery.router, files.router, profiles.router,
                   cases.router, reviews.router, money_records.router):
        app.include_router(router, prefix="/api/v1")
    app.include_router(payouts.router, prefix="/api/v1")
    app.include_router(reconciliation.router, prefix="/api/v1")
    app.include_router(contracts.router, prefix="/api/v1")
    app.include_router(money_exports.router, prefix="/api/v1")  # after the queues: their .xlsx siblings
    app.include_router(settlements.router, prefix="/api/v1")
    for router in (admin_access.router, disputes.router, admin_artists.router, dashboard.router, homepage.router,
                   system.router, backups.router, help.router, complaints.router):
        app.include_router(router, prefix="/api/v1")
    app.include_router(health.router)
    _mount_spa(app, "/h5", H5_DIST)
    _mount_spa(app, "/admin", ADMIN_DIST)

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        return RedirectResponse("/h5/")

    return app
