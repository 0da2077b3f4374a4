"""Loading a dump into an EMPTY database. A database with any table, sequence, view or extension of its own is
refused: a restore never merges into or overwrites live data (restore into a new database, then switch
DATABASE_URL)."""

from __future__ import annotations

import re
import subprocess  # noqa: S404 - pg_restore is the point
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from domain.backups.errors import RestoreTargetNotEmpty
from domain.backups.service import backup_key, sha256_of
from domain.backups.tools import find_tool, libpq_target, server_major, tool_env
from domain.db import sqlalchemy_url

RESTORE_TIMEOUT = 6 * 3600

# What a fresh `CREATE DATABASE` already holds is not "content": the system schemas, `public`, plpgsql.
_CONTENT = text("""
    SELECT 'relation ' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
       AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')  -- tables, views, sequences (not their indexes)
    UNION ALL
    SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
    UNION ALL
    SELECT 'schema ' || nspname FROM pg_namespace
     WHERE nspname NOT IN ('public', 'pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'
    LIMIT 5
""")


_OWN_ID = re.compile(r"yanyue-\d{8}-\d{6}-(\d+)\.dump$")


def _finish_own_row(conn: Connection, dump: Path, digest: str) -> None:
    """The dump was taken while its own backups row said `running`: that row is this file, now known good. Any
    other run caught mid-way never finished in this copy of the data."""
    if conn.execute(text("SELECT to_regclass('public.backups') IS NULL")).scalar_one():
        return
    own = _OWN_ID.search(dump.name)
    started = conn.execute(text("SELECT started_at FROM backups WHERE id = :id AND status = 'running'"),
                           {"id": int(own[1])}).scalar() if own else None
    if own and started is not None:
        conn.execute(text(
            "UPDATE backups SET status = 'succeeded', key = :key, sha256 = :sha, size = :size, finished_at = now() "
            "WHERE id = :id"),
            {"key": backup_key(started, int(own[1])), "sha": digest, "size": dump.stat().st_size, "id": int(own[1])})
    conn.execute(text("UPDATE backups SET status = 'failed', error = '数据库在这次备份进行中的快照被恢复', "
                      "finished_at = now() WHERE status = 'running'"))


@dataclass(frozen=True)
class RestoreSummary:
    sha256: str
    tables: int
    alembic_version: str | None


def existing_content(database_url: str) -> list[str]:
    engine = create_engine(sqlalchemy_url(database_url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.execute(_CONTENT).scalars())
    finally:
        engine.dispose()


def restore(dump: Path, database_url: str, *, bin_dir: Path | None = None,
            expected_sha256: str | None = None) -> RestoreSummary:
    digest = sha256_of(dump)
    if expected_sha256 and digest != expected_sha256.lower():
        raise ValueError(f"the dump's SHA-256 is {digest}, not {expected_sha256}: refusing a damaged or wrong file")
    found = existing_content(database_url)
    if found:
        raise RestoreTargetNotEmpty(detail={"found": found})
    pg_restore = find_tool("pg_restore", server_major(database_url), bin_dir)
    uri, env = libpq_target(database_url)
    # One transaction: a dump that fails half-way leaves the database as empty as it was.
    proc = subprocess.run(  # noqa: S603
        [str(pg_restore), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         "--dbname", uri, str(dump)],
        capture_output=True, text=True, timeout=RESTORE_TIMEOUT, env=tool_env(env), check=False)
    if proc.returncode != 0:
        hint = ""
        if "unsupported version" in proc.stderr:  # a dump of a newer major version than this server
            hint = (f" — the dump comes from a newer PostgreSQL than this server ({pg_restore.parent}); "
                    "restore it into a server of the same or a newer major version")
        raise RuntimeError(f"pg_restore failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}{hint}")
    engine = create_engine(sqlalchemy_url(database_url), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            _finish_own_row(conn, dump, digest)
            tables = conn.execute(text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar_one()
            has_alembic = conn.execute(text("SELECT to_regclass('public.alembic_version') IS NOT NULL")).scalar_one()
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if has_alembic else None
    finally:
        engine.dispose()
    return RestoreSummary(sha256=digest, tables=int(tables), alembic_version=version)
