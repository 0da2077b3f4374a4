"""Booking lifecycle benchmark (a script, not a test): N bookings driven concurrently from the inquiry to COMPLETED
through the HTTP API against the pieces production runs, next to the floor — a no-op workflow taking the same
messages and timers on the same Temporal dev server (bench/lifecycle_floor.py).

    .venv/bin/python bench/booking_lifecycle.py                          # 40 bookings, 1, 2 and 4 workers
    .venv/bin/python bench/booking_lifecycle.py --bookings 10 --workers 1 --show-in 10   # a quick look

The platform: tests/e2e/booking_stack.py `Stack` (PostgreSQL — embedded unless DATABASE_URL names a server — a
Temporal dev server with the search attributes, `python -m workers` processes, the API under uvicorn), the
settlement dispute window and approval period set to 0 as the e2e tests do. Every client–artist pair is
registered (SMS login, profile, real-name check) before the measured window. A booking, as
tests/e2e/test_booking_lifecycle.py drives it: inquiry; the artist confirms with a quote and sends the contract;
the client signs, the artist countersigns (each after its SMS sign-code); the deposit and the balance each
opened by pay_*, the sandbox cashier page loaded and 确认支付 pressed (the sandbox gateway POSTs its signed
callback to the API, which signals the workflow), then polled until DEPOSIT_PAID / FULLY_PAID; the show starts
`--show-in` seconds after the inquiry and lasts `--show-length`: the workflow's performance-end timer moves it to
PERFORMED; the client confirms the performance and the artist requests settlement, answered COMPLETED.

The floor: `LifecycleFloor` on its own task queue and worker process(es) (as many as the platform has), driven
by the Temporal client from this process at the same concurrency: start (the inquiry), an Update per action, a
Signal per payment then polled by query until it shows, the same show start and end timers. Polls of both go
every 20 ms.

The lanes start spread over `--ramp` seconds (bookings arrive as a flow, not all in the same second), the floor's
the same way.

Figures: bk/s = completed bookings over the measured window (first inquiry to last COMPLETED). Every booking
waits for its show (the timer): "show wait" is the time from FULLY_PAID to PERFORMED, its share the sum of those
waits over the sum of the bookings' times; "active" is a booking's time from the inquiry to COMPLETED less its
show wait. With every booking waiting for its show, bk/s is bound by the timer on both sides; what the machine can
sustain is read from the CPU instead: "CPU s/bk" = user + system seconds of the server processes (API, workers,
Temporal, PostgreSQL; the floor: its workers and Temporal) over the window per completed booking, and "capacity
bk/s" = nproc / CPU s/bk, the rate at which the booking's work would fill every CPU of this machine. A few
bookings (`--warmup`) run on both sides first, unmeasured (first imports, caches, the first PDF of each process).

Latency per action: the HTTP request (or the Temporal call) from send to answer; "→DEPOSIT_PAID"/"→FULLY_PAID"
from pressing 确认支付 (the floor: sending the signal) until the booking shows the new status; "performed lag"
from the show's end until PERFORMED shows. CPU: user + system seconds of each group of processes over the window
/ the window (1.0 = one CPU busy), read from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

try:
    from domain.contracts.fonts import common_path
except ImportError:  # a checkout from before the contract font copy
    common_path = None  # type: ignore[assignment]
from domain.settings import Settings  # noqa: E402
from domain.time import utc_now  # noqa: E402
from tests.e2e.booking_stack import V1, Party, Stack, valid_id_number  # noqa: E402
from tests.factories import signature_png  # noqa: E402

FEE = 1_200_000
QUOTE = {"fee_amount": FEE, "deposit_percent": 30, "balance_due_days": 0}
POLL = 0.02
FLOOR_QUEUE = "lifecycle-floor"
SERVERS = {"api", "workers", "floor workers", "temporal", "postgres"}  # the bench client is not the server's work
# In the order a booking meets them; "—" in a column the other side has no counterpart of.
ACTIONS = ["inquiry", "confirm", "send_contract", "sign-code", "sign", "countersign", "pay_deposit", "cashier_page",
           "deposit_callback", "→DEPOSIT_PAID", "pay_balance", "balance_callback", "→FULLY_PAID", "performed lag",
           "confirm_performance", "request_settlement", "GET booking (poll)"]
POLL_NAME = ACTIONS[-1]  # the polls while waiting for a status (the floor: a query)
# Not user actions: the goal's "p95 per action" reads the HTTP actions, not the timer's lag or the polls.
NOT_ACTIONS = {"performed lag", POLL_NAME}


class BookingFailed(Exception):
    pass


@dataclass
class Run:
    label: str
    workers: int
    lanes: int
    window: float = 0.0
    done: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    lat: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    show_wait: float = 0.0
    active: list[float] = field(default_factory=list)  # per completed booking: its time less its show wait
    cpu: dict[str, float] = field(default_factory=dict)

    def time(self, name: str, started: float) -> None:
        self.lat[name].append(time.perf_counter() - started)

    @property
    def rate(self) -> float:
        return self.done / self.window if self.window else 0.0

    @property
    def wait_share(self) -> float:
        total = self.show_wait + sum(self.active)
        return self.show_wait / total if total else 0.0

    @property
    def cpu_per_booking(self) -> float:
        busy = sum(v for k, v in self.cpu.items() if k in SERVERS) * self.window
        return busy / self.done if self.done else 0.0

    @property
    def rate_busy(self) -> float:
        """Capacity: bookings per second when the booking's server work fills every CPU."""
        per = self.cpu_per_booking
        return (os.cpu_count() or 1) / per if per else 0.0

    def pct(self, name: str, q: float) -> float | None:
        values = sorted(self.lat.get(name, []))
        if not values:
            return None
        return values[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000

    def worst_p95(self) -> tuple[str, float]:
        pairs = [(n, self.pct(n, 0.95) or 0.0) for n in self.lat if n not in NOT_ACTIONS]
        return max(pairs, key=lambda p: p[1]) if pairs else ("", 0.0)


# --- CPU of process groups, from /proc


def _stat(pid: int) -> tuple[int, int, float] | None:
    """(parent pid, session id, user + system seconds) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[3]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds by group: a Stack child's whole session (it starts its own), PostgreSQL's postmaster and its
    backends, and this process."""

    def __init__(self, stack: BenchStack):
        self.stack = stack

    def sample(self) -> dict[str, float]:
        stats = {int(p): s for p in os.listdir("/proc") if p.isdigit() and (s := _stat(int(p))) is not None}
        groups: dict[str, float] = defaultdict(float)
        sessions = {proc.pid: _group(name) for name, proc in self.stack.procs.items() if proc.poll() is None}
        postmaster = self.stack.postmaster_pid()
        for pid, (ppid, sid, cpu) in stats.items():
            if sid in sessions:
                groups[sessions[sid]] += cpu
            elif postmaster is not None and (pid == postmaster or ppid == postmaster):
                groups["postgres"] += cpu
        t = os.times()
        groups["bench client"] = t.user + t.system
        return dict(groups)


def _group(name: str) -> str:
    return "workers" if name.startswith("worker-") else "floor workers" if name.startswith("floor-") else name


def cpu_use(before: dict[str, float], after: dict[str, float], window: float) -> dict[str, float]:
    return {k: max(after.get(k, 0.0) - before.get(k, 0.0), 0.0) / window for k in after}


# --- the platform


class BenchStack(Stack):
    """The e2e stack plus the floor's worker processes (on the same dev server) and the database's CPU."""

    floor_workers = 0

    def start_floor_worker(self) -> None:
        self.floor_workers += 1
        name = f"floor-{self.floor_workers}"
        proc = self._spawn(name, [sys.executable, "-m", "bench.lifecycle_floor", "--address",
                                  self.temporal_address, "--task-queue", FLOOR_QUEUE])
        log = self.logs / f"{name}.log"
        self._wait(name, lambda: "floor worker polling" in log.read_text(errors="replace"), proc, 60)

    def postmaster_pid(self) -> int | None:
        if self.pg_dir is None:
            return None  # a shared server: its CPU is not this run's alone
        for pid_file in self.pg_dir.rglob("postmaster.pid"):
            try:
                return int(pid_file.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                return None
        return None


async def _poll(what: str, get: Callable[[], Awaitable[str]], want: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        status = await get()
        if status == want:
            return
        if time.monotonic() > deadline:
            raise BookingFailed(f"{what}: still {status} after {timeout:.0f} s")
        await asyncio.sleep(POLL)


class Platform:
    def __init__(self, stack: BenchStack, http: httpx.AsyncClient, args: argparse.Namespace):
        self.stack, self.http, self.args = stack, http, args
        self.png = signature_png()

    async def _post(self, run: Run, name: str, party: Party, path: str, body: dict | None = None) -> dict:
        t = time.perf_counter()
        res = await self.http.post(f"{V1}{path}", headers=party.headers, json=body or {})
        run.time(name, t)
        if res.status_code not in (200, 201):
            raise BookingFailed(f"{name}: {res.status_code} {res.text[:200]}")
        return dict(res.json())

    async def _act(self, run: Run, party: Party, booking_id: int, action: str, body: dict | None = None,
                   want: str | None = None) -> dict:
        body = dict(body or {})
        if action in ("sign", "countersign"):  # the SMS code first, as the contract page asks for it
            sent = await self._post(run, "sign-code", party, f"/bookings/{booking_id}/contract/sign-code")
            body.update(sms_code=sent["sandbox_code"], signature_png_base64=self.png)
        out = await self._post(run, action, party, f"/bookings/{booking_id}/actions/{action}", body)
        if want is not None and out["status"] != want:
            raise BookingFailed(f"{action}: answered {out['status']}, not {want}")
        return out

    async def _status(self, run: Run, party: Party, booking_id: int) -> str:
        t = time.perf_counter()
        res = await self.http.get(f"{V1}/bookings/{booking_id}", headers=party.headers)
        run.time(POLL_NAME, t)
        if res.status_code != 200:
            raise BookingFailed(f"GET booking: {res.status_code}")
        return str(res.json()["status"])

    async def _pay(self, run: Run, client: Party, booking_id: int, kind: str, want: str) -> None:
        started = await self._act(run, client, booking_id, f"pay_{kind}")
        order_id, pay_url = started["payment_order_id"], started["pay_url"]
        t = time.perf_counter()
        page = await self.http.get(pay_url)
        run.time("cashier_page", t)
        if page.status_code != 200:
            raise BookingFailed(f"cashier page: {page.status_code}")
        t = time.perf_counter()
        res = await self.http.post(f"{V1}/payments/sandbox/{order_id}/confirm", follow_redirects=False)
        run.time(f"{kind}_callback", t)
        if res.status_code != 303 or "notice" in res.headers.get("location", ""):
            raise BookingFailed(f"{kind} callback: {res.status_code} {res.headers.get('location')}")
        await _poll(f"{kind} paid", lambda: self._status(run, client, booking_id), want, 60)
        run.time(f"→{want}", t)

    async def booking(self, run: Run, pair: tuple[Party, Party]) -> float:
        """One booking from the inquiry to COMPLETED; returns its wait for the show (FULLY_PAID → PERFORMED)."""
        client, artist = pair
        a = self.args
        start = utc_now() + timedelta(seconds=a.show_in)
        end = start + timedelta(seconds=a.show_length)
        out = await self._post(run, "inquiry", client, "/inquiries", {
            "artist_ids": [artist.id], "event_type": "公司年会", "start_at": start.isoformat(),
            "end_at": end.isoformat(), "city": "上海", "venue_address": "浦东新区世纪大道1号", "audience_size": 300,
            "requirements": "开场两首歌", "budget_amount": 2_000_000, "contact_name": "王经理",
            "contact_phone": client.phone})
        bid = int(out["bookings"][0]["id"])
        await self._act(run, artist, bid, "confirm", {"quote": QUOTE}, "CONFIRMED")
        await self._act(run, artist, bid, "send_contract", want="CONTRACT_SENT")
        await self._act(run, client, bid, "sign", want="CLIENT_SIGNED")
        await self._act(run, artist, bid, "countersign", want="SIGNED")
        await self._pay(run, client, bid, "deposit", "DEPOSIT_PAID")
        await self._pay(run, client, bid, "balance", "FULLY_PAID")
        fully = time.perf_counter()
        await _sleep_until(end)
        await _poll("performed", lambda: self._status(run, client, bid), "PERFORMED", 60)
        run.lat["performed lag"].append((utc_now() - end).total_seconds())
        wait = time.perf_counter() - fully
        await self._act(run, client, bid, "confirm_performance", want="ACCEPTED")
        await self._act(run, artist, bid, "request_settlement", want="COMPLETED")
        return wait


class Floor:
    def __init__(self, client: Any, args: argparse.Namespace, prefix: str):
        self.client, self.args, self.prefix = client, args, prefix

    async def booking(self, run: Run, n: int) -> float:
        a = self.args
        start = utc_now() + timedelta(seconds=a.show_in)
        end = start + timedelta(seconds=a.show_length)
        t = time.perf_counter()
        h = await self.client.start_workflow("LifecycleFloor", args=[start.isoformat(), end.isoformat()],
                                             id=f"{self.prefix}-{n}", task_queue=FLOOR_QUEUE)
        run.time("inquiry", t)

        async def act(action: str) -> str:
            t = time.perf_counter()
            out = str(await h.execute_update("act", action, result_type=str))
            run.time(action, t)
            return out

        async def state() -> str:
            t = time.perf_counter()
            out = str(await h.query("state", result_type=str))
            run.time(POLL_NAME, t)
            return out

        for action in ("confirm", "send_contract", "sign", "countersign"):
            await act(action)
        for kind, want in (("deposit", "DEPOSIT_PAID"), ("balance", "FULLY_PAID")):
            await act(f"pay_{kind}")
            t = time.perf_counter()
            await h.signal("payment_received", kind)
            run.time(f"{kind}_callback", t)
            await _poll(f"{kind} paid", state, want, 60)
            run.time(f"→{want}", t)
        fully = time.perf_counter()
        await _sleep_until(end)
        await _poll("performed", state, "PERFORMED", 60)
        run.lat["performed lag"].append((utc_now() - end).total_seconds())
        wait = time.perf_counter() - fully
        await act("confirm_performance")
        if await act("request_settlement") != "COMPLETED":
            raise BookingFailed("floor: not COMPLETED")
        return wait


async def _sleep_until(at: datetime) -> None:
    await asyncio.sleep(max((at - utc_now()).total_seconds(), 0))


async def drive(run: Run, n: int, booking: Callable[[Run, int], Awaitable[float]], meter: CpuMeter,
                ramp: float) -> None:
    """`n` bookings over `run.lanes` lanes started `ramp` / lanes seconds apart, each lane starting its next booking
    when its last one ended."""
    queue = list(range(n))
    waits: list[float] = []
    finished: list[float] = []

    async def lane(k: int) -> None:
        await asyncio.sleep(k * ramp / run.lanes)
        while queue:
            i = queue.pop(0)
            try:
                began = time.perf_counter()
                wait = await booking(run, i)
                waits.append(wait)
                run.done += 1
                finished.append(time.perf_counter())
                run.active.append(finished[-1] - began - wait)
            except (BookingFailed, httpx.HTTPError) as exc:
                run.failed[str(exc)[:160]] += 1
            except Exception as exc:  # a Temporal RPC or update failure of the floor
                run.failed[f"{type(exc).__name__}: {str(exc)[:140]}"] += 1

    before = meter.sample()
    t0 = time.perf_counter()
    await asyncio.gather(*(lane(k) for k in range(run.lanes)))
    t1 = time.perf_counter()
    run.window = (max(finished) if finished else t1) - t0
    run.show_wait = sum(waits)
    run.cpu = cpu_use(before, meter.sample(), t1 - t0)


# --- the report


def _ms(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f}"


def print_pair(plat: Run, floor: Run) -> None:
    print(f"\n### {plat.workers} worker process(es): {plat.lanes} bookings at a time\n")
    print("| run | completed | failed | window s | bk/s | show-wait share | active p50 / p95 s | "
          "CPU s/bk | capacity bk/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in (floor, plat):
        active = sorted(r.active) or [0.0]
        print(f"| {r.label} | {r.done} | {sum(r.failed.values())} | {r.window:.1f} | {r.rate:.2f} | "
              f"{r.wait_share * 100:.0f} % | {active[len(active) // 2]:.1f} / "
              f"{active[min(len(active) - 1, round(0.95 * (len(active) - 1)))]:.1f} | {r.cpu_per_booking:.2f} | "
              f"{r.rate_busy:.2f} |")
    print(f"| platform ÷ floor | | | | {plat.rate / floor.rate if floor.rate else 0:.2f} | | | | "
          f"{plat.rate_busy / floor.rate_busy if floor.rate_busy else 0:.2f} |")
    print("\n| action | platform p50 ms | platform p95 ms | floor p50 ms | floor p95 ms | ÷ floor p95 |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ACTIONS:
        p50, p95, f50, f95 = plat.pct(name, .5), plat.pct(name, .95), floor.pct(name, .5), floor.pct(name, .95)
        ratio = f"{p95 / f95:.1f}×" if p95 is not None and f95 else "—"
        print(f"| {name} | {_ms(p50)} | {_ms(p95)} | {_ms(f50)} | {_ms(f95)} | {ratio} |")
    groups = ["api", "workers", "floor workers", "temporal", "postgres", "bench client"]
    print("\n| CPU (cores busy over the window) | " + " | ".join(groups) + " | total |")
    print("|---|" + "---:|" * (len(groups) + 1))
    for r in (floor, plat):
        print(f"| {r.label} | " + " | ".join(f"{r.cpu.get(g, 0):.2f}" for g in groups)
              + f" | {sum(r.cpu.get(g, 0) for g in groups):.2f} |")
    for r in (floor, plat):
        for why, count in r.failed.most_common(5):
            print(f"  {r.label} failed ×{count}: {why}")


def print_summary(pairs: list[tuple[Run, Run]]) -> None:
    print("\n### Scaling\n")
    print("| workers | platform bk/s | floor bk/s | ratio | platform capacity bk/s | floor capacity bk/s | "
          "ratio | worst platform p95 (action) | CPU api / workers / temporal / postgres |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for plat, floor in pairs:
        name, p95 = plat.worst_p95()
        cpu = " / ".join(f"{plat.cpu.get(g, 0):.2f}" for g in ("api", "workers", "temporal", "postgres"))
        print(f"| {plat.workers} | {plat.rate:.2f} | {floor.rate:.2f} | "
              f"{plat.rate / floor.rate if floor.rate else 0:.2f} | {plat.rate_busy:.2f} | {floor.rate_busy:.2f} | "
              f"{plat.rate_busy / floor.rate_busy if floor.rate_busy else 0:.2f} | {p95:.0f} ms ({name}) | {cpu} |")


# --- main


def _uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def _git(*args: str) -> str:
    return subprocess.run([shutil.which("git") or "git", *args], cwd=ROOT, capture_output=True,  # noqa: S603
                          text=True).stdout.strip()


def _commit() -> str:
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return f"{_git('rev-parse', '--short', 'HEAD')}{' (dirty tree)' if dirty else ' (clean tree)'}"


def _name(i: int) -> str:
    """A plausible legal name (the sandbox real-name check refuses digits)."""
    return "王李张刘陈杨赵黄"[i % 8] + "晓子雨思嘉明"[i // 8 % 6] + "华文"[i // 48 % 2]


async def register(stack: BenchStack, http: httpx.AsyncClient, i: int, role: str) -> Party:
    """As Stack.register (SMS login, the role's profile, 入驻审核 passed, real-name check through the worker), each
    user from its own address behind the trusted proxy: the SMS send limit per address would refuse a crowd."""
    phone, name = f"{1370 if role == 'client' else 1360}{i:07d}", _name(2 * i + (role == "artist"))
    ip = {"X-Forwarded-For": f"10.{i // 250 % 250}.{i % 250}.{1 if role == 'client' else 2}"}

    async def call(method: str, path: str, headers: dict[str, str] | None = None, **kw: Any) -> dict:
        res = await http.request(method, f"{V1}{path}", headers={**ip, **(headers or {})}, **kw)
        if res.status_code not in (200, 201):
            raise RuntimeError(f"register {phone}: {method} {path}: {res.status_code} {res.text[:200]}")
        return dict(res.json())

    code = (await call("POST", "/auth/sms/send", json={"phone": phone}))["sandbox_code"]
    token = (await call("POST", "/auth/sms/login", json={"phone": phone, "code": code}))["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    if role == "client":
        await call("PUT", "/me/client-profile", h, json={
            "org_name": "星河科技有限公司", "industry": "enterprise", "contact_name": name, "contact_phone": phone})
    else:
        me = await call("PUT", "/me/artist-profile", h, json={
            "stage_name": name, "artist_types": ["singer"], "styles": ["流行"], "city": "上海", "contact_phone": phone})
        await asyncio.to_thread(stack.execute, "UPDATE artist_profiles SET approved_at = now() WHERE user_id = :id; "
                                "UPDATE artist_profile_drafts SET status = 'approved', reviewed_at = now() "
                                "WHERE artist_id = :id", id=int(me["id"]))
    await call("POST", "/me/verification", h, json={"subject": "person", "legal_name": name,
                                                     "id_number": valid_id_number(2 * i + (role == "artist"))})
    deadline = time.monotonic() + 60
    while (me := await call("GET", "/me", h))["verification"]["status"] != "verified":
        if time.monotonic() > deadline:
            raise RuntimeError(f"register {phone}: not verified: {me['verification']}")
        await asyncio.sleep(0.2)
    return Party(phone, token, int(me["id"]))


async def register_pairs(stack: BenchStack, http: httpx.AsyncClient, n: int) -> list[tuple[Party, Party]]:
    """Client–artist pairs, registered through the API, 8 users at a time."""
    gate = asyncio.Semaphore(8)

    async def one(i: int, role: str) -> Party:
        async with gate:
            return await register(stack, http, i, role)

    clients = asyncio.gather(*(one(i, "client") for i in range(n)))
    artists = asyncio.gather(*(one(i, "artist") for i in range(n)))
    return list(zip(await clients, await artists, strict=True))


async def measure(stack: BenchStack, args: argparse.Namespace) -> list[tuple[Run, Run]]:
    from temporalio.client import Client

    meter = CpuMeter(stack)
    lanes = min(args.concurrency or args.bookings, args.bookings)
    tclient = await Client.connect(stack.temporal_address, namespace="default")
    limits = httpx.Limits(max_connections=lanes * 2 + 8, max_keepalive_connections=lanes * 2 + 8)
    pairs_out: list[tuple[Run, Run]] = []
    async with httpx.AsyncClient(base_url=stack.url, timeout=60, trust_env=False, limits=limits) as http:
        t = time.monotonic()
        pairs = await register_pairs(stack, http, args.bookings)
        print(f"{len(pairs)} client–artist pairs registered in {time.monotonic() - t:.0f} s")
        platform = Platform(stack, http, args)
        for workers in args.workers:
            while stack.workers < workers:
                stack.start_worker()
            while stack.floor_workers < workers:
                stack.start_floor_worker()
            await asyncio.sleep(2)  # let the new pollers settle
            if workers == args.workers[0] and args.warmup:
                warm = min(args.warmup, args.bookings)
                await drive(Run("warm-up", workers, warm), warm, Floor(tclient, args, "floor-warm").booking, meter, 0)
                await drive(Run("warm-up", workers, warm), warm,
                            lambda r, i: platform.booking(r, pairs[i % len(pairs)]), meter, 0)
            floor = Run(f"floor: no-op workflow, {workers} worker(s)", workers, lanes)
            fl = Floor(tclient, args, f"floor-w{workers}")
            await drive(floor, args.bookings, fl.booking, meter, args.ramp)
            plat = Run(f"platform: HTTP API, {workers} worker(s)", workers, lanes)
            await drive(plat, args.bookings, lambda r, i: platform.booking(r, pairs[i % len(pairs)]), meter,
                        args.ramp)
            print_pair(plat, floor)
            pairs_out.append((plat, floor))
    return pairs_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bookings", type=int, default=40, help="bookings per run (default 40)")
    parser.add_argument("--concurrency", type=int, default=0, help="bookings at a time (default: all of them)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="worker processes per run")
    parser.add_argument("--show-in", type=float, default=30.0, help="seconds from the inquiry to the show's start")
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which the lanes start (default 20)")
    parser.add_argument("--warmup", type=int, default=4, help="unmeasured bookings on each side first (default 4)")
    parser.add_argument("--show-length", type=float, default=2.0, help="the show's length in seconds")
    parser.add_argument("--keep", action="store_true", help="keep the stack's logs directory")
    args = parser.parse_args()
    if sorted(args.workers) != args.workers:
        parser.error("--workers must be ascending (worker processes are added, never removed)")

    started = time.monotonic()
    print(f"# bench/booking_lifecycle.py  {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"commit {_commit()}, nproc {os.cpu_count()}, load average at start {_uptime()}")
    print(f"bookings {args.bookings}, concurrency {args.concurrency or args.bookings} started over {args.ramp:g} s, "
          f"workers {args.workers}, show {args.show_in:g} s after the inquiry, {args.show_length:g} s long")
    root = Path(tempfile.mkdtemp(prefix="lifecycle-bench-"))
    # Behind a proxy, as production runs: the registrations come from many addresses (see register()).
    stack = BenchStack(root, extra_env={"TRUSTED_PROXIES": "127.0.0.1"})
    try:
        stack.start()
        print(f"stack up in {time.monotonic() - started:.0f} s (database: "
              f"{'embedded PostgreSQL' if stack.pg_dir else 'the DATABASE_URL server'})")
        # The worker cuts the contract font's common-character copy once per data directory (a deployment keeps
        # it); this stack's data directory is new: wait for it rather than measure its making.
        if common_path is not None:  # None: a checkout from before the copy (to compare with)
            font = common_path(Path(Settings(_env_file=None).contract_font_path),  # type: ignore[call-arg]
                               Settings(_env_file=None).contract_font_index, stack.data_dir)  # type: ignore[call-arg]
            stack.poll("contract font copy", font.is_file, bool, timeout=180, every=1)
            print(f"contract font copy ready at {time.monotonic() - started:.0f} s")
        results = asyncio.run(measure(stack, args))
        print_summary(results)
    finally:
        if args.keep:
            print(f"logs kept in {stack.logs}")
        stack.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(f"\nload average at end {_uptime()}, duration {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
