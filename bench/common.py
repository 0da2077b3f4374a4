"""What the benchmarks share: the PostgreSQL server they make their throwaway databases on, and what each run
prints about itself (the machine, the code measured) and how it stops its children."""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import shutil
import signal
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

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


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal:"))
    return f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}, {mem / 1024 / 1024:.0f} GB RAM"


def code_version() -> str:
    """The commit measured, and whether the working tree differed from it."""
    git = shutil.which("git") or "git"
    try:
        head = subprocess.run([git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                              check=True).stdout.strip()
        dirty = subprocess.run([git, "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,  # noqa: S603
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return f"commit {head}" + (" + uncommitted changes in the working tree" if dirty else "")


@contextlib.contextmanager
def stopped_on_sigterm() -> Iterator[None]:
    """SIGTERM ends the run like Ctrl-C does, through every `finally` that stops a child."""
    def on_term(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- bulk data (COPY)


def _copy_value(v: Any) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, list | tuple):
        return "{" + ",".join('"' + str(x).replace("\\", "\\\\\\\\").replace('"', '\\\\"') + '"' for x in v) + "}"
    if isinstance(v, dict):
        v = json.dumps(v, ensure_ascii=False)
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def copy_rows(cur: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    buf, n = io.StringIO(), 0
    for row in rows:
        buf.write("\t".join(_copy_value(v) for v in row))
        buf.write("\n")
        n += 1
    buf.seek(0)
    cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)
    return n
