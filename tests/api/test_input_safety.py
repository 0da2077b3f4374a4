"""No input a user can send produces a 500: every /api/v1 route gets malformed JSON, wrong types, huge strings
and unknown fields, anonymously and with a user's and an operator's token; each answer has the error shape."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy.orm import Session

from tests.helpers import bearer, operator_token, register_artist, register_client

HUGE = "演" * 20_000


def _routes(app: Any) -> list[tuple[str, str, list[str]]]:
    """(method, path, body field names) of every /api/v1 operation, read from the OpenAPI document."""
    spec = app.openapi()
    out = []
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {})
            schema = next(iter(content.values()), {}).get("schema", {})
            ref = schema.get("$ref", "").rsplit("/", 1)[-1]
            props = spec["components"]["schemas"].get(ref, {}).get("properties", {}) if ref else {}
            out.append((method.upper(), path, list(props)))
    return out


def _bodies(fields: list[str]) -> list[bytes]:
    fields = fields or ["x"]
    bodies: list[Any] = [[], None, "text", 12, {"unknown_field": 1},
                         {f: [1, {"a": None}] for f in fields}, {f: HUGE for f in fields},
                         {f: -(10**30) for f in fields}, {f: {"$ne": None} for f in fields}]
    raw = [json.dumps(b).encode() for b in bodies]
    return raw + [b"{bad json", b"\xff\xfe\x00", b"", b'{"a":' * 500]


def _paths(path: str) -> list[str]:
    if "{" not in path:
        return [path]
    prefix, _, rest = path.partition("{")
    suffix = rest.partition("}")[2]
    return [prefix + v + suffix for v in ("1", "0", "-5", "abc", "9" * 40, "%00")]


def _assert_error_shape(res: httpx.Response, where: str) -> None:
    assert res.status_code < 500, f"{where} -> {res.status_code} {res.text[:300]}"
    if res.status_code >= 400:
        body = res.json()
        assert set(body) == {"code", "message", "detail"}, f"{where} -> {body}"
        assert isinstance(body["message"], str) and body["message"], where


async def test_every_route_survives_hostile_input(api: httpx.AsyncClient, db: Session):
    user = await register_client(api, "13700000090")
    artist = await register_artist(api, "13700000091")  # reaches the artist-only routes' bodies too
    ops = await operator_token(api, db)
    app = api._transport.app  # type: ignore[attr-defined]
    routes = _routes(app)
    assert len(routes) >= 15
    tried = 0
    for headers in ({}, bearer(user), bearer(artist), bearer(ops), {"Authorization": "Bearer " + "A" * 4000}):
        for method, path, fields in routes:
            if path.endswith("/logout"):
                continue  # would end the session used by the rest of the loop
            for url in _paths(path):
                if method == "GET":
                    for q in ("?page=abc&page_size=-1", f"?q={HUGE[:3000]}", "?phone=%27%3B--&role=god",
                              "?artist_type=x&status=1"):
                        _assert_error_shape(await api.get(url + q, headers=headers), f"GET {url}{q}")
                        tried += 1
                    continue
                for body in _bodies(fields):
                    res = await api.request(method, url, content=body,
                                            headers={**headers, "Content-Type": "application/json"})
                    _assert_error_shape(res, f"{method} {url} {body[:40]!r}")
                    tried += 1
                multipart = await api.request(method, url, headers=headers,
                                              files={"file": ("a.jpg", b"\x00" * 100, "image/jpeg")})
                _assert_error_shape(multipart, f"{method} {url} multipart")
    assert tried > 500


async def test_oversized_body_is_refused_before_parsing(api: httpx.AsyncClient):
    res = await api.post("/api/v1/auth/sms/send", content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                         headers={"Content-Type": "application/json"})
    assert res.status_code == 413 and res.json()["code"] == "payload_too_large"


async def test_chunked_body_without_length_is_cut_off_at_the_limit(api: httpx.AsyncClient):
    """No Content-Length to judge by: the body is counted as it arrives and reading stops at the limit."""
    sent = 0

    async def chunks():  # ~3 MB in 64 KB pieces; the JSON limit is 1 MB
        nonlocal sent
        for _ in range(48):
            sent += 1
            yield b" " * 65536

    res = await api.post("/api/v1/auth/sms/send", content=chunks(), headers={"Content-Type": "application/json"})
    assert res.status_code == 413 and res.json()["code"] == "payload_too_large"
    assert sent < 48  # the rest was never read
    upload = await api.post("/api/v1/uploads", content=chunks(), headers={"Content-Type": "multipart/form-data"})
    assert upload.status_code != 500


async def test_unknown_route_has_the_error_shape(api: httpx.AsyncClient):
    res = await api.get("/api/v1/nope")
    assert res.status_code == 404 and res.json()["message"] == "接口不存在"
