"""`python -m devstack` (what `make run` runs) starts the platform on embedded defaults.

`python -m devstack env` prints `export DATABASE_URL=...` for the database `make run` uses (the embedded one is
started if needed, migrated, and left running), so the maintenance commands, which read only DATABASE_URL, can
run against it:  eval "$(.venv/bin/python -m devstack env)" && .venv/bin/python -m search reindex
"""

from __future__ import annotations

import argparse
import logging
import shlex

from devstack.database import migrate, resolve_database_url
from devstack.run import main as run
from domain.settings import get_settings


def print_env() -> None:
    settings = get_settings()
    url, _ = resolve_database_url(settings, keep_running=True)
    if not settings.database_url:
        migrate(url)
    print(f"export DATABASE_URL={shlex.quote(url)}")


parser = argparse.ArgumentParser(prog="python -m devstack", description="The platform on one machine (make run).")
parser.add_argument("command", nargs="?", choices=["run", "env"], default="run",
                    help="run: start everything (default); env: print DATABASE_URL for maintenance commands")
if parser.parse_args().command == "env":
    logging.basicConfig(level=logging.WARNING)
    print_env()
else:
    run()
