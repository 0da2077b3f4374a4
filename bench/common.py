"""What the benchmarks share: the PostgreSQL server they make their throwaway databases on."""

from __future__ import annotations

import os

from sqlalchemy import create_engine

from devstack.database import start_embedded
from domain.db import sqlalchemy_url
from domain.settings import ROOT

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_url(requested: str | None) -> str:
    """The server asked for, else BENCH_DATABASE_SERVER or the local one, else an embedded server."""
    url = requested or os.environ.get("BENCH_DATABASE_SERVER") or DEFAULT_SERVER
    try:
        engine = create_engine(sqlalchemy_url(url))
        with engine.connect():
            pass
        engine.dispose()
        return url
    except Exception as exc:
        if requested:
            raise
        print(f"no PostgreSQL at {url} ({type(exc).__name__}); using the embedded server")
        return start_embedded(ROOT / ".data" / "bench-pg")
