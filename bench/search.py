"""Search benchmark (a script, not a test): N artists with calendars, prices, tags, favorites and reviews
in a throwaway database, then p50/p95 of typical queries three ways: through HTTP (`GET /api/v1/artists` on
the API under uvicorn in its own process: cards + total + facets), on the PostgreSQL backend in-process, and
the backend's own SQL run bare on psycopg2 (the floor).

    .venv/bin/python bench/search.py                     # 100,000 artists, ~1,000,000 calendar slots
    .venv/bin/python bench/search.py --keep              # keep the search_bench database afterwards ...
    .venv/bin/python bench/search.py --reuse --keep      # ... and time again without regenerating it
    .venv/bin/python bench/search.py --artists 20000 --slots 200000 --runs 50 --server postgresql://postgres@host/postgres

The 2-character name query is also timed with the legacy stage-name match (ILIKE '%林晚%', which no
index serves) to show what the name_grams GIN index (migration 0006) buys.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import or_, text  # noqa: E402
from sqlalchemy.sql.elements import ColumnElement  # noqa: E402

from bench.common import DEFAULT_SERVER, copy_rows, server_url  # noqa: E402
from devstack.database import drop_database, ensure_database, migrate  # noqa: E402
from domain.artists.search_documents import iter_artist_documents  # noqa: E402
from domain.db import get_engine, session_scope  # noqa: E402
from domain.enums import ARTIST_TYPE_LABELS  # noqa: E402
from domain.time import SHANGHAI, utc_now  # noqa: E402
from search import pg  # noqa: E402
from search.base import SearchQuery  # noqa: E402
from search.pg import PgArtistSearch  # noqa: E402

DB_NAME = "search_bench"

SURNAMES = ("陈林王李张刘杨黄赵吴周徐孙马朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "默晚晴小野雨桐一鸣浩然思琪大伟欣然阿杰菲儿明乐岚子涵梓轩宇航欣怡诗雨嘉懿俊杰文博天佑紫萱雅静"
GROUPS = ["乐队", "乐团", "四重奏", "组合", "舞团", "合唱团", "剧社"]
PREFIXES = ["南城", "夏夜", "回声", "鼓浪", "星河", "北岸", "青柠", "白鸽", "海风", "山丘", "霓虹", "蓝调"]
STYLES = ["流行", "抒情", "民谣", "原创", "摇滚", "爵士", "蓝调", "后摇", "独立", "美声", "红歌", "古典舞",
          "街舞", "拉丁舞", "年会主持", "婚礼主持", "近景魔术", "舞台魔术", "对口相声", "脱口秀", "杂技", "沙画",
          "古筝", "小提琴"]
# Weighted like the platform's traffic: the big cities hold most artists.
CITIES = ["北京"] * 6 + ["上海"] * 6 + ["广州"] * 4 + ["深圳"] * 4 + ["成都"] * 3 + ["杭州"] * 3 + [
    "武汉", "西安", "南京", "重庆", "长沙", "苏州", "天津", "青岛", "厦门", "昆明"]
BIOS = ["擅长{a}与{b}，{c}经验丰富。", "{a}演出近百场，适合{c}与{d}。", "音乐学院毕业，主攻{a}，常驻 livehouse。",
        "专注{a}，可为{c}定制{b}节目。", "{a}团队，年会、婚礼、商演皆宜，{d}口碑好。"]
EVENTS = ["年会", "婚礼", "商演", "发布会", "酒会", "庆典", "音乐节", "晚宴", "亲子活动"]
WORKS = ["《城南》", "《夏夜》", "《回声》", "《晚风》", "《海岸线》", "《山丘》", "《霓虹》", "《白鸽》"]
TAGS = ["热门艺人", "本地艺人", "新人推荐", "金牌主持", "婚礼优选", "年会优选"]
TYPES = list(ARTIST_TYPE_LABELS)
CLIENTS = 5_000


# --- data generation (COPY)


def stage_name(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(PREFIXES) + rng.choice(STYLES[:8]) + rng.choice(GROUPS)
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))


def generate(url: str, n: int, rng: random.Random, slot_count: int) -> dict[str, int]:
    """`slot_count`: about how many calendar slots in all (one a day per artist, over the next months)."""
    today = utc_now().astimezone(SHANGHAI).date()
    mean = max(1, slot_count // n)
    lo_slots, hi_slots = max(1, round(mean * 0.4)), max(1, round(mean * 1.6))
    horizon = max(120, 2 * hi_slots)
    users: list[tuple[Any, ...]] = []
    profiles, prices, slots, artist_tags, favorites = [], [], [], [], []
    bookings, reviews = [], []
    for i in range(1, n + 1):
        types = rng.sample(TYPES, rng.choice([1, 1, 1, 2]))
        styles = rng.sample(STYLES, rng.choice([1, 2, 3]))
        bio = rng.choice(BIOS).format(a=styles[0], b=rng.choice(STYLES), c=rng.choice(EVENTS), d=rng.choice(EVENTS))
        created = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 900_000))
        users.append((i, f"1{i:010d}", "banned" if rng.random() < 0.01 else "active",
                      "verified" if rng.random() < 0.6 else "unverified", created))
        city = rng.choice(CITIES)
        regions = rng.sample([c for c in sorted(set(CITIES)) if c != city], rng.choice([0, 0, 1, 2]))
        works = rng.sample(WORKS, rng.choice([0, 1, 2]))
        views = int(rng.paretovariate(1.5) * 20)
        profiles.append((i, stage_name(rng)[:50], types, styles, city, f"1{i:010d}", bio, regions, works,
                         rng.random() < 0.1, views, created, created))
        for _ in range(rng.choice([1, 1, 2, 3])):
            lo = rng.randint(20, 300) * 10_000
            prices.append((i, "标准演出", rng.choice([30, 60, 90]), lo, lo + rng.randint(0, 200) * 10_000))
        for offset in rng.sample(range(0, horizon), rng.randint(lo_slots, hi_slots)):
            day = today + timedelta(days=offset)
            start = datetime.combine(day, dtime(rng.choice([10, 14, 19])), SHANGHAI)
            period = f"[{start.isoformat()},{(start + timedelta(hours=3)).isoformat()})"
            slots.append((i, period, rng.choice(["booked", "held", "rest", "unavailable", "available"])))
        for tag in rng.sample(range(1, len(TAGS) + 1), rng.choice([0, 0, 0, 1, 2])):
            artist_tags.append((i, tag))
        for client in rng.sample(range(n + 1, n + CLIENTS + 1), min(CLIENTS, int(rng.expovariate(0.5)))):
            favorites.append((client, i))
        for _ in range(rng.choice([0, 0, 0, 1, 2, 5])):  # completed bookings, each reviewed
            bookings.append((len(bookings) + 1, i))
            reviews.append((len(reviews) + 1, len(bookings), i, *(rng.choice([3, 4, 5, 5, 5]) for _ in range(3))))
    users += [(n + c, f"2{c:010d}", "active", "unverified", datetime(2025, 1, 1, tzinfo=UTC))
              for c in range(1, CLIENTS + 1)]
    raw = get_engine(url).raw_connection()
    try:
        cur = raw.cursor()
        copy_rows(cur, "users", ("id", "phone", "status", "verification_status", "created_at"), users)
        copy_rows(cur, "artist_profiles", ("user_id", "stage_name", "artist_types", "styles", "city", "contact_phone",
                                           "bio", "regions", "works", "hide_prices", "view_count", "created_at",
                                           "approved_at"),
                  profiles)
        copy_rows(cur, "artist_prices", ("artist_id", "title", "duration_minutes", "min_amount", "max_amount"),
                  prices)
        copy_rows(cur, "calendar_slots", ("artist_id", "period", "status"), slots)
        copy_rows(cur, "tags", ("id", "name"), list(enumerate(TAGS, start=1)))
        copy_rows(cur, "artist_tags", ("artist_id", "tag_id"), artist_tags)
        copy_rows(cur, "favorite_artists", ("client_id", "artist_id"), favorites)
        start = datetime(2026, 6, 1, 11, tzinfo=UTC)
        cur.execute("INSERT INTO inquiries (id, client_id, event_type, start_at, end_at, city, venue_address, "
                    "duration_minutes, audience_size, budget_amount, contact_name, contact_phone) VALUES "
                    "(1, %s, '年会', %s, %s, '上海', '浦东', 60, 100, 500000, '王', '13800000000')",
                    (n + 1, start, start + timedelta(hours=2)))
        copy_rows(cur, "bookings", ("id", "inquiry_id", "client_id", "artist_id", "status", "start_at", "end_at",
                                    "commission_rate_bp"),
                  ((b, 1, n + 1, a, "COMPLETED", start, start + timedelta(hours=2), 1000) for b, a in bookings))
        copy_rows(cur, "reviews", ("id", "booking_id", "client_id", "artist_id", "effect_score", "attitude_score",
                                   "punctuality_score"),
                  ((r, b, n + 1, a, e, at, p) for r, b, a, e, at, p in reviews))
        for table in ("users", "artist_prices", "calendar_slots", "tags", "inquiries", "bookings", "reviews"):
            # Fixed table names, no user input.
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
        raw.commit()
    finally:
        raw.close()
    return {"artists": n, "prices": len(prices), "calendar slots": len(slots), "favorites": len(favorites),
            "reviews": len(reviews), "tagged": len(artist_tags)}


def fill_ratings_if_stubbed(url: str) -> int:
    """`domain.reviews.service.artist_ratings` may still be a stub (no ratings in documents): then copy the
    review averages into the index rows so sort=rating has something to sort. Returns rows updated."""
    with get_engine(url).begin() as conn:
        if conn.execute(text("SELECT count(*) FROM artist_search WHERE rating IS NOT NULL")).scalar_one():
            return 0
        return conn.execute(text(
            "UPDATE artist_search s SET rating = r.avg, review_count = r.n FROM ("
            "  SELECT artist_id, avg((effect_score + attitude_score + punctuality_score) / 3.0) AS avg,"
            "         count(*) AS n FROM reviews WHERE status = 'visible' GROUP BY artist_id) r "
            "WHERE s.artist_id = r.artist_id")).rowcount


# --- timing


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    for _ in range(3):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def legacy_name_match(keyword: str) -> ColumnElement[bool]:
    """The stage-name match before name_grams: ILIKE for every length, trigram similarity from 3."""
    like = pg.t.stage_name.ilike(f"%{pg._escape_like(keyword)}%", escape="\\")
    return or_(like, pg.t.stage_name.op("%")(keyword)) if len(keyword) >= 3 else like


@contextmanager
def legacy_names() -> Iterator[None]:
    current = pg.name_match
    pg.name_match = legacy_name_match
    try:
        yield
    finally:
        pg.name_match = current


def timed_after(prepare: Callable[[], object], fn: Callable[[], object], runs: int) -> list[float]:
    """Like timed, but `prepare` runs untimed before each call."""
    out = []
    for i in range(runs + 3):
        prepare()
        start = time.perf_counter()
        fn()
        if i >= 3:
            out.append((time.perf_counter() - start) * 1000)
    return out


def measure(search: PgArtistSearch, raw: Any, q: SearchQuery, runs: int) -> dict[str, Any]:
    """total, then ms of: the backend answering again (its cache), answering anew (cache emptied first), and
    the backend's two statements run bare (the floor, JIT and parallel plans off as the backend runs them)."""
    total = search.search(q).total
    warm = timed(lambda: search.search(q), runs)
    cold = timed_after(search.cache.clear, lambda: search.search(q), runs)
    dialect = search.bind.dialect  # type: ignore[union-attr]
    compiled = [s.compile(dialect=dialect, compile_kwargs={"render_postcompile": True}) for s in search.statements(q)]

    def bare() -> None:
        cur = raw.cursor()
        for c in compiled:
            cur.execute(str(c), c.params)
            cur.fetchall()
        cur.close()

    cur = raw.cursor()
    cur.execute("SET jit = off; SET max_parallel_workers_per_gather = 0")
    cur.close()
    sql = timed(bare, runs)
    raw.rollback()
    return {"total": total, "warm": warm, "cold": cold, "sql": sql}


QUERIES: dict[str, dict[str, Any]] = {
    # label: SearchQuery fields; available_on is a day offset from today (Shanghai), filled in at run time.
    "default list (popularity)": {},
    "keyword 爵士": {"keyword": "爵士"},
    "2-char name 林晚": {"keyword": "林晚"},
    "keyword 婚礼+singer+上海+¥5k-20k, price_asc": {
        "keyword": "婚礼", "artist_types": ("singer",), "cities": ("上海",), "price_min": 500_000,
        "price_max": 2_000_000, "sort": "price_asc"},
    "available_on +7d, popularity": {"available_on": 7, "sort": "popularity"},
    "band+北京+available_on, popularity": {"artist_types": ("band",), "cities": ("北京",), "available_on": 7,
                                           "sort": "popularity"},
    "no keyword, rating": {"sort": "rating"},
    "tag 热门艺人+verified, rating": {"tags": ("热门艺人",), "verified_only": True, "sort": "rating"},
    "no keyword, price_asc": {"sort": "price_asc"},
}


def search_query(fields: dict[str, Any]) -> SearchQuery:
    fields = dict(fields)
    if "available_on" in fields:
        fields["available_on"] = utc_now().astimezone(SHANGHAI).date() + timedelta(days=fields["available_on"])
    return SearchQuery(**fields)


def http_params(q: SearchQuery) -> dict[str, Any]:
    """The query string the mini-program sends for `q` (GET /api/v1/artists answers total + facets too)."""
    params: dict[str, Any] = {"page": q.page, "page_size": q.page_size}
    for key, value in (("q", q.keyword), ("city", list(q.cities)), ("artist_type", list(q.artist_types)),
                       ("price_min", q.price_min), ("price_max", q.price_max), ("tag", list(q.tags)),
                       ("available_on", q.available_on.isoformat() if q.available_on else None),
                       ("sort", q.sort)):
        if value not in (None, []):
            params[key] = value
    if q.verified_only:
        params["verified_only"] = "true"
    return params


@contextmanager
def api_server(url: str, **settings: str) -> Iterator[str]:
    """The API under uvicorn in its own process group, pointed at the bench database (and `settings` as environment
    variables); yields its base URL."""
    from tests.e2e.booking_stack import SETTINGS_ENV, free_ports, port_open

    port, temporal_port = free_ports(2)
    data_dir = Path(tempfile.mkdtemp(prefix="search-bench-"))
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_ENV}
    # As tests/e2e/booking_stack.py Stack.env, minus Temporal: nothing on the search path talks to it.
    env.update(DATA_DIR=str(data_dir), DATABASE_URL=url, TEMPORAL_ADDRESS=f"127.0.0.1:{temporal_port}",
               API_HOST="127.0.0.1", API_PORT=str(port), EMBEDDED_SERVICES="", PYTHONUNBUFFERED="1",
               ALLOW_SANDBOX="true", PYTHONPATH=str(ROOT), **settings)
    log = (data_dir / "api.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",  # noqa: S603
                             "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
                            env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not port_open(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"API did not start:\n{(data_dir / 'api.log').read_text()[-3000:]}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def measure_http(client: httpx.Client, bump: Callable[[], object], q: SearchQuery,
                 runs: int) -> tuple[int, list[float], list[float]]:
    """total, ms answering again, ms answering anew (`bump` moves the index version first, as a write would, and
    a parameter the route ignores makes each URL new to the API's page cache, api/public_cache.py, as the first
    ask after a change is)."""
    params = http_params(q)
    asked = iter(range(1_000_000))

    def get(**extra: Any) -> dict[str, Any]:
        r = client.get("/api/v1/artists", params={**params, **extra})
        r.raise_for_status()
        body: dict[str, Any] = r.json()
        return body

    body = get()
    if set(body["facets"]) != {"artist_types", "cities"}:
        raise AssertionError(f"facets missing from the answer: {body['facets']}")
    return body["total"], timed(get, runs), timed_after(bump, lambda: get(anew=next(asked)), runs)


def prepare(url: str, args: argparse.Namespace) -> None:
    rng = random.Random(4)
    t0 = time.perf_counter()
    counts = generate(url, args.artists, rng, args.slots)
    t1 = time.perf_counter()
    engine = get_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))  # plans for indexing (each new index row reads its artist's calendar)
    with session_scope(url) as session:
        indexed = PgArtistSearch(engine).reindex_all(iter_artist_documents(session))
    filled = fill_ratings_if_stubbed(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    t2 = time.perf_counter()
    print(f"generated {', '.join(f'{v} {k}' for k, v in counts.items())} in {t1 - t0:.1f}s; "
          f"indexed {indexed} in {t2 - t1:.1f}s")
    if filled:
        print(f"(domain.reviews.service.artist_ratings returned nothing: {filled} ratings copied from reviews)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--artists", type=int, default=100_000)
    parser.add_argument("--slots", type=int, default=1_000_000, help="about how many calendar slots in all")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--server", help=f"PostgreSQL server URL (default {DEFAULT_SERVER}, else embedded)")
    parser.add_argument("--db", default=DB_NAME, help=f"the throwaway database's name (default {DB_NAME})")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="use the database a --keep run left (migrated to head, not regenerated)")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP path (backend and SQL only)")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"commit {git_commit()}, nproc {os.cpu_count()}, load {load()}")
    server = server_url(args.server)
    if args.reuse:
        url = ensure_database(server, args.db)
        migrate(url)
        with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # a migration may have rewritten rows
            n = conn.execute(text("SELECT count(*) FROM artist_search")).scalar_one()
            slots = conn.execute(text("SELECT count(*) FROM calendar_slots")).scalar_one()
        print(f"reusing {args.db}: {n} artists, {slots} calendar slots")
    else:
        drop_database(server, args.db)
        url = ensure_database(server, args.db)
        migrate(url)
        prepare(url, args)
    engine = get_engine(url)
    search = PgArtistSearch(engine)
    queries = {label: search_query(fields) for label, fields in QUERIES.items()}
    raw = engine.raw_connection()
    rows: dict[str, dict[str, Any]] = {}
    try:
        for label, q in queries.items():
            rows[label] = measure(search, raw, q, args.runs)
        with legacy_names():
            legacy = measure(search, raw, queries["2-char name 林晚"], args.runs)
            legacy["warm"] = None  # asked again, the cache answers what the indexed match found
            rows["BEFORE: 2-char name 林晚 (ILIKE, no index)"] = legacy
    finally:
        raw.close()
    # As deployed (a filter set's counts up to 5 s behind other processes), then with every count made anew.
    for lag, columns in (("5", ("http", "http_new")), ("0", (None, "http_first"))):
        if args.no_http:
            break
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as bump_conn, \
                api_server(url, SEARCH_COUNTS_LAG_SECONDS=lag) as base, \
                httpx.Client(base_url=base, timeout=30) as client:
            def bump() -> None:
                bump_conn.execute(text("SELECT nextval('artist_search_version')"))

            for label, q in queries.items():
                total, again, anew = measure_http(client, bump, q, args.runs)
                if total != rows[label]["total"]:
                    print(f"  !! {label}: HTTP total {total} != backend total {rows[label]['total']}")
                rows[label].update({k: v for k, v in zip(columns, (again, anew), strict=True) if k})

    def cell(xs: list[float] | None) -> str:
        return f"{percentile(xs, 50):>6.1f} {percentile(xs, 95):>6.1f}" if xs else f"{'-':>6} {'-':>6}"

    print(f"\n{args.runs} runs each, page 1 of 20 + total/facets; p50 p95 in ms")
    print(f"{'query':<44} {'total':>6} {'HTTP again':>13} {'HTTP anew':>13} {'HTTP counted':>13} "
          f"{'backend again':>13} {'backend anew':>13} {'SQL floor':>13} {'counted/SQL p95':>15}")
    for label, r in rows.items():
        ratio = percentile(r["http_first"], 95) / percentile(r["sql"], 95) if r.get("http_first") else float("nan")
        print(f"{label:<44} {r['total']:>6} {cell(r.get('http'))} {cell(r.get('http_new'))} "
              f"{cell(r.get('http_first'))} {cell(r['warm'])} {cell(r['cold'])} {cell(r['sql'])} {ratio:>15.2f}")
    print("\nHTTP = GET /api/v1/artists on uvicorn in its own process (cards + total + facets; keep-alive, one client);"
          " backend = PgArtistSearch.search in-process; again = the same query asked again (the backend's answer"
          " cache: nothing changed since); anew = after a write moved the index version (HTTP: nextval on"
          " artist_search_version before each request, untimed, and a new URL for the API's page cache; backend:"
          " its cache emptied): the page is read anew, the total and facets are the filter set's counts of up to"
          " 5 s ago (SEARCH_COUNTS_LAG_SECONDS=5, as deployed; backend: counted) and the artist cards those of the"
          " last 5 s (api/public_cache.py CardCache); HTTP counted = the same with"
          " SEARCH_COUNTS_LAG_SECONDS=0, so total and facets are counted too, as on a filter set's first ask; SQL"
          " floor = the backend's two statements run bare on psycopg2 (JIT and parallel plans off, as the backend"
          " runs them); counted/SQL p95 = HTTP counted p95 / SQL floor p95.")
    engine.dispose()
    if not args.keep:
        drop_database(server, args.db)
    print(f"load {load()}; total run time {time.perf_counter() - started:.0f}s")
    return 0


def git_commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,  # noqa: S607
                          text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "search", "bench/search.py", "migrations",  # noqa: S607
                            "api", "domain"], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
    return head + (" (search paths dirty)" if dirty else "")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
