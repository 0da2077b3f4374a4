"""`make run` (python -m devstack): healthy on embedded defaults, Ctrl-C stops every child, data survives."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.e2e.conftest import Platform

pytestmark = pytest.mark.e2e


def test_run_reports_health_stops_cleanly_and_keeps_data(tmp_path):
    platform = Platform(tmp_path)
    platform.start()
    try:
        health = httpx.get(f"{platform.url}/healthz").json()
        assert health["status"] == "ok"
        backends = {name: check["backend"] for name, check in health["checks"].items()}
        assert backends["database"] == "embedded-postgresql"
        assert backends["temporal"] == "temporal-dev-server"
        assert backends["sms"] == "sandbox (沙箱)"
        ui = httpx.get(f"http://127.0.0.1:{platform.ports['TEMPORAL_UI_PORT']}/", timeout=5)
        assert ui.status_code == 200
        assert httpx.get(f"{platform.url}/openapi.json").json()["info"]["title"] == "演约 API"
        sent = httpx.post(f"{platform.url}/api/v1/auth/sms/send", json={"phone": "13512345678"}).json()
        login = httpx.post(f"{platform.url}/api/v1/auth/sms/login",
                           json={"phone": "13512345678", "code": sent["sandbox_code"]})
        assert login.status_code == 200
        user_id = login.json()["me"]["id"]
        artists = httpx.get(f"{platform.url}/api/v1/artists").json()["total"]
        assert artists >= 30
    finally:
        code = platform.stop()
    assert code == 0, platform.log()
    time.sleep(1)
    assert platform.ports_in_use() == [], platform.log()

    platform.start()  # same data dir: nothing is seeded twice, the new account is still there
    try:
        assert httpx.get(f"{platform.url}/api/v1/artists").json()["total"] == artists
        sent = httpx.post(f"{platform.url}/api/v1/auth/sms/send", json={"phone": "13512345678"})
        assert sent.status_code == 429  # the cooldown recorded before the restart still holds
        assert "demo data added: {'operators': 0, 'clients': 0, 'artists': 0}" in platform.log()
        ops = httpx.post(f"{platform.url}/api/v1/admin/auth/login",
                         json={"username": "admin", "password": "yanyue-admin"}).json()["access_token"]
        found = httpx.get(f"{platform.url}/api/v1/admin/users?phone=13512345678",
                          headers={"Authorization": f"Bearer {ops}"}).json()
        assert [u["id"] for u in found["items"]] == [user_id]
    finally:
        assert platform.stop() == 0
