"""Search benchmark (a script, not a test): N artists with calendars in a throwaway database, then
p50/p95 of typical queries on the PostgreSQL backend next to the bare SQL of the same query.

    .venv/bin/python bench/search.py --artists 100000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from psycopg2.extras import execute_values  # noqa: E402
from sqlalchemy import text  # noqa: E402

from devstack.database import drop_database, ensure_database, migrate, start_embedded  # noqa: E402
from domain.db import get_engine, session_scope  # noqa: E402
from domain.enums import ARTIST_TYPE_LABELS  # noqa: E402
from domain.time import SHANGHAI, utc_now  # noqa: E402
from search.base import SearchQuery  # noqa: E402
from search.documents import iter_artist_documents  # noqa: E402
from search.pg import PgArtistSearch  # noqa: E402

SURNAMES = ("陈林王李张刘杨黄赵吴周徐孙马朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "默晚晴小野雨桐一鸣浩然思琪大伟欣然阿杰菲儿明乐岚子涵梓轩宇航欣怡诗雨嘉懿俊杰文博天佑紫萱雅静"
GROUPS = ["乐队", "乐团", "四重奏", "组合", "舞团", "合唱团", "剧社"]
PREFIXES = ["南城", "夏夜", "回声", "鼓浪", "星河", "北岸", "青柠", "白鸽", "海风", "山丘", "霓虹", "蓝调"]
STYLES = ["流行", "抒情", "民谣", "原创", "摇滚", "爵士", "蓝调", "后摇", "独立", "美声", "红歌", "古典舞",
          "街舞", "拉丁舞", "年会主持", "婚礼主持", "近景魔术", "舞台魔术", "对口相声", "脱口秀", "杂技", "沙画",
          "古筝", "小提琴"]
CITIES = ["北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "南京", "重庆", "长沙", "苏州", "天津",
          "青岛"]
BIOS = ["擅长{a}与{b}，{c}经验丰富。", "{a}演出近百场，适合{c}与{d}。", "音乐学院毕业，主攻{a}，常驻 livehouse。",
        "专注{a}，可为{c}定制{b}节目。", "{a}团队，年会、婚礼、商演皆宜，{d}口碑好。"]
EVENTS = ["年会", "婚礼", "商演", "发布会", "酒会", "庆典", "音乐节", "晚宴", "亲子活动"]
TYPES = list(ARTIST_TYPE_LABELS)


def generate(url: str, n: int, rng: random.Random) -> None:
    raw = get_engine(url).raw_connection()
    try:
        cur = raw.cursor()
        today = utc_now().astimezone(SHANGHAI).date()
        users, profiles, prices, slots = [], [], [], []
        for i in range(1, n + 1):
            if rng.random() < 0.15:
                name = rng.choice(PREFIXES) + rng.choice(STYLES[:8]) + rng.choice(GROUPS)
            else:
                name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))
            types = rng.sample(TYPES, rng.choice([1, 1, 1, 2]))
            styles = rng.sample(STYLES, rng.choice([1, 2, 3]))
            bio = rng.choice(BIOS).format(a=styles[0], b=rng.choice(STYLES), c=rng.choice(EVENTS), d=rng.choice(EVENTS))
            verified = "verified" if rng.random() < 0.6 else "unverified"
            status = "banned" if rng.random() < 0.01 else "active"
            created = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 900_000))
            users.append((i, f"1{i:010d}", status, verified, created))
            profiles.append((i, name[:50], types, styles, rng.choice(CITIES), f"1{i:010d}", bio, created))
            lo = rng.randint(20, 300) * 10_000
            prices.append((i, "标准演出", 30, lo, lo + rng.randint(0, 200) * 10_000))
            for offset in rng.sample(range(0, 90), 6):
                day = today + timedelta(days=offset)
                status_ = rng.choice(["booked", "rest", "unavailable", "available"])
                start = datetime.combine(day, dtime(19), SHANGHAI)
                slots.append((i, f"[{start.isoformat()},{(start + timedelta(hours=3)).isoformat()})", status_))
        execute_values(cur, "INSERT INTO users (id, phone, status, verification_status, created_at) VALUES %s",
                       users, page_size=5000)
        execute_values(cur, "INSERT INTO artist_profiles (user_id, stage_name, artist_types, styles, city, "
                            "contact_phone, bio, created_at) VALUES %s", profiles, page_size=5000)
        execute_values(cur, "INSERT INTO artist_prices (artist_id, title, duration_minutes, min_amount, max_amount) "
                            "VALUES %s", prices, page_size=5000)
        execute_values(cur, "INSERT INTO calendar_slots (artist_id, period, status) VALUES %s", slots, page_size=5000)
        raw.commit()
    finally:
        raw.close()


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--artists", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()
    rng = random.Random(4)
    server = start_embedded(ROOT / ".data" / "bench-pg")
    name = "yanyue_bench_search"
    drop_database(server, name)
    url = ensure_database(server, name)
    migrate(url)
    t0 = time.perf_counter()
    generate(url, args.artists, rng)
    t1 = time.perf_counter()
    engine = get_engine(url)
    search = PgArtistSearch(engine)
    with session_scope(url) as session:
        indexed = search.reindex_all(iter_artist_documents(session))
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    t2 = time.perf_counter()
    print(f"generated {args.artists} artists in {t1 - t0:.1f}s; indexed {indexed} in {t2 - t1:.1f}s")

    day = utc_now().astimezone(SHANGHAI).date() + timedelta(days=7)
    queries: dict[str, SearchQuery] = {
        "keyword 爵士 + 上海 + popularity": SearchQuery(keyword="爵士", cities=("上海",), sort="popularity"),
        "keyword 年会主持 + price + verified + rating": SearchQuery(
            keyword="年会主持", price_min=500_000, price_max=2_000_000, verified_only=True, sort="rating"),
        "band + 北京 + available_on + price_asc": SearchQuery(
            artist_types=("band",), cities=("北京",), available_on=day, sort="price_asc"),
        "keyword 婚礼 + singer + available_on + newest p3": SearchQuery(
            keyword="婚礼", artist_types=("singer",), available_on=day, sort="newest", page=3),
        "2-char name 陈默 (relevance)": SearchQuery(keyword="陈默"),
        "no filters, popularity (facets over all)": SearchQuery(),
    }
    print(f"\n{'query':<48} {'total':>7} {'p50 ms':>8} {'p95 ms':>8} {'SQL p50':>8} {'SQL p95':>8} {'ratio':>6}")
    raw = engine.raw_connection()
    try:
        for label, q in queries.items():
            total = search.search(q).total
            backend_ms = timed(lambda q=q: search.search(q), args.runs)  # type: ignore[misc]
            compiled = [s.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
                        for s in search.statements(q)]

            def bare(compiled: list = compiled) -> None:  # type: ignore[type-arg]
                cur = raw.cursor()
                for c in compiled:
                    cur.execute(str(c), c.params)
                    cur.fetchall()
                cur.close()

            sql_ms = timed(bare, args.runs)
            p50, p95, s50, s95 = (percentile(backend_ms, 50), percentile(backend_ms, 95),
                                  percentile(sql_ms, 50), percentile(sql_ms, 95))
            print(f"{label:<48} {total:>7} {p50:>8.1f} {p95:>8.1f} {s50:>8.1f} {s95:>8.1f} {p50 / s50:>6.2f}")
        raw.rollback()
    finally:
        raw.close()
    print("\nSQL = the backend's own two statements (page + total/facets) run bare on a psycopg2 cursor;"
          " ratio = backend p50 / SQL p50 (jieba, SQL building, Python overhead).")
    engine.dispose()
    if not args.keep:
        drop_database(server, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
