"""`make run`: the whole platform on one machine on embedded defaults.

Starts (or uses, when configured) PostgreSQL, applies migrations, seeds demo data, starts the Temporal dev
server (persisted in .data/, UI on :8233), a worker and the API (which serves /h5/ and /admin/).
Ctrl-C stops every child; the data stays for the next run.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from devstack.database import migrate, resolve_database_url
from domain.accounts.crypto import field_cipher_from_settings
from domain.artists.search_sync import reindex
from domain.db import session_scope
from domain.seed import CLIENTS, OPERATOR, seed
from domain.settings import ROOT, Settings, get_settings
from search.factory import artist_search_from_settings
from storage.factory import storage_from_settings
from workers.runtime import SEARCH_ATTRIBUTES

log = logging.getLogger("devstack")

BIN = Path(sys.executable).parent
# uvicorn believes X-Forwarded-For from 127.0.0.1 by default, i.e. from every local client of `make run`:
# off. The app reads proxy headers itself, only from settings.trusted_proxies (empty here).
API_SERVER_FLAGS = ("--no-proxy-headers",)


def wait_for_port(host: str, port: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"{proc.args!r} exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on {host}:{port} after {timeout:.0f}s")


def start_temporal_dev_server(settings: Settings) -> subprocess.Popen[bytes]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    args = [str(BIN / "temporal"), "server", "start-dev", "--ip", "127.0.0.1",
            "--port", str(settings.temporal_port), "--ui-port", str(settings.temporal_ui_port),
            "--db-filename", str(settings.data_dir / "temporal.db"), "--namespace", settings.temporal_namespace,
            "--log-level", "warn"]
    for name, kind in SEARCH_ATTRIBUTES.items():
        args += ["--search-attribute", f"{name}={kind}"]
    log_file = (settings.data_dir / "temporal.log").open("ab")
    proc = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603
    wait_for_port("127.0.0.1", settings.temporal_port, 60, proc)
    wait_for_port("127.0.0.1", settings.temporal_ui_port, 60, proc)
    return proc


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in reversed(procs):  # API first, Temporal last
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in reversed(procs):
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s devstack %(message)s")
    settings = get_settings()
    for name in ("jwt_secret", "id_encryption_key", "id_hash_key", "payment_sandbox_secret"):
        settings.secret(name)  # generated here once, before the children read them
    database_url, db_backend = resolve_database_url(settings)
    migrate(database_url)
    with session_scope(database_url) as session:
        created = seed(session, field_cipher_from_settings(settings), storage_from_settings(settings))
    with session_scope(database_url) as session:
        indexed = reindex(artist_search_from_settings(settings, database_url), session)
    log.info("database ready (%s); demo data added: %s; %s artists searchable", db_backend, created, indexed)

    procs: list[subprocess.Popen[bytes]] = []
    env = dict(os.environ, DATABASE_URL=database_url, DATA_DIR=str(settings.data_dir))
    # The embedded default: unconfigured logins, SMS and real-name checks use their sandboxes (沙箱), which
    # production refuses (integrations/sandbox_policy.py).
    env.setdefault("ALLOW_SANDBOX", "true")
    embedded = [] if settings.database_url else ["database"]
    try:
        if settings.temporal_address:
            env["TEMPORAL_ADDRESS"] = settings.temporal_address
        else:
            procs.append(start_temporal_dev_server(settings))
            env["TEMPORAL_ADDRESS"] = f"127.0.0.1:{settings.temporal_port}"
            embedded.append("temporal")
        env["EMBEDDED_SERVICES"] = ",".join(embedded)
        procs.append(subprocess.Popen([sys.executable, "-m", "workers"], env=env, cwd=ROOT))  # noqa: S603
        api = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",  # noqa: S603
                                "--host", settings.api_host, "--port", str(settings.api_port),
                                "--log-level", "warning", *API_SERVER_FLAGS], env=env, cwd=ROOT)
        procs.append(api)
        wait_for_port(settings.api_host, settings.api_port, 60, api)
        base = f"http://{settings.api_host}:{settings.api_port}"
        ui = "(external Temporal)" if settings.temporal_address else f"http://127.0.0.1:{settings.temporal_ui_port}"
        print(f"""
演约 is running
  H5 client (手机端)   {base}/h5/
  Admin console        {base}/admin/
  API docs             {base}/docs
  Health               {base}/healthz
  Temporal UI          {ui}
  DATABASE_URL         {make_url(database_url).render_as_string(hide_password=True)}
                       (for python -m search / storage: eval "$(python -m devstack env)")
Demo accounts
  operator             {OPERATOR[0]} / {OPERATOR[1]}
  clients (SMS login)  {", ".join(c[0] for c in CLIENTS)}  (sandbox code shown on the login page)
  artists (SMS login)  13900000001 … 13900000032
Press Ctrl-C to stop.""", flush=True)

        stopping = False

        def on_signal(signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        while not stopping:
            dead = next((p for p in procs if p.poll() is not None), None)
            if dead is not None:
                log.error("%s exited with %s; stopping the platform", dead.args, dead.returncode)
                break
            time.sleep(0.5)
    finally:
        stop(procs)
        log.info("stopped; data kept in %s", settings.data_dir)


if __name__ == "__main__":
    main()
