"""Anti-framing and the usual security headers: on the client apps the API serves (/h5/, /admin/), on the API's own
answers, and in deploy/nginx.conf for the static files nginx serves itself. Before, none were sent."""

from __future__ import annotations

import re

import httpx
import pytest

from api.app import ADMIN_DIST, H5_DIST
from api.security_headers import CLIENT_CSP
from domain.settings import ROOT
from tests.helpers import V1

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def _directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in csp.split(";")) if d}


@pytest.mark.parametrize(("prefix", "dist"), [("/h5", H5_DIST), ("/admin", ADMIN_DIST)])
async def test_the_client_apps_can_not_be_framed(api: httpx.AsyncClient, prefix: str, dist) -> None:  # type: ignore[no-untyped-def]
    if not (dist / "index.html").exists():
        pytest.skip(f"{dist} not built (make run / the client's build makes it)")
    asset = next((dist / "assets").glob("*.js"))
    for path in (f"{prefix}/", f"{prefix}/some/client/route", f"{prefix}/assets/{asset.name}"):
        res = await api.get(path)
        assert res.status_code == 200, path
        assert {k: res.headers.get(k) for k in EXPECTED} == EXPECTED, path
        csp = _directives(res.headers["content-security-policy"])
        assert csp["frame-ancestors"] == ["'none'"], path
        assert csp["script-src"] == ["'self'"] and csp["object-src"] == ["'none'"], path


async def test_api_answers_carry_nosniff_and_no_framing(api: httpx.AsyncClient) -> None:
    for res in (await api.get("/healthz"), await api.get(f"{V1}/artists"), await api.get(f"{V1}/me"),
                await api.post(f"{V1}/auth/sms/send", json={"phone": "x"})):
        assert res.headers.get("x-content-type-options") == "nosniff", res.request.url
        assert res.headers.get("x-frame-options") == "DENY", res.request.url
    # Swagger UI loads its scripts from elsewhere: the client apps' CSP is not put on it.
    assert "content-security-policy" not in (await api.get("/docs")).headers


def test_nginx_sends_the_same_headers_for_the_static_clients() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    static = re.findall(r"location (/(?:h5|admin)/(?:assets/)?) \{([^}]*)\}", conf)
    assert {loc for loc, _ in static} == {"/h5/", "/h5/assets/", "/admin/", "/admin/assets/"}
    for loc, body in static:
        sent = dict(re.findall(r'add_header ([\w-]+) "([^"]*)" always;', body))
        assert {k.lower(): v for k, v in sent.items() if k.lower() in EXPECTED} == EXPECTED, loc
        assert sent["Content-Security-Policy"] == CLIENT_CSP, loc
