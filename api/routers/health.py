"""GET /healthz: each dependency with its status and which backend is active."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import Ctx
from domain.db import get_engine

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="健康检查",
            responses={503: {"description": "有依赖不可用：同样的结构，status 为 degraded"}})
async def healthz(ctx: Ctx) -> JSONResponse:
    def database() -> dict[str, str]:
        try:
            with get_engine(ctx.database_url).connect() as conn:
                conn.execute(text("SELECT 1"))
            return {"status": "ok", "backend": ctx.database_backend}
        except Exception as exc:
            return {"status": "down", "backend": ctx.database_backend, "error": type(exc).__name__}

    async def temporal() -> dict[str, str]:
        embedded = "temporal" in ctx.settings.embedded_services.split(",") or not ctx.settings.temporal_address
        backend = "temporal-dev-server" if embedded else "temporal"
        try:
            client = await ctx.temporal()
            await asyncio.wait_for(client.service_client.check_health(), timeout=3)
            return {"status": "ok", "backend": backend, "address": ctx.temporal_address}
        except Exception as exc:
            return {"status": "down", "backend": backend, "error": type(exc).__name__}

    checks = {
        "database": await asyncio.to_thread(database),
        "temporal": await temporal(),
        # Search and object storage get their real backends with the discovery issue.
        "search": {"status": "ok", "backend": "opensearch" if ctx.settings.opensearch_url else "postgresql"},
        "storage": {"status": "ok" if ctx.storage.healthy() else "down", "backend": ctx.storage.name},
        "sms": {"status": "ok", "backend": ctx.sms.name + (" (沙箱)" if ctx.sms.is_sandbox else "")},
        "wechat": {"status": "ok", "backend": ctx.wechat.name + (" (沙箱)" if ctx.wechat.is_sandbox else "")},
    }
    ok = all(c["status"] == "ok" for c in checks.values())
    return JSONResponse({"status": "ok" if ok else "degraded", "checks": checks}, status_code=200 if ok else 503)
