"""No input a user can send produces a 500: every /api/v1 route gets malformed JSON, wrong types, huge strings
and unknown fields, anonymously and with a user's and an operator's token; each answer has the error shape."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

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
                    _survived(res, f"{method} {url} {body[:40]!r}")  # a body-less workflow route ignores it
                    tried += 1
                multipart = await api.request(method, url, headers=headers,
                                              files={"file": ("a.jpg", b"\x00" * 100, "image/jpeg")})
                _survived(multipart, f"{method} {url} multipart")
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


# --- hostile-text sweep: every string field of every body and every string query parameter (CONVENTIONS 15)

REFUSED = {"NUL": "a\x00b", "SOH": "a\x01b", "ESC": "a\x1bb", "DEL": "a\x7fb", "NEL": "a\x85b",
           "RLO": "a\u202eb", "lone surrogate": "a\ud800b"}  # never stored: 422 naming the field
SURVIVED = {"10k": "演" * 10_000, "emoji": "👩‍🎤🎉", "RLM": "a\u200fb"}  # any answer but a 500
# Strings that satisfy the API's patterns, tried in order for a pattern-bound field of a base body.
PATTERN_SAMPLES = ("13800000000", "123456", "0123456789abcdef0123456789abcdef", "11010519491231002X", "2027-03",
                   "18:00")
Path = tuple[str | int, ...]


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _options(spec: dict, schema: dict) -> list[dict]:
    schema = _resolve(spec, schema)
    alts = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if alts:
        return [o for alt in alts for o in _options(spec, alt) if o.get("type") != "null"]
    return [schema]


def _string_paths(spec: dict, schema: dict, path: Path = (), depth: int = 0) -> list[tuple[Path, dict]]:
    """Every place a string goes in a body of this schema, with its own schema (list items as index 0)."""
    out: list[tuple[Path, dict]] = []
    for opt in _options(spec, schema):
        if depth > 6:
            break
        if opt.get("type") == "string":
            out.append((path, opt))
        elif opt.get("type") == "array":
            out += _string_paths(spec, opt.get("items", {}), (*path, 0), depth + 1)
        elif opt.get("type") == "object" or "properties" in opt:
            for name, sub in opt.get("properties", {}).items():
                out += _string_paths(spec, sub, (*path, name), depth + 1)
    return out


def _sample(spec: dict, schema: dict, name: str = "") -> Any:
    """A plausible valid value, so a hostile value in one field meets a body the route would otherwise accept."""
    opt = _options(spec, schema)[0]
    if "enum" in opt:
        return opt["enum"][0]
    kind = opt.get("type")
    if kind == "string":
        when = datetime.now(UTC) + timedelta(days=40, hours=2 if name.startswith("end") else 0)
        if opt.get("format") == "date":
            return when.date().isoformat()
        if opt.get("format") == "date-time":
            return when.isoformat()
        if "pattern" in opt:
            return next((s for s in PATTERN_SAMPLES if re.fullmatch(opt["pattern"], s)), "x")
        return ("测试" * 10)[:max(opt.get("minLength", 2), 2)][:opt.get("maxLength", 100)]
    if kind in ("integer", "number"):
        return max(opt.get("minimum", 1), min(opt.get("maximum", 1), 100))
    if kind == "boolean":
        return False
    if kind == "array":
        return [_sample(spec, opt.get("items", {}), name)] * max(opt.get("minItems", 1), 1)
    return {k: _sample(spec, v, k) for k, v in opt.get("properties", {}).items() if k in opt.get("required", ())}


def _with(spec: dict, schema: dict, path: Path, value: Any) -> Any:
    """The schema's base body with `value` put at `path` (optional objects and lists on the way are created)."""
    if not path:
        return value
    opts = _options(spec, schema)
    opt = next((o for o in opts if (o.get("type") == "array") == isinstance(path[0], int)), opts[0])
    if isinstance(path[0], int):
        return [_with(spec, opt.get("items", {}), path[1:], value)]
    body = _sample(spec, opt)
    body[path[0]] = _with(spec, opt["properties"][str(path[0])], path[1:], value)
    return body


def _operations(spec: dict) -> list[tuple[str, str, dict | None, list[tuple[str, dict]]]]:
    """(method, path with ids filled in, JSON body schema, string query parameters) of every /api/v1 operation."""
    out = []
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/v1") or path.endswith("/logout"):  # logout would end the session under test
            continue
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            query = [(p["name"], _options(spec, p.get("schema", {}))[0]) for p in op.get("parameters", ())
                     if p["in"] == "query"]
            query = [(n, s.get("items", {}) if s.get("type") == "array" else s) for n, s in query]
            query = [(n, s) for n, s in query if _options(spec, s)[0].get("type") == "string"]
            if body or query:
                values = {p["name"]: str(_sample(spec, p.get("schema", {}))) for p in op.get("parameters", ())
                          if p["in"] == "path"}
                url = re.sub(r"\{([^}:]+)(:path)?\}", lambda m, v=values: v.get(m[1], "1"), path)
                out.append((method.upper(), url, body, query))
    return out


def _survived(res: httpx.Response, where: str) -> None:
    if res.status_code == 503 and res.json()["code"] == "temporal_unavailable":
        return  # the value was accepted and the route went on to start a workflow: this fixture runs no Temporal
    _assert_error_shape(res, where)


def _refused_at_schema(res: httpx.Response, field: str, where: str) -> None:
    """The value never got past validation: 422 with a detail entry for that very field (a guard that refuses
    the caller before any input is read, 401/403, is fine too)."""
    _assert_error_shape(res, where)
    if res.status_code in (401, 403):
        return
    assert res.status_code == 422, f"{where} -> {res.status_code} {res.text[:300]}"
    fields = [d["field"] for d in res.json()["detail"] or ()]
    assert any(f == field or f.startswith(field + ".") for f in fields), f"{where} -> {res.json()}"


async def test_hostile_text_in_every_string_field_and_query(api: httpx.AsyncClient, db: Session):
    """NUL, other controls, a lone surrogate and a bidi override are refused at the schema (422 naming the field,
    nothing stored); 10k characters, emoji and RLM marks get any answer but a 500. All failures are listed."""
    tokens = {"anonymous": {}, "client": bearer(await register_client(api, "13700000092")),
              "artist": bearer(await register_artist(api, "13700000093")),
              "operator": bearer(await operator_token(api, db))}
    spec = api._transport.app.openapi()  # type: ignore[attr-defined]
    operations = _operations(spec)
    assert len(operations) >= 40
    fields = tried = refused = 0
    failures: list[str] = []
    for role, headers in tokens.items():
        for method, url, body, query in operations:
            targets: list[tuple[str, Any]] = [(f"query.{n}", n) for n, _ in query]
            targets += [(".".join(map(str, p)), p) for p, _ in (_string_paths(spec, body) if body else [])]
            fields += len(targets)
            for field, where in targets:
                for label, value in {**REFUSED, **SURVIVED}.items():
                    what = f"{role} {method} {url} {field}={label}"
                    if isinstance(where, str):  # a query parameter (one item of a list parameter)
                        # A lone surrogate can only travel as its (invalid) UTF-8 bytes, which the server decodes
                        # to U+FFFD: in a query it is merely survived. 10k in ASCII: 10k CJK characters,
                        # percent-encoded, exceed httpx's URL limit.
                        raw = "x" * 10_000 if label == "10k" else quote(value.encode("utf-8", "surrogatepass"))
                        request = api.request(method, f"{url}?{where}={raw}", headers=headers,
                                              **({"json": _sample(spec, body)} if body else {}))
                    else:
                        request = api.request(method, url, headers={**headers, "Content-Type": "application/json"},
                                              content=json.dumps(_with(spec, body, where, value)))
                    tried += 1
                    try:
                        res = await request
                        if label in REFUSED and not (label == "lone surrogate" and isinstance(where, str)):
                            _refused_at_schema(res, field, what)
                            refused += res.status_code == 422
                        else:
                            _survived(res, what)
                    except Exception as exc:  # an unhandled error inside the app surfaces here (a 500)
                        failures.append(f"{what}: {str(exc).splitlines()[0][:200]}")
                        continue
                    if res.status_code in (401, 403):
                        break  # refused for who the caller is, before any input is read
                else:
                    continue
                break
    assert not failures, f"{len(failures)} of {tried} requests failed:\n" + "\n".join(failures[:80])
    assert fields > 100 and tried > 1000 and refused > 500, (fields, tried, refused)  # the sweep got past the guards


# --- the routes the outside probe found answering 500, each with the exact message

async def _refused(res: httpx.Response, message: str) -> None:
    assert res.status_code == 422, res.text
    assert res.json()["code"] == "validation_error" and res.json()["message"] == message, res.json()


async def test_nul_in_search_and_listing_queries_is_refused_in_chinese(api: httpx.AsyncClient):
    artist = await register_artist(api, "13700000094")
    control = "包含不允许的控制字符"
    await _refused(await api.get("/api/v1/artists?q=%00"), "关键词" + control)
    await _refused(await api.get("/api/v1/artists?q=a%1Bb"), "关键词" + control)
    await _refused(await api.get("/api/v1/artists?city=%00"), "城市" + control)
    await _refused(await api.get("/api/v1/artists?city=北京&tag=%00"), "标签" + control)
    await _refused(await api.get("/api/v1/demands?city=%00", headers=bearer(artist)), "城市" + control)
    await _refused(await api.post("/api/v1/admin/auth/login", json={"username": "ops\x00", "password": "x"}),
                   "用户名" + control)
    ok = await api.get("/api/v1/artists", params={"q": " 林晚晴 ", "city": "北京"})  # trimmed, still found
    assert ok.status_code == 200 and ok.json()["total"] == 1


async def test_nul_and_overrides_in_bodies_are_refused_and_nothing_is_stored(api: httpx.AsyncClient):
    client = await register_client(api, "13700000095")
    artist = await register_artist(api, "13700000096")
    res = await api.put("/api/v1/me/client-profile", headers=bearer(client), json={
        "org_name": "星河\x00科技", "industry": "enterprise", "contact_name": "王经理", "contact_phone": "13700000095"})
    await _refused(res, "机构名称包含不允许的控制字符")
    res = await api.put("/api/v1/me/client-profile", headers=bearer(client), json={
        "org_name": "星河科技", "industry": "enterprise", "contact_name": "王\u202e理经",
        "contact_phone": "13700000095"})
    await _refused(res, "联系人包含不允许的隐藏或文字方向控制字符")
    res = await api.put("/api/v1/me/client-profile", content=(
        '{"org_name": "星河\\ud800", "industry": "enterprise", "contact_name": "王经理", '
        '"contact_phone": "13700000095"}').encode(), headers={**bearer(client), "Content-Type": "application/json"})
    await _refused(res, "机构名称包含无效的字符编码")
    me = (await api.get("/api/v1/me", headers=bearer(client))).json()
    assert "\x00" not in json.dumps(me, ensure_ascii=False) and "星河科技有限公司" in json.dumps(me, ensure_ascii=False)

    day = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    note = {"start_date": day, "end_date": day, "status": "rest"}
    mark = "/api/v1/calendar/me/range"
    await _refused(await api.put(mark, headers=bearer(artist), json={**note, "note": "休\x00息"}),
                   "备注包含不允许的控制字符")
    await _refused(await api.put(mark, headers=bearer(artist), json={**note, "note": "a\nb"}),
                   "备注包含不允许的控制字符")  # a one-line field
    kept = await api.put(mark, headers=bearer(artist), json={**note, "note": "  休息 👩‍🎤🎉 "})
    assert kept.status_code == 200, kept.text
    slots = (await api.get("/api/v1/calendar/me", headers=bearer(artist))).json()["slots"]
    assert [s["note"] for s in slots] == ["休息 👩‍🎤🎉"]  # trimmed, emoji (with their joiner) kept


async def test_multiline_text_keeps_line_breaks_and_refuses_other_controls(api: httpx.AsyncClient):
    artist = await register_artist(api, "13700000097")
    draft = (await api.get("/api/v1/me/artist/profile", headers=bearer(artist))).json()
    base = {"stage_name": "林晚晴", "artist_types": ["singer"], "city": "北京"}
    res = await api.put("/api/v1/me/artist/profile", headers=bearer(artist),
                        json={**base, "bio": "第一行\r\n第二行\t缩进"})
    assert res.status_code == 200, (draft, res.text)
    assert res.json()["data"]["bio"] == "第一行\n第二行\t缩进"
    await _refused(await api.put("/api/v1/me/artist/profile", headers=bearer(artist), json={**base, "bio": "a\x0bb"}),
                   "个人简介包含不允许的控制字符")
    await _refused(await api.put("/api/v1/me/artist/profile", headers=bearer(artist),
                                 json={**base, "stage_name": "林\u200b晚晴"}), "艺名包含不允许的隐藏或文字方向控制字符")


async def test_relevance_without_a_keyword_falls_back_to_the_default_order(api: httpx.AsyncClient):
    for i, phone in enumerate(("13700000098", "13700000099")):
        await register_artist(api, phone, name=f"艺人{i}")
    default = await api.get("/api/v1/artists")
    relevance = await api.get("/api/v1/artists?sort=relevance")
    assert relevance.status_code == 200, relevance.text
    assert [a["id"] for a in relevance.json()["items"]] == [a["id"] for a in default.json()["items"]]
    assert relevance.json()["total"] == 2
    assert (await api.get("/api/v1/artists?sort=relevance&q=%20%20")).status_code == 200  # blank keyword too


async def test_dates_out_of_range_are_refused_before_any_date_arithmetic(api: httpx.AsyncClient):
    client = await register_client(api, "13700000100")
    artist = await register_artist(api, "13700000101")
    bounds = "须在2000-01-01至2100-12-31之间"
    await _refused(await api.get("/api/v1/artists?available_on=9999-12-31"), "档期日期" + bounds)
    await _refused(await api.get("/api/v1/artists?available_on=0001-01-01"), "档期日期" + bounds)
    await _refused(await api.get("/api/v1/bookings?date_to=9999-12-31", headers=bearer(client)), "结束日期" + bounds)
    await _refused(await api.get("/api/v1/bookings?date_from=0001-01-01", headers=bearer(client)), "开始日期" + bounds)
    await _refused(await api.get("/api/v1/demands?date=9999-12-31", headers=bearer(artist)), "日期" + bounds)
    await _refused(await api.get("/api/v1/calendar/me?end=9999-12-31", headers=bearer(artist)), "结束日期" + bounds)
    await _refused(await api.put("/api/v1/calendar/me/range", headers=bearer(artist), json={
        "start_date": "2030-01-01", "end_date": "9999-12-31", "status": "rest"}), "结束日期" + bounds)
    month = await api.get("/api/v1/artists/1/calendar?month=9999-12")
    assert month.status_code == 422 and month.json()["code"] == "validation_error"
    assert (await api.get("/api/v1/artists?available_on=2100-12-31")).status_code == 200  # the last day allowed
