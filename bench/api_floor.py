"""The framework floor of bench/api.py: a bare FastAPI app, one route per measured read, each answering the exact
status, bytes, content type and ETag the platform answered for that read (captured before measuring, passed in a
JSON file named by API_FLOOR_RESPONSES). No database, no auth, no middleware: what FastAPI + uvicorn cost for those
bytes.

    API_FLOOR_RESPONSES=/tmp/x.json uvicorn bench.api_floor:create_app --factory --port 8100
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable

from fastapi import FastAPI, Response


def _route(body: bytes, content_type: str, status: int, headers: dict[str, str]) -> Callable[[], Response]:
    async def read() -> Response:
        return Response(content=body, media_type=content_type, status_code=status, headers=headers)

    return read


def create_app() -> FastAPI:
    with open(os.environ["API_FLOOR_RESPONSES"], encoding="utf-8") as f:
        responses = json.load(f)  # {name: {"content_type": ..., "body_b64": ..., "status": ..., "headers": ...}}
    app = FastAPI()
    for name, r in responses.items():
        app.add_api_route(f"/floor/{name}", _route(base64.b64decode(r["body_b64"]), r["content_type"],
                                                   r.get("status", 200), r.get("headers", {})), methods=["GET"])
    return app
