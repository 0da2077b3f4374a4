"""Schemathesis over every operation of /openapi.json, as anonymous, client, artist and operator: no server
error, every response matches its declared status and schema, and every error code is one the route declares
(api.openapi). Bounded and derandomized, so a run is deterministic and takes a few minutes at most."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jsonschema
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.app import create_app
from api.context import AppContext
from domain.models import Inquiry
from tests.factories import inquiry_body, verified_pair
from tests.helpers import V1, bearer, operator_token, register_artist, register_client
from tests.storage.conftest import huge_png

EXAMPLES = 4  # per operation, role and mode (valid / invalid input)
SKIPPED = {
    # Each example would send an SMS from the test's one address: after ten the per-IP limit locks the
    # address for an hour and the remaining examples only see 429. tests/api/test_sms_login.py covers it.
    ("POST", "/api/v1/auth/sms/send"),
    # Logging out revokes the very token the other operations of the run are made with.
    ("POST", "/api/v1/auth/logout"),
    # No input at all, only a workflow to start: without Temporal (this fixture) every call is the declared 503
    # temporal_unavailable. tests/backups/test_backup_api.py runs it against the Temporal test server.
    ("POST", "/api/v1/admin/backups"),
}


@pytest.fixture
def fuzz_app(ctx: AppContext, db: Session) -> FastAPI:
    return create_app(ctx.settings, ctx)  # Temporal unreachable (ctx): workflow routes must answer 503


# An operation each run must get a 2xx from, one only that role can for a user role: proof it acted in the role.
ROLE_PROOF = {"anonymous": "GET /api/v1/artists", "client": "GET /api/v1/demands/mine",
              "artist": "GET /api/v1/calendar/me", "operator": "GET /api/v1/admin/bookings"}


@pytest.fixture(params=list(ROLE_PROOF))
def role_headers(request: pytest.FixtureRequest, fuzz_app: FastAPI, db: Session) -> dict[str, str]:
    async def token() -> str | None:
        transport = httpx.ASGITransport(app=fuzz_app, client=("10.9.8.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            if request.param == "client":
                return await register_client(api, "13800001111")
            if request.param == "artist":
                return await register_artist(api, "13900001111")
            if request.param == "operator":
                return await operator_token(api, db)
            return None

    found = asyncio.run(token())
    return bearer(found) if found else {}


def error_code_declared(ctx: Any, response: Any, case: Any) -> None:
    """An error's `code` is one the operation lists for that status (x-error-codes), so the generated error
    table in docs/api-v1.md is complete."""
    if response.status_code < 400:
        return
    declared = case.operation.definition.raw["responses"].get(str(response.status_code), {})
    code = response.json().get("code")
    if code not in declared.get("x-error-codes", []):
        raise AssertionError(f"{response.status_code} {code!r} not declared for {case.operation.label}: "
                             f"{declared.get('x-error-codes')} ({response.json().get('message')})")


CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, error_code_declared]


def fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str], reached: set[str]) -> None:
    # /healthz answers 503 by design while a dependency is down (here: Temporal), with its own body.
    checks = CHECKS[1:3] if operation.path == "/healthz" else CHECKS

    def record(ctx: Any, response: Any, case: Any) -> None:
        if response.status_code < 300:
            reached.add(case.operation.label)

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(mode))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=[*checks, record])

    try:
        run()
    except Unsatisfiable:  # no invalid input exists (an operation without parameters or body)
        assert mode is GenerationMode.NEGATIVE


def test_every_operation_as_every_role(request: pytest.FixtureRequest, fuzz_app: FastAPI,
                                      role_headers: dict[str, str]) -> None:
    # Driven by hand rather than schemathesis.pytest: its lazy-fixture loader writes pytest 8's Node._nodeid.
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    failures, reached = [], set[str]()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, mode, role_headers, reached)
            except (Exception, BaseExceptionGroup) as exc:  # every operation runs; failures reported together
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures)
    role = request.node.callspec.params["role_headers"]
    assert ROLE_PROOF[role] in reached, f"as {role}, {ROLE_PROOF[role]} never answered 2xx"
    assert role == "anonymous" or len(reached) >= 10, sorted(reached)


async def test_workflow_routes_answer_a_declared_503_while_temporal_is_down(api: httpx.AsyncClient, db: Session):
    """The fuzz above rarely reaches Temporal with valid input; this does: an inquiry that passes every check."""
    client, _, artist_id = await verified_pair(api, db, "13800002222", "13900002222")
    res = await api.post(f"{V1}/inquiries", headers=bearer(client),
                         json=inquiry_body([artist_id], days=30, hours=2, contact_phone="13800002222"))
    assert res.status_code == 503 and res.json()["code"] == "temporal_unavailable", res.text
    assert db.scalar(select(func.count()).select_from(Inquiry)) == 0  # nothing saved without its workflow
    paths = (await api.get("/openapi.json")).json()["paths"]
    for path in ("/api/v1/inquiries", "/api/v1/bookings/{booking_id}/actions/{action}",
                 "/api/v1/admin/bookings/{booking_id}/actions/{action}", "/api/v1/inquiries/{inquiry_id}/proceed"):
        assert "temporal_unavailable" in paths[path]["post"]["responses"]["503"]["x-error-codes"], path


async def test_a_body_that_is_not_utf8_is_a_chinese_400(api: httpx.AsyncClient):
    # Found by the fuzz above: FastAPI answered {"code": "http_error", "message": "There was an error parsing ..."}.
    res = await api.post(f"{V1}/auth/sms/login", content=b'{"phone": "\xff\xfe"}',
                         headers={"Content-Type": "application/json"})
    assert res.status_code == 400
    assert res.json() == {"code": "body_invalid", "message": "请求内容无法解析，请发送 UTF-8 编码的 JSON",
                          "detail": None}


async def test_a_422_with_limits_in_detail_matches_the_declared_schema(api: httpx.AsyncClient):
    # image_too_large carries its limits as an object: the declared 422 body allowed only a list or null.
    token = await register_client(api, "13800003333")
    res = await api.post(f"{V1}/uploads/licence", headers=bearer(token),
                         files={"file": ("licence.png", huge_png(), "image/png")})
    assert res.status_code == 422 and res.json()["code"] == "image_too_large", res.text
    spec = (await api.get("/openapi.json")).json()
    declared = spec["paths"]["/api/v1/uploads/licence"]["post"]["responses"]["422"]
    assert "image_too_large" in declared["x-error-codes"]
    jsonschema.validate(res.json(), {**declared["content"]["application/json"]["schema"],
                                     "components": spec["components"]})
