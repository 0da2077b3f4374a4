"""Load profile (a script, not a test): the whole platform under a mix of searches, artist pages, booking actions,
reads and chat messages from locust, stepped up in users, reporting per step the rate and p50/p95/p99 overall and
per request group. The answer is the sustained rate at the highest step whose overall p95 stays ≤ 200 ms with no
failures.

    flock /tmp/bench.lock .venv/bin/python bench/load.py          # 5,10,20,30,40,50,60 users, 60 s each
    .venv/bin/python bench/load.py --steps 2,4 --step-seconds 20 --catalog 200   # a quick try

The platform is tests/e2e/booking_stack.py's Stack, each piece its own process: a database on the local PostgreSQL
(else embedded), migrated; a Temporal dev server; `python -m workers`; the API under uvicorn (one process). People
are made up front straight in the database, as bench/chat.py does (logging them in by SMS from one loopback address
would meet the per-IP SMS limits, which are not what is measured): a catalogue of approved artists with prices,
indexed for search; client–artist pairs, every one real-name verified (encrypted identity, as the verification
workflow leaves it), each with a login session and its access token, and each pair's chat conversation opened
through the API. Then `locust --headless` runs bench/locustfile.py (see there for who does what) in its own process,
so gevent never patches this one. The first --warmup seconds of each step (the ramp) are not measured; the CPU each
process uses is sampled every second, and the run ends with a look at the database.

Groups: browse = search, artist page, calendar, reviews, home (anonymous); booking = inquiry and every booking
action with its SMS sign code, the sandbox cashier page and its pay confirmation; read = booking list/detail and
notifications; chat = send, history, unread. Every process started is stopped on exit, Ctrl-C included."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import code_version, machine, server_url, stopped_on_sigterm  # noqa: E402
from tests.e2e.booking_stack import SECRETS, V1, Stack, valid_id_number  # noqa: E402
from tests.factories import signature_png  # noqa: E402

BIN = Path(sys.executable).parent
GOAL_P95_MS = 200.0
STYLES = ["流行", "抒情", "民谣", "摇滚", "爵士", "年会主持", "婚礼主持", "近景魔术", "街舞", "小提琴", "古筝", "乐队"]
CITIES = ["北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "南京"]
TYPES = ["singer", "band", "dancer", "host", "magician"]
SURNAMES = "陈林王李张刘杨黄赵吴周徐孙马朱胡郭何高罗"
GIVEN = "默晚晴小野雨桐一鸣浩然思琪大伟欣然阿杰菲儿明乐岚子涵"


class LoadStack(Stack):
    """The e2e Stack with a database name of this benchmark's own."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.db_name = f"yy_load_{os.getpid()}"


def make_people(stack: Stack, catalog: int, pairs: int, rng: random.Random) -> dict[str, Any]:
    """The catalogue and the pairs, straight in the database; the search index rebuilt over them."""
    from sqlalchemy import text

    from domain.accounts.crypto import field_cipher_from_settings
    from domain.accounts.schemas import VerificationIn
    from domain.accounts.sessions import TokenConfig, open_session
    from domain.accounts.verification import submit
    from domain.artists.search_documents import iter_artist_documents
    from domain.db import get_engine, session_scope
    from domain.models import ArtistPrice, ArtistProfile, ClientProfile, User
    from domain.settings import Settings
    from domain.time import utc_now
    from search.pg import PgArtistSearch

    settings = Settings(_env_file=None, data_dir=stack.data_dir, **dict.fromkeys(SECRETS))  # type: ignore[call-arg]
    cfg = TokenConfig(settings.secret("jwt_secret"), access_minutes=240, refresh_days=1)
    cipher = field_cipher_from_settings(settings)
    now = utc_now()

    def artist(session: Any, phone: str, name: str) -> Any:
        user = User(phone=phone)
        session.add(user)
        session.flush()
        styles = rng.sample(STYLES, rng.choice([1, 2, 3]))
        session.add(ArtistProfile(user_id=user.id, stage_name=name, artist_types=rng.sample(TYPES, 1), styles=styles,
                                  city=rng.choice(CITIES), contact_phone=phone, approved_at=now,
                                  bio=f"擅长{styles[0]}，年会、婚礼、商演经验丰富。"))
        session.flush()
        lo = rng.randint(20, 300) * 10_000
        session.add(ArtistPrice(artist_id=user.id, title="标准演出", duration_minutes=rng.choice([30, 60, 90]),
                                min_amount=lo, max_amount=lo + rng.randint(0, 200) * 10_000))
        return user

    def verified(session: Any, user: Any, name: str, serial: int) -> None:
        row = submit(session, cipher, user, VerificationIn(subject="person", legal_name=name,
                                                           id_number=valid_id_number(serial)))
        row.status, row.decided_at, row.provider = "verified", now, "sandbox"
        user.verification_status = "verified"

    out: dict[str, Any] = {"catalog": [], "pairs": [], "signature_png_base64": signature_png()}
    with session_scope(stack.database_url) as session:
        for i in range(catalog):
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
            out["catalog"].append(artist(session, f"172{i:08d}", name).id)
        for i in range(pairs):
            client = User(phone=f"173{i:08d}")
            session.add(client)
            session.flush()
            session.add(ClientProfile(user_id=client.id, org_name=f"星河文化{i}号", industry="enterprise",
                                      contact_name="王经理", contact_phone=client.phone))
            performer = artist(session, f"174{i:08d}", f"压测艺人{i}")
            # Unique identity numbers: serials past the catalogue's (which are not verified) are free.
            verified(session, client, "王经理", 2 * i)
            verified(session, performer, "林晚晴", 2 * i + 1)
            session.flush()
            out["pairs"].append({
                "client": {"id": client.id, "phone": client.phone,
                           "token": open_session(session, cfg, user=client, acting_role="client").access_token},
                "artist": {"id": performer.id, "phone": performer.phone,
                           "token": open_session(session, cfg, user=performer, acting_role="artist").access_token}})
    engine = get_engine(stack.database_url)
    with session_scope(stack.database_url) as session:
        PgArtistSearch(engine).reindex_all(iter_artist_documents(session))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    for pair in out["pairs"]:  # the conversation, through the API as the app opens it
        res = stack.http.post(f"{V1}/chat/conversations", json={"peer_id": pair["artist"]["id"]},
                              headers={"Authorization": f"Bearer {pair['client']['token']}"})
        res.raise_for_status()
        pair["conversation_id"] = int(res.json()["id"])
    return out


# --- where the CPU goes


class CpuSampler:
    """CPU seconds (user + system) of each piece, sampled every second in a thread: the Stack's processes with
    their children, locust, and the PostgreSQL backends serving this database (a backend's last second before it
    exits is missed); plus the whole machine's busy time (other users of the machine included)."""

    def __init__(self, stack: Stack, db_name: str):
        self.stack, self.db_name = stack, db_name
        self.locust_pid = 0
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._backends: dict[int, float] = {}  # PostgreSQL backend pid -> its CPU seconds when last seen
        self._backends_total = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self, pid: int) -> float:
        import psutil

        total = 0.0
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    t = p.cpu_times()
                    total += t.user + t.system
        return total

    def sample(self) -> dict[str, float]:
        import psutil

        out = {"api": 0.0, "workers": 0.0, "temporal": 0.0, "postgres": 0.0, "locust": 0.0}
        for name, proc in list(self.stack.procs.items()):
            out["workers" if name.startswith("worker") else name] += self._tree(proc.pid)
        if self.locust_pid:
            out["locust"] = self._tree(self.locust_pid)
        # Backends come and go with the connection pools: add up each one's growth since it was last seen.
        for proc in psutil.process_iter(["cmdline"]):
            cmd = " ".join(proc.info["cmdline"] or [])
            if cmd.startswith("postgres:") and f" {self.db_name} " in cmd:
                with contextlib.suppress(psutil.Error):
                    t = proc.cpu_times()
                    used = t.user + t.system
                    self._backends_total += used - self._backends.get(proc.pid, 0.0)
                    self._backends[proc.pid] = used
        out["postgres"] = self._backends_total
        t = psutil.cpu_times()
        out["machine"] = t.user + t.nice + t.system + t.irq + t.softirq
        return out

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.samples.append((time.time(), self.sample()))

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def between(self, start: float, end: float) -> dict[str, float]:
        """Each piece's CPU use from `start` to `end`, in % of one core."""
        inside = [(t, s) for t, s in self.samples if start <= t <= end]
        if len(inside) < 2:
            return {}
        (t0, a), (t1, b) = inside[0], inside[-1]
        return {k: 100 * (b[k] - a.get(k, 0.0)) / (t1 - t0) for k in b}


ONCE = ("confirm", "send_contract", "sign", "countersign", "deposit_paid", "balance_paid", "cancel")
TWICE = {  # what the schema's unique keys don't already forbid
    "actions": "SELECT count(*) FROM (SELECT 1 FROM booking_events WHERE action IN :once "
               "GROUP BY booking_id, action HAVING count(*) > 1) d",
    "notification titles": "SELECT count(*) FROM (SELECT 1 FROM notifications WHERE booking_id IS NOT NULL "
                           "AND title <> '尾款即将到期' GROUP BY user_id, booking_id, title HAVING count(*) > 1) d",
    "paid amounts off their orders": "SELECT count(*) FROM bookings b WHERE b.paid_amount <> (SELECT "
                                     "coalesce(sum(amount), 0) FROM payment_orders o WHERE o.booking_id = b.id "
                                     "AND o.status = 'paid')",
}


def consistency(stack: Stack) -> str:
    """What the run left in the database, and anything done twice (a load profile is no fault test, but a race
    under load shows here first)."""
    from sqlalchemy import bindparam, text

    statuses = ", ".join(f"{s} {n}" for s, n in stack.sql(
        "SELECT status, count(*) FROM bookings GROUP BY status ORDER BY count(*) DESC"))
    assert stack._engine is not None
    with stack._engine.connect() as conn:
        found = {k: int(conn.execute(text(q).bindparams(bindparam("once", expanding=True)) if ":once" in q
                                     else text(q), {"once": list(ONCE)} if ":once" in q else {}).scalar_one())
                 for k, q in TWICE.items()}
    messages = stack.sql("SELECT count(*) FROM chat_messages")[0][0]
    return (f"bookings: {statuses}; {messages} chat messages; done twice or off: "
            + ", ".join(f"{k} {v}" for k, v in found.items()))


# --- report


def percentile(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def summarise(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for step in steps:
        recs, seconds = step["requests"], step["seconds"]
        row: dict[str, Any] = {"users": step["users"], "seconds": seconds, "groups": {}}
        for group in ["all", "browse", "booking", "read", "chat"]:
            mine = [r for r in recs if group in ("all", r[0])]
            ms = [r[2] for r in mine]
            row["groups"][group] = {"n": len(mine), "rate": len(mine) / seconds, "failed": sum(not r[3] for r in mine),
                                    "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99)}
        names = sorted({r[1] for r in recs})
        row["names"] = {n: {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95)}
                        for n in names for ms in [[r[2] for r in recs if r[1] == n]]}
        row["chat_msgs"] = sum(1 for r in recs if r[1] == "chat:send" and r[3]) / seconds
        # Booking actions: the inquiry and each step's action (the sign code and the cashier's pages are parts of one)
        row["booking_actions"] = sum(1 for r in recs if r[0] == "booking" and r[3] and r[1] not in (
            "booking:sign code", "booking:cashier page", "booking:sandbox pay")) / seconds
        row["failures"] = [r[1] for r in recs if not r[3]]
        rows.append(row)
    return rows


def print_report(rows: list[dict[str, Any]], cpu: list[dict[str, float]]) -> dict[str, Any] | None:
    print("\n| users | req/s | p50 ms | p95 ms | p99 ms | failed | booking actions/s | chat msg/s "
          "| browse p50/p95 | booking p50/p95 | read p50/p95 | chat p50/p95 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    best = None
    for row in rows:
        a = row["groups"]["all"]

        def pair(g: str, row: dict[str, Any] = row) -> str:
            s = row["groups"][g]
            return f"{s['p50']:.0f} / {s['p95']:.0f}" if s["n"] else "—"

        print(f"| {row['users']} | {a['rate']:.1f} | {a['p50']:.1f} | {a['p95']:.1f} | {a['p99']:.1f} | {a['failed']} "
              f"| {row['booking_actions']:.2f} | {row['chat_msgs']:.2f} | {pair('browse')} | {pair('booking')} "
              f"| {pair('read')} | {pair('chat')} |")
        if a["n"] and a["p95"] <= GOAL_P95_MS and a["failed"] == 0 and (best is None or a["rate"] > best["rate"]):
            best = {**a, "users": row["users"], "booking_actions": row["booking_actions"],
                    "chat_msgs": row["chat_msgs"]}
    print("\nper request (p50 / p95 ms, count) at each step:")
    names = sorted({n for row in rows for n in row["names"]})
    print("| request | " + " | ".join(f"{r['users']} users" for r in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for n in names:
        cells = [f"{s['p50']:.0f} / {s['p95']:.0f} ({s['n']})" if (s := r["names"].get(n)) else "—" for r in rows]
        print(f"| {n} | " + " | ".join(cells) + " |")
    print("\nCPU in % of one core over each step's measured window (the machine: both cores, 200 % = all busy, "
          "other users of the machine included; others = machine − platform − locust); platform CPU ms/req = "
          "API + workers + Temporal + PostgreSQL CPU per request, which the machine's other load moves little:")
    pieces = ["api", "workers", "temporal", "postgres", "locust", "machine"]
    print("| users | " + " | ".join(pieces) + " | others | platform CPU ms/req |")
    print("|---:|" + "---:|" * (len(pieces) + 2))
    for row, use in zip(rows, cpu, strict=True):
        if not use:
            print(f"| {row['users']} | " + " | ".join("—" for _ in range(len(pieces) + 2)) + " |")
            continue
        platform = sum(use[k] for k in ("api", "workers", "temporal", "postgres"))
        rate = row["groups"]["all"]["rate"]
        per_req = 10 * platform / rate if rate else float("nan")  # % of a core = 10 ms per second
        print(f"| {row['users']} | " + " | ".join(f"{use[k]:.0f}" for k in pieces)
              + f" | {use['machine'] - platform - use['locust']:.0f} | {per_req:.1f} |")
    for row in rows:
        if row["failures"]:
            counts = {n: row["failures"].count(n) for n in sorted(set(row["failures"]))}
            print(f"failures at {row['users']} users: {counts}")
    return best


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())





def run_locust(stack: Stack, work: Path, people: Path, args: argparse.Namespace,
               cpu: CpuSampler) -> list[dict[str, Any]]:
    out = work / "steps.json"
    env = {**os.environ, "LOAD_USERS": str(people), "LOAD_OUT": str(out), "LOAD_STEPS": ",".join(map(str, args.steps)),
           "LOAD_STEP_SECONDS": str(args.step_seconds), "LOAD_WARMUP_SECONDS": str(args.warmup)}
    cmd = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", stack.url,
           "--csv", str(work / "locust"), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"]
    print("$ " + " ".join(cmd[1:]) + f"   (steps {args.steps} × {args.step_seconds:.0f} s)", flush=True)
    with (work / "locust.log").open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                                start_new_session=True)
        cpu.locust_pid = proc.pid
        try:
            proc.wait(timeout=len(args.steps) * args.step_seconds + 120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
    if not out.exists():
        raise RuntimeError(f"locust wrote no results (exit {proc.returncode}):\n"
                           + (work / "locust.log").read_text(errors="replace")[-3000:])
    steps: list[dict[str, Any]] = json.loads(out.read_text())
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--steps", default="5,10,20,30,40,50,60", type=lambda s: [int(x) for x in s.split(",")],
                        help="users per step, comma-separated")
    parser.add_argument("--step-seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10, help="seconds at the start of each step not measured")
    parser.add_argument("--catalog", type=int, default=2000, help="approved artists to search and browse")
    parser.add_argument("--server", help="PostgreSQL server URL (default: as bench/search.py)")
    parser.add_argument("--keep", metavar="DIR", help="copy the logs and locust's CSVs here")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"start: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; load average {load_average()} "
          f"(1 / 5 / 15 min); {code_version()}; {machine()}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="yy-load-"))
    os.environ["DATABASE_URL"] = server_url(args.server)  # the Stack's PostgreSQL server
    stack = LoadStack(work)
    code = 0
    try:
        with stopped_on_sigterm():
            stack.start()
            # Booker and Chatter users take a pair each: enough for the biggest step even if every user were one.
            people = make_people(stack, args.catalog, max(args.steps), random.Random(14))
            (work / "people.json").write_text(json.dumps(people))
            print(f"platform up, {args.catalog} artists in the catalogue, {max(args.steps)} client–artist pairs "
                  f"({time.perf_counter() - started:.0f}s so far)", flush=True)
            with CpuSampler(stack, stack.db_name) as cpu:
                steps = run_locust(stack, work, work / "people.json", args, cpu)
            best = print_report(summarise(steps), [cpu.between(s["from"], s["to"]) for s in steps])
            if best is None:
                print(f"\nno step kept p95 ≤ {GOAL_P95_MS:.0f} ms without failures")
                code = 1
            else:
                print(f"\nsustained: {best['rate']:.1f} req/s ({best['booking_actions']:.2f} booking actions/s, "
                      f"{best['chat_msgs']:.2f} chat msg/s) at {best['users']} users, p95 {best['p95']:.1f} ms, "
                      "0 failures")
            print(f"database: {consistency(stack)}")
            api_errors = (stack.logs / "api.log").read_text(errors="replace").count("Traceback")
            print(f"API log: {api_errors} tracebacks; processes alive at the end: {stack.alive()}")
    except KeyboardInterrupt:
        print("\ninterrupted: stopping every process started")
        code = 130
    except Exception:
        print(stack.log_tails(), file=sys.stderr)
        raise
    finally:
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("data", "people.json"))
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)
        print(f"end: load average {load_average()}; total run time {time.perf_counter() - started:.0f}s")
    return code


if __name__ == "__main__":
    sys.exit(main())
