"""The console's 数据备份 through the API, with the backup workflow run by the platform worker on the Temporal test
server: 立即备份 dumps the database into storage, the list shows it with the schedule's hour and retention, the
signed download link gives back exactly the recorded bytes (and is audited); a role without the code is refused."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.models import AuditLog, Backup
from domain.time import utc_now
from tests.factories import artist_row
from tests.helpers import V1, bearer, operator_token


async def test_backup_now_list_and_download(api_with_temporal: httpx.AsyncClient, db: Session) -> None:
    api = api_with_temporal
    artist_row(db, stage_name="备份里的艺人")
    db.commit()
    auth = bearer(await operator_token(api, db))
    # A dump past the retention (14 days by default): the run's retention step removes it.
    stale = Backup(workflow_id="backup-old", trigger="schedule", status="succeeded", key=None,
                   started_at=utc_now() - timedelta(days=30))
    db.add(stale)
    db.commit()

    started = await api.post(f"{V1}/admin/backups", headers=auth)
    assert started.status_code == 200, started.text
    run = started.json()
    assert run["status"] == "succeeded" and run["workflow_id"].startswith("backup-manual-")
    backup = run["backup"]
    assert backup["status"] == "succeeded" and backup["trigger"] == "manual" and backup["size"] > 0
    assert backup["key"].startswith("private/backups/") and len(backup["sha256"]) == 64

    listed = (await api.get(f"{V1}/admin/backups", headers=auth)).json()
    assert listed["total"] == 2 and listed["items"][0]["id"] == backup["id"]
    assert listed["items"][0]["requested_by"] is not None and listed["items"][0]["trigger_label"] == "手动"
    assert listed["items"][1]["status"] == "expired"  # the 30-day-old one, by the run's retention step
    assert listed["policy"]["hour"] == 3 and listed["policy"]["retention_days"] == 14

    link = await api.get(f"{V1}/admin/backups/{backup['id']}/download", headers=auth)
    assert link.status_code == 200, link.text
    body = link.json()
    assert (body["sha256"], body["size"]) == (backup["sha256"], backup["size"])
    url = httpx.URL(body["url"])
    assert url.params.get("sig") and url.params.get("exp")  # a signed, expiring link
    file = await api.get(f"{url.path}?{url.query.decode()}")
    assert file.status_code == 200 and file.content[:5] == b"PGDMP"
    assert hashlib.sha256(file.content).hexdigest() == backup["sha256"]
    tampered = await api.get(f"{url.path}?exp={url.params['exp']}&sig=AAAA")
    assert tampered.status_code == 403
    assert db.scalar(select(AuditLog).where(AuditLog.action == "GET /admin/backups/{backup_id}/download",
                                            AuditLog.target_id == str(backup["id"]))) is not None

    # An expired backup has no file to hand out; an unknown one is 404.
    gone = await api.get(f"{V1}/admin/backups/{listed['items'][1]['id']}/download", headers=auth)
    assert gone.status_code == 409 and gone.json()["code"] == "backup_not_downloadable"
    assert (await api.get(f"{V1}/admin/backups/999999", headers=auth)).json()["code"] == "backup_not_found"


async def test_backups_need_the_backup_permission(api: httpx.AsyncClient, db: Session) -> None:
    auth = bearer(await operator_token(api, db, "finance1", role="finance"))
    for method, path in (("GET", "/admin/backups"), ("POST", "/admin/backups")):
        res = await api.request(method, f"{V1}{path}", headers=auth)
        assert res.status_code == 403 and res.json()["code"] == "permission_denied"
