"""Taking a backup (pg_dump into object storage), retention, and what the console shows."""

from __future__ import annotations

import hashlib
import logging
import subprocess  # noqa: S404 - pg_dump is the point
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.backups.errors import BackupNotDownloadable, BackupNotFound
from domain.backups.messages import PREFIX, BackupResult, PruneResult
from domain.backups.schemas import (
    STATUS_LABELS,
    TRIGGER_LABELS,
    BackupLinkOut,
    BackupList,
    BackupOut,
    BackupPolicyOut,
)
from domain.backups.tools import find_tool, libpq_target, server_major, tool_env
from domain.models import Backup
from domain.settings import Settings
from domain.time import SHANGHAI, utc_now
from storage.base import ObjectStorage, check_key

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/vnd.postgresql.custom-dump"
LINK_TTL = timedelta(minutes=10)
DUMP_TIMEOUT = 3 * 3600  # seconds; the activity's start-to-close is a little longer
STALE_RUNNING = timedelta(hours=12)  # past every retry of the take activity


def start_row(session: Session, workflow_id: str, trigger: str, requested_by: int | None) -> Backup:
    """The row of this run (a retried activity finds the one its first attempt wrote)."""
    row = session.scalar(select(Backup).where(Backup.workflow_id == workflow_id).with_for_update())
    if row is None:
        row = Backup(workflow_id=workflow_id, trigger=trigger, requested_by=requested_by, status="running")
        session.add(row)
    else:
        row.status, row.error, row.started_at, row.finished_at = "running", None, utc_now(), None
    session.flush()
    return row


def dump_to_file(database_url: str, target: Path, bin_dir: Path | None) -> str:
    """pg_dump (custom format: compressed, restored with pg_restore) of the whole database into `target`;
    returns the server's major version. Owners and grants are left out so the dump restores into any account."""
    major = server_major(database_url)
    pg_dump = find_tool("pg_dump", major, bin_dir)
    uri, env = libpq_target(database_url)
    proc = subprocess.run(  # noqa: S603
        [str(pg_dump), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), "--dbname", uri],
        capture_output=True, text=True, timeout=DUMP_TIMEOUT, env=tool_env(env), check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"pg_dump failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")
    return str(major)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def backup_key(started_at: datetime, backup_id: int) -> str:
    stamp = started_at.astimezone(SHANGHAI)
    return check_key(f"{PREFIX}{stamp:%Y/%m}/yanyue-{stamp:%Y%m%d-%H%M%S}-{backup_id}.dump")


def take(factory: Callable[[], Session], database_url: str, storage: ObjectStorage, *,
         workflow_id: str, trigger: str, requested_by: int | None, bin_dir: Path | None) -> BackupResult:
    """Dump, upload, record. The row is committed as `running` first, so the console shows a backup in progress;
    a failure is recorded on the row (and re-raised: the activity retries, then the workflow reports it)."""
    with factory() as session:
        row = start_row(session, workflow_id, trigger, requested_by)
        backup_id, started_at = row.id, row.started_at
        session.commit()
    try:
        with tempfile.TemporaryDirectory(prefix="yanyue-backup-") as tmp:
            path = Path(tmp) / "db.dump"
            version = dump_to_file(database_url, path, bin_dir)
            size, digest = path.stat().st_size, sha256_of(path)
            key = backup_key(started_at, backup_id)
            with path.open("rb") as fh:
                storage.put_file(key, fh, size, CONTENT_TYPE, private=True)
    except Exception as exc:
        with factory() as session:
            failed = session.get_one(Backup, backup_id)
            failed.status, failed.error, failed.finished_at = "failed", str(exc)[:1000], utc_now()
            session.commit()
        raise
    with factory() as session:
        done = session.get_one(Backup, backup_id)
        done.status, done.key, done.size, done.sha256 = "succeeded", key, size, digest
        done.server_version, done.error, done.finished_at = version, None, utc_now()
        session.commit()
    log.info("backup %s: %s (%d bytes, sha256 %s)", backup_id, key, size, digest)
    return BackupResult(backup_id=backup_id, status="succeeded", key=key, size=size, sha256=digest)


def prune(session: Session, storage: ObjectStorage, retention_days: int) -> PruneResult:
    """Delete dumps older than `retention_days` — by their rows, and any dump under the prefix no row knows (rows
    lost to a restore of an older dump) by its age in storage. The newest successful backup always stays, so a run
    of failures never leaves nothing to restore."""
    cutoff = utc_now() - timedelta(days=retention_days)
    newest = session.scalar(select(Backup).where(Backup.status == "succeeded")
                            .order_by(Backup.started_at.desc(), Backup.id.desc()).limit(1))
    keep = newest.key if newest is not None else None
    expired = 0
    for row in session.scalars(select(Backup).where(Backup.status == "succeeded", Backup.started_at < cutoff)):
        if row.key == keep:
            continue
        if row.key:
            storage.delete(row.key)
        row.status, row.expired_at = "expired", utc_now()
        expired += 1
    # A run whose worker died mid-dump (and whose workflow was given up) would say 进行中 for ever.
    for row in session.scalars(select(Backup).where(Backup.status == "running",
                                                    Backup.started_at < utc_now() - STALE_RUNNING)):
        row.status, row.error, row.finished_at = "failed", "备份中断：未在时限内完成", utc_now()
    known = set(session.scalars(select(Backup.key).where(Backup.status.in_(("running", "succeeded")))))
    for key, modified in list(storage.list_keys(PREFIX)):
        if modified < cutoff and key not in known and key != keep:
            storage.delete(key)
            expired += 1
    session.flush()
    return PruneResult(expired=expired)


def backup_out(row: Backup) -> BackupOut:
    return BackupOut(id=row.id, status=row.status, status_label=STATUS_LABELS[row.status],
                     trigger=row.trigger, trigger_label=TRIGGER_LABELS[row.trigger],
                     requested_by=row.requested_by, key=row.key, size=row.size, sha256=row.sha256,
                     server_version=row.server_version, error=row.error, started_at=row.started_at,
                     finished_at=row.finished_at, expired_at=row.expired_at)


def next_run(hour: int, now: datetime | None = None) -> datetime:
    local = (now or utc_now()).astimezone(SHANGHAI)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


def list_backups(session: Session, settings: Settings, storage: ObjectStorage, *, page: int,
                 page_size: int) -> BackupList:
    total = session.scalar(select(func.count()).select_from(Backup)) or 0
    rows = session.scalars(select(Backup).order_by(Backup.started_at.desc(), Backup.id.desc())
                           .offset((page - 1) * page_size).limit(page_size))
    policy = BackupPolicyOut(hour=settings.backup_hour, retention_days=settings.backup_retention_days,
                             next_run_at=next_run(settings.backup_hour), storage=storage.name)
    return BackupList(items=[backup_out(r) for r in rows], total=total, page=page, page_size=page_size,
                      policy=policy)


def get_backup(session: Session, backup_id: int) -> BackupOut:
    row = session.get(Backup, backup_id)
    if row is None:
        raise BackupNotFound()
    return backup_out(row)


def download_link(session: Session, storage: ObjectStorage, backup_id: int) -> BackupLinkOut:
    row = session.get(Backup, backup_id)
    if row is None:
        raise BackupNotFound()
    if row.status != "succeeded" or not row.key or row.size is None or not row.sha256:
        raise BackupNotDownloadable(detail={"status": row.status})
    return BackupLinkOut(url=storage.download_url(row.key, expires=LINK_TTL), expires_at=utc_now() + LINK_TTL,
                         key=row.key, size=row.size, sha256=row.sha256)
