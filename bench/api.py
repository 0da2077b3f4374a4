"""API read benchmark (a script, not a test): p50/p95 of the main reads through HTTP at 1, 10 and 50 concurrent
clients, next to a bare FastAPI app answering the same bytes (the framework floor), and their ratio.

    .venv/bin/python bench/api.py                              # 3,000 artists, 1,000 requests per cell
    .venv/bin/python bench/api.py --requests 300 --concurrency 1,10 --reads notifications,booking_detail
    flock /tmp/bench.lock .venv/bin/python bench/api.py         # figures to quote

The platform: a throwaway database (yy_bench_api) on the local PostgreSQL (else embedded), migrated, filled by
bench/api_data.py (artists with prices, calendars, tags, cases and reviews; a client with 50 bookings in every state,
their events, contracts, payments and ~200 notifications; an artist with bookings), the search index rebuilt; the API
as production runs it (`uvicorn api.app:create_app --factory --no-proxy-headers`, one process, Temporal pointed at a
closed port: reads don't need it). The client and the artist log in by SMS with the sandbox code.

The floor: bench/api_floor.py, a bare FastAPI app in its own uvicorn process with the same options, one route per
read answering the bytes and content type the platform answered for it (captured just before measuring).

Each cell: c clients in one asyncio process (uvloop + aiohttp, the same client for both servers), each sending its
next request when its last answer is read (closed loop); a warm-up, then --requests requests timed from the send to
the last byte. Platform and floor cells alternate per read and c, so both see the same machine. server CPU = user +
system time of the server process over the cell, per request (moves less with noise than latency); DB CPU = the same
for the PostgreSQL backends serving the API's connections. SQL/req = statements one request runs (counted in-process
with an engine event listener, before measuring); "0 / 19": answered from the API's caches / without them (the
public pages and the login are kept a few seconds, api/public_cache.py and api/session_cache.py).

The *_304 reads are a client that keeps the page and asks again with the last ETag it got (If-None-Match): 304s with
no body, and a 200 with the new bytes whenever the page changed; the floor answers the same 304.

Every process it starts has its own process group and is stopped (SIGTERM, then SIGKILL) on exit, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chat import Children, free_ports, percentile  # noqa: E402
from bench.common import code_version, machine, stopped_on_sigterm  # noqa: E402

DB_NAME = "yy_bench_api"
V1 = "/api/v1"
LOOPBACK = "127.0.0.1"
UVICORN = ["--host", LOOPBACK, "--no-proxy-headers"]  # as docker-compose.yml / the Dockerfile run it


@dataclass
class Read:
    name: str
    path: str
    who: str  # client | artist | anonymous
    # A client that keeps the page and asks again with If-None-Match (the last ETag it was sent): mostly 304s.
    revalidate: bool = False


def reads_for(page_artist: int, detail_booking: int) -> list[Read]:
    return [
        Read("search_default", f"{V1}/artists", "anonymous"),
        Read("search_filtered", f"{V1}/artists?q=婚礼&city=上海&artist_type=singer&price_max=3000000&sort=rating",
             "anonymous"),
        Read("artist_page", f"{V1}/artists/{page_artist}", "client"),
        Read("search_default_304", f"{V1}/artists", "anonymous", revalidate=True),
        Read("artist_page_304", f"{V1}/artists/{page_artist}", "client", revalidate=True),
        Read("booking_list", f"{V1}/bookings", "client"),
        Read("booking_list_artist", f"{V1}/bookings", "artist"),
        Read("booking_detail", f"{V1}/bookings/{detail_booking}", "client"),
        Read("notifications", f"{V1}/notifications", "client"),
    ]


# --- the platform


def api_env(database_url: str, data_dir: Path) -> dict[str, str]:
    from domain.settings import Settings

    names = {name.upper() for name in Settings.model_fields}  # settings the child must not inherit from this shell
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env.update(DATA_DIR=str(data_dir), DATABASE_URL=database_url, ALLOW_SANDBOX="true", EMBEDDED_SERVICES="",
               PYTHONUNBUFFERED="1",
               # Reads need no Temporal: a closed port, so nothing is found there by accident.
               TEMPORAL_ADDRESS=f"{LOOPBACK}:{free_ports(1)[0]}",
               # The run takes minutes; the 15-minute default could expire the tokens of a slow run.
               ACCESS_TOKEN_MINUTES="120",  # noqa: S106
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    return env


def start_server(children: Children, name: str, app: str, env: dict[str, str]) -> tuple[str, int]:
    port = free_ports(1)[0]
    children.spawn(name, [sys.executable, "-m", "uvicorn", app, "--factory", *UVICORN, "--port", str(port)], env)
    children.wait_port(name, port, 90)
    return f"http://{LOOPBACK}:{port}", children.procs[name].pid


def sms_token(http: httpx.Client, phone: str) -> str:
    sent = http.post(f"{V1}/auth/sms/send", json={"phone": phone})
    assert sent.status_code == 200, sent.text
    login = http.post(f"{V1}/auth/sms/login", json={"phone": phone, "code": sent.json()["sandbox_code"]})
    assert login.status_code == 200, login.text
    return str(login.json()["access_token"])


def count_statements(database_url: str, data_dir: Path, reads: list[Read],
                     headers: dict[str, dict[str, str]]) -> dict[str, str]:
    """SQL statements per request of each read, run in this process through the app (an engine event listener):
    a request the API answers from its caches, and after "/" one it answers without them (every few seconds)."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from api.app import create_app
    from domain.settings import Settings

    settings = Settings(_env_file=None, data_dir=data_dir, database_url=database_url,  # type: ignore[call-arg]
                        allow_sandbox=True, temporal_address=f"{LOOPBACK}:{free_ports(1)[0]}",
                        access_token_minutes=120)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        app = create_app(settings)
        with TestClient(app) as client:  # the lifespan: private pages are kept only while it listens for changes
            return _count_each(app, client, reads, headers, statements)
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def _count_each(app: Any, client: Any, reads: list[Read], headers: dict[str, dict[str, str]],
                statements: list[str]) -> dict[str, str]:
    out = {}
    for read in reads:
        # First calls: caches warm (the first of a logged-in viewer only makes their session known).
        first = [client.get(read.path, headers=headers[read.who]) for _ in range(2)][-1]
        sent = {**headers[read.who], **({"If-None-Match": first.headers["etag"]} if read.revalidate else {})}
        counts = []
        for cached in (True, False):
            if not cached:
                app.state.public_cache.clear()
                app.state.private_cache.clear()
                app.state.session_cache.clear()
            statements.clear()
            res = client.get(read.path, headers=sent)
            # Uncached, a logged-in viewer's page is answered by the route (no ETag to match yet).
            assert res.status_code in ((304,) if read.revalidate and cached else (200, 304)), read.name
            counts.append(len(statements))
        out[read.name] = str(counts[0]) if counts[0] == counts[1] else f"{counts[0]} / {counts[1]}"
    return out


def backend_pids(database_url: str) -> list[int]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from domain.db import sqlalchemy_url

    engine = create_engine(sqlalchemy_url(database_url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [int(p) for p in conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )).scalars()]
    finally:
        engine.dispose()


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue  # a backend that went away (or a PostgreSQL on another machine)
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return out


def cpu_of(pids: list[int]) -> float:
    return sum(cpu_by_pid(pids).values())


def cpu_since(before: dict[int, float], pids: list[int]) -> float:
    """CPU used since `before` by the processes alive now (one that started meanwhile counts whole; one that ended
    meanwhile is lost: the API's pool closes overflow connections at c > 30, so DB CPU there is a lower bound)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in cpu_by_pid(pids).items())


# --- measuring


@dataclass
class Cell:
    read: str
    server: str  # platform | floor
    c: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    server_cpu_s: float = 0.0
    db_cpu_s: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else float("nan")

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


async def closed_loop(session: Any, url: str, headers: dict[str, str], c: int, n: int,
                      latencies: list[float] | None, revalidate: bool = False) -> int:
    """n requests, c at a time, each client sending its next once its last answer is read. Returns errors.
    `revalidate`: each client sends the last ETag it got as If-None-Match (a 304 is an answer too)."""
    left, errors = n, 0

    async def client() -> None:
        nonlocal left, errors
        etag = None
        while left > 0:
            left -= 1
            start = time.perf_counter()
            try:
                async with session.get(url, headers={**headers, "If-None-Match": etag} if etag else headers) as res:
                    await res.read()
                    ok = res.status == 200 or (revalidate and res.status == 304)
                    etag = res.headers.get("etag") if revalidate else None
            except Exception:
                ok = False
            if not ok:
                errors += 1
            elif latencies is not None:
                latencies.append((time.perf_counter() - start) * 1000)

    await asyncio.gather(*(client() for _ in range(c)))
    return errors


async def measure_cell(cell: Cell, url: str, headers: dict[str, str], requests: int, warmup: int,
                       server_pids: list[int], db_pids: Callable[[], list[int]], revalidate: bool = False) -> Cell:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=cell.c, limit_per_host=cell.c)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        await closed_loop(session, url, headers, cell.c, max(warmup, 2 * cell.c), None, revalidate)
        cpu, db_cpu, started = cpu_of(server_pids), cpu_by_pid(db_pids()), time.perf_counter()
        cell.errors = await closed_loop(session, url, headers, cell.c, requests, cell.latencies_ms, revalidate)
        cell.seconds = time.perf_counter() - started
        cell.server_cpu_s, cell.db_cpu_s = cpu_of(server_pids) - cpu, cpu_since(db_cpu, db_pids())
    return cell


def print_table(cells: list[Cell], sql: dict[str, str], sizes: dict[str, int]) -> None:
    floors = {(c.read, c.c): c for c in cells if c.server == "floor"}
    print("\n| read | c | bytes | SQL/req | platform p50 ms | p95 ms | req/s | CPU ms/req (API + DB) "
          "| floor p50 ms | p95 ms | req/s | CPU ms/req | ÷ floor p50 | ÷ floor p95 | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for cell in cells:
        if cell.server != "platform":
            continue
        f = floors.get((cell.read, cell.c))
        n, fn = max(1, len(cell.latencies_ms)), max(1, len(f.latencies_ms) if f else 1)
        floor = (f"{f.p(50):.2f} | {f.p(95):.2f} | {f.rate:.0f} | {f.server_cpu_s * 1000 / fn:.2f} | "
                 f"{cell.p(50) / f.p(50):.1f}× | {cell.p(95) / f.p(95):.1f}×") if f and f.latencies_ms \
            else "— | — | — | — | — | —"
        errors = cell.errors + (f.errors if f else 0)
        print(f"| {cell.read} | {cell.c} | {sizes.get(cell.read, 0):,} | {sql.get(cell.read, '—')} "
              f"| {cell.p(50):.2f} | {cell.p(95):.2f} | {cell.rate:.0f} "
              f"| {cell.server_cpu_s * 1000 / n:.2f} + {cell.db_cpu_s * 1000 / n:.2f} | {floor} | {errors} |")


async def measure_all(args: argparse.Namespace, reads: list[Read], bases: dict[str, str],
                      headers: dict[str, dict[str, str]], pids: dict[str, list[int]],
                      db_pids: Callable[[], list[int]]) -> list[Cell]:
    cells = []
    for read in reads:
        for c in args.concurrency:
            for server in ("platform", "floor"):
                url = bases[server] + (read.path if server == "platform" else f"/floor/{read.name}")
                cell = await measure_cell(Cell(read.name, server, c), url,
                                          headers[read.who] if server == "platform" else {}, args.requests,
                                          args.warmup, pids[server], db_pids if server == "platform" else list,
                                          read.revalidate)
                print(f"  {read.name:<20} c={c:<3} {server:<8} p50 {cell.p(50):7.2f} ms  p95 {cell.p(95):7.2f} ms  "
                      f"{cell.rate:6.0f} req/s  errors {cell.errors}", flush=True)
                cells.append(cell)
    return cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--artists", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per cell")
    parser.add_argument("--warmup", type=int, default=100, help="untimed requests before each cell (at least 2c)")
    parser.add_argument("--concurrency", default="1,10,50", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--reads", type=lambda s: s.split(","), help="only these reads (names as in the table)")
    parser.add_argument("--server", help="PostgreSQL server URL (default: the local one, else embedded)")
    parser.add_argument("--keep", action="store_true", help=f"keep the {DB_NAME} database afterwards")
    args = parser.parse_args()
    import uvloop

    from bench.api_data import generate
    from bench.common import server_url
    from devstack.database import drop_database, ensure_database, migrate
    from domain.artists.search_documents import iter_artist_documents
    from domain.db import get_engine, session_scope
    from search.pg import PgArtistSearch

    started = time.perf_counter()
    load_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="yy-bench-api-"))
    (work / "logs").mkdir()
    children = Children(work / "logs")
    server = ""
    code = 1
    try:
        with stopped_on_sigterm():
            server = server_url(args.server)
            drop_database(server, DB_NAME)
            url = ensure_database(server, DB_NAME)
            migrate(url)
            made = generate(url, args.artists, args.clients)
            with session_scope(url) as session:
                indexed = PgArtistSearch(get_engine(url)).reindex_all(iter_artist_documents(session))
            with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                from sqlalchemy import text

                conn.execute(text("VACUUM ANALYZE"))
            get_engine(url).dispose()
            print(f"data in {DB_NAME}: {', '.join(f'{v:,} {k}' for k, v in made.counts.items())}; "
                  f"{indexed:,} artists indexed ({time.perf_counter() - started:.0f}s so far)", flush=True)

            env = api_env(url, work / "data")
            api_base, api_pid = start_server(children, "api", "api.app:create_app", env)
            http = httpx.Client(base_url=api_base, timeout=30, trust_env=False)
            tokens = {"client": sms_token(http, made.client_phone), "artist": sms_token(http, made.artist_phone)}
            headers = {"anonymous": {}, **{who: {"Authorization": f"Bearer {t}"} for who, t in tokens.items()}}
            reads = [r for r in reads_for(made.page_artist_id, made.detail_booking_id)
                     if not args.reads or r.name in args.reads]
            captured, sizes = {}, {}
            for read in reads:
                res = http.get(read.path, headers=headers[read.who])
                assert res.status_code == 200, (read.name, res.status_code, res.text[:300])
                if read.revalidate:
                    if "etag" not in res.headers:  # a viewer's first look only makes their login known
                        res = http.get(read.path, headers=headers[read.who])
                    res = http.get(read.path, headers={**headers[read.who], "If-None-Match": res.headers["etag"]})
                    assert res.status_code == 304, (read.name, res.status_code, res.text[:300])
                captured[read.name] = {"content_type": res.headers.get("content-type", "application/json"),
                                       "body_b64": base64.b64encode(res.content).decode(),
                                       "status": res.status_code,
                                       "headers": {k: res.headers[k] for k in ("etag", "cache-control")
                                                   if k in res.headers}}
                sizes[read.name] = len(res.content)
            http.close()
            sql = count_statements(url, work / "data", reads, headers)
            floor_file = work / "floor.json"
            floor_file.write_text(json.dumps(captured))
            floor_base, floor_pid = start_server(children, "floor", "bench.api_floor:create_app",
                                                 {**env, "API_FLOOR_RESPONSES": str(floor_file)})
            print(f"API on {api_base}, floor on {floor_base}; {args.requests} requests per cell after "
                  f"{args.warmup} warm-up", flush=True)
            cells = uvloop.run(measure_all(args, reads, {"platform": api_base, "floor": floor_base}, headers,
                                           {"platform": [api_pid], "floor": [floor_pid]},
                                           lambda: backend_pids(url)))
            print_table(cells, sql, sizes)
            print(f"\ncode: {code_version()}")
            print(f"machine: {machine()}; load average at the start "
                  f"{' / '.join(f'{x:.2f}' for x in load_start)}, at the end "
                  f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1 / 5 / 15 min)")
            print(f"total run time {time.perf_counter() - started:.0f}s")
            code = 0
    except KeyboardInterrupt:
        print("\ninterrupted: stopping every process started")
        code = 130
    except Exception:
        for name in list(children.procs):
            print(f"----- {name} log -----\n{children.tail(name)}", file=sys.stderr)
        raise
    finally:
        children.stop()
        if server and not args.keep:
            drop_database(server, DB_NAME)
        shutil.rmtree(work, ignore_errors=True)  # logs and the API's data dir (printed above on failure)
    return code


if __name__ == "__main__":
    sys.exit(main())
