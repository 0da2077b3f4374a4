"""The FastAPI application: /api/v1 routes, /healthz, and the built H5 client and admin console."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api import errors
from api.context import AppContext
from api.routers import (
    admin,
    admin_bookings,
    auth,
    bookings,
    calendar,
    cases,
    discovery,
    files,
    health,
    me,
    payments,
    profiles,
    public,
    reviews,
)
from devstack.database import resolve_database_url
from domain.accounts.sessions import TokenConfig
from domain.payments.factory import payment_gateway_from_settings
from domain.settings import ROOT, Settings, get_settings
from integrations.sms.factory import sms_sender_from_settings
from integrations.wechat.factory import content_security_from_settings, miniprogram_auth_from_settings
from search.factory import artist_search_from_settings
from storage.factory import storage_from_settings
from workers.runtime import field_cipher

log = logging.getLogger(__name__)

H5_DIST = ROOT / "miniapp" / "dist" / "build" / "h5"
ADMIN_DIST = ROOT / "admin" / "dist"
MAX_JSON_BYTES = 1024 * 1024


def build_context(settings: Settings) -> AppContext:
    database_url, backend = resolve_database_url(settings)
    wechat = miniprogram_auth_from_settings(settings)
    return AppContext(
        settings=settings, database_url=database_url, database_backend=backend,
        tokens=TokenConfig(settings.secret("jwt_secret"), settings.access_token_minutes,
                           settings.refresh_token_days),
        cipher=field_cipher(settings), sms=sms_sender_from_settings(settings),
        wechat=wechat, storage=storage_from_settings(settings),
        payments=payment_gateway_from_settings(settings),
        temporal_address=settings.temporal_address or f"127.0.0.1:{settings.temporal_port}",
        search=artist_search_from_settings(settings, database_url),
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


def create_app(settings: Settings | None = None, context: AppContext | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="演约 API", version="1.0", description="演出预约平台后端接口")
    app.state.ctx = context or build_context(settings)
    errors.install(app)

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        # Uploads have their own limit; everything else is small JSON.
        length = request.headers.get("content-length")
        path = request.url.path
        limit = (files.MAX_UPLOAD_BODY if path == "/api/v1/uploads" else
                 11 * 1024 * 1024 if path.startswith("/api/v1/uploads/") else MAX_JSON_BYTES)
        if length and length.isdigit() and int(length) > limit:
            return JSONResponse({"code": "payload_too_large", "message": "请求内容过大", "detail": None},
                                status_code=413)
        return await call_next(request)

    for router in (auth.router, me.router, public.router, calendar.router, bookings.router, admin.router,
                   admin_bookings.router, payments.router, discovery.router, files.router, profiles.router,
                   cases.router, reviews.router):
        app.include_router(router, prefix="/api/v1")
    app.include_router(health.router)
    _mount_spa(app, "/h5", H5_DIST)
    _mount_spa(app, "/admin", ADMIN_DIST)

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        return RedirectResponse("/h5/")

    return app
