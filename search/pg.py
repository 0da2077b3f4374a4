"""PostgreSQL backend (embedded default): jieba tokens in a column, a 'simple' tsvector GIN index,
pg_trgm on stage names, and each artist's blocked days kept in the index row by triggers on calendar_slots."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    any_,
    delete,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, DATEMULTIRANGE, TSVECTOR, insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Select

from domain.db import Base
from domain.enums import ARTIST_TYPE_LABELS
from domain.time import utc_now
from search.base import ArtistDoc, SearchHit, SearchQuery, SearchResult
from search.tokenize import index_tokens, query_tokens, tokenizer

SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")
FACET_TYPES: tuple[str, ...] = tuple(ARTIST_TYPE_LABELS)

artist_search = Table(
    "artist_search", Base.metadata,
    Column("artist_id", BigInteger, ForeignKey("artist_profiles.user_id", ondelete="CASCADE"), primary_key=True),
    Column("stage_name", String(50), nullable=False),
    Column("artist_types", ARRAY(String(20)), nullable=False, server_default="{}"),
    Column("styles", ARRAY(String(30)), nullable=False, server_default="{}"),
    Column("city", String(30), nullable=False),
    Column("regions", ARRAY(String(30)), nullable=False, server_default="{}"),
    Column("bio", Text, nullable=False, server_default=""),
    Column("works", ARRAY(Text), nullable=False, server_default="{}"),
    Column("price_min", BigInteger),  # fen, NULL when hidden (面议) or no price list
    Column("price_max", BigInteger),
    Column("rating", Float),
    Column("review_count", Integer, nullable=False, server_default="0"),
    Column("popularity", Integer, nullable=False, server_default="0"),
    Column("verified", Boolean, nullable=False, server_default="false"),
    Column("tags", ARRAY(String(30)), nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("tokens", Text, nullable=False, server_default=""),  # jieba cut_for_search, space-separated
    # Stored rather than an expression index: rows checked outside the GIN index (ranking, a plan that
    # filters first) would recompute to_tsvector per row (~600 ms at 20k artists).
    Column("tsv", TSVECTOR, Computed("to_tsvector('simple'::regconfig, tokens)", persisted=True)),
    Column("indexed_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    # Every 1- and 2-character substring of the lower-cased stage name (migration 0006): a 1-2 character
    # keyword such as 林晚 has no trigram, so ILIKE can't use the trigram index; `name_grams @> '{林晚}'`
    # is the same match through a GIN index.
    Column("name_grams", ARRAY(Text), nullable=False, server_default="{}"),
    # The Shanghai days a held/booked/rest/unavailable slot touches (migration 0026): written by triggers on
    # calendar_slots in the transaction that changes the calendar, and on insert here; never by this module.
    Column("busy_days", DATEMULTIRANGE, nullable=False, server_default=text("'{}'::datemultirange")),
    Index("ix_artist_search_tsv", "tsv", postgresql_using="gin"),
    Index("ix_artist_search_name_grams", "name_grams", postgresql_using="gin"),
    Index("ix_artist_search_stage_name_trgm", "stage_name", postgresql_using="gin",
          postgresql_ops={"stage_name": "gin_trgm_ops"}),
    Index("ix_artist_search_types", "artist_types", postgresql_using="gin"),
    Index("ix_artist_search_tags", "tags", postgresql_using="gin"),  # migration 0030
    Index("ix_artist_search_regions", "regions", postgresql_using="gin"),  # the city filter's region half
    Index("ix_artist_search_city", "city"),
    Index("ix_artist_search_stage_name_lower", text("lower(stage_name)")),  # the exact-name tier (migration 0034)
    Index("ix_artist_search_popularity", text("popularity DESC"), "artist_id"),
    Index("ix_artist_search_created_at", text("created_at DESC"), "artist_id"),
    Index("ix_artist_search_price_asc", text("price_min ASC NULLS LAST"), text("artist_id DESC")),  # migration 0035
    Index("ix_artist_search_price_desc", text("price_max DESC NULLS LAST"), text("artist_id DESC")),
    Index("ix_artist_search_rating", text("rating DESC NULLS LAST"), text("review_count DESC"),
          text("artist_id DESC")),  # sort=rating (migration 0006)
    # The few rows whose busy days have no end, which artist_search_day_counts leaves out (migration 0031).
    Index("ix_artist_search_busy_open", "artist_id",
          postgresql_where=text("lower_inf(busy_days) OR upper_inf(busy_days)")),
)

t = artist_search.c

# The total and facets of the whole index, kept exact by statement-level triggers on artist_search in the writing
# transaction (migration 0030: its artist_search_facets_of says what one row counts towards, as the counting
# statement below does): 'total' (value ''), 'city' (served city, home or region), 'type' (artist type). Rows are
# deltas to be summed (migration 0033: writers only append, and fold the table now and then).
artist_search_counts = Table(
    "artist_search_counts", Base.metadata,
    Column("facet", String(10), nullable=False),
    Column("value", String(30), nullable=False),
    Column("n", BigInteger, nullable=False),
)
_kept = artist_search_counts.c
KEPT_COUNTS = (select(_kept.facet, _kept.value, func.sum(_kept.n).label("n"))
               .group_by(_kept.facet, _kept.value).having(func.sum(_kept.n) != 0))
# What the filters and the counts read of each artist_search row, ~100 bytes instead of ~1 KB (migration 0032:
# copied by triggers on artist_search in the writing transaction): filter sets without keyword are counted here.
artist_search_filters = Table(
    "artist_search_filters", Base.metadata,
    Column("artist_id", BigInteger, primary_key=True),
    Column("city", String(30), nullable=False),
    Column("regions", ARRAY(String(30)), nullable=False),
    Column("artist_types", ARRAY(String(20)), nullable=False),
    Column("tags", ARRAY(String(30)), nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("price_min", BigInteger),
    Column("price_max", BigInteger),
    Column("rating", Float),
    Column("busy_days", DATEMULTIRANGE, nullable=False),
    # Bit i: FACET_TYPES[i] is among artist_types (migration 0032's artist_type_bits lists them in this order).
    Column("type_bits", Integer, Computed("artist_type_bits((artist_types)::text[])", persisted=True),
           nullable=False),
    Index("ix_artist_search_filters_types", "artist_types", postgresql_using="gin"),
    Index("ix_artist_search_filters_tags", "tags", postgresql_using="gin"),
    Index("ix_artist_search_filters_regions", "regions", postgresql_using="gin"),
    Index("ix_artist_search_filters_city", "city"),
)
# The same counts over the artists busy on each day, as rows to be summed per day (migration 0031: appended by
# triggers on artist_search, folded now and then). Artists with open-ended busy days are left out of them.
artist_search_day_counts = Table(
    "artist_search_day_counts", Base.metadata,
    Column("day", Date, nullable=False),
    Column("facet", String(10), nullable=False),
    Column("value", String(30), nullable=False),
    Column("n", BigInteger, nullable=False),
    Index("ix_artist_search_day_counts_day", "day"),
)

TSV = t.tsv


def doc_tokens(doc: ArtistDoc) -> str:
    return index_tokens(doc.stage_name, " ".join(doc.styles), doc.bio, " ".join(doc.works),
                        doc.city, " ".join(doc.regions), " ".join(doc.tags), " ".join(doc.keywords))


SHORT_NAME = 2  # keywords up to this many characters match stage names through name_grams


def name_grams(stage_name: str) -> list[str]:
    """The distinct 1- and 2-character substrings of the lower-cased name (what a short keyword can be)."""
    name = stage_name.lower()
    return sorted({name[i:i + n] for n in range(1, SHORT_NAME + 1) for i in range(len(name) - n + 1)})


def _row(doc: ArtistDoc) -> dict[str, Any]:
    return {
        "artist_id": doc.artist_id, "stage_name": doc.stage_name, "artist_types": list(doc.artist_types),
        "styles": list(doc.styles), "city": doc.city, "regions": list(doc.regions), "bio": doc.bio,
        "works": list(doc.works), "price_min": doc.price_min, "price_max": doc.price_max,
        "rating": doc.rating, "review_count": doc.review_count, "popularity": doc.popularity,
        "verified": doc.verified, "tags": list(doc.tags), "created_at": doc.created_at,
        "tokens": doc_tokens(doc), "name_grams": name_grams(doc.stage_name), "indexed_at": utc_now(),
    }


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def keyword_tsquery(keyword: str) -> ColumnElement[Any] | None:
    """AND of the query's words; a word also matches when all its sub-words do (documents may be
    segmented differently in context, e.g. 年会主持 vs 年会 + 主持人)."""
    clauses: list[ColumnElement[Any]] = []
    for word in query_tokens(keyword):
        q: ColumnElement[Any] = func.plainto_tsquery(SIMPLE, word)
        subs = [s for s in tokenizer().cut_for_search(word) if s.lower() != word and s.strip()]
        if len(subs) > 1:
            q = q.op("||")(func.plainto_tsquery(SIMPLE, " ".join(subs)))
        clauses.append(q)
    if not clauses:
        return None
    combined = clauses[0]
    for c in clauses[1:]:
        combined = combined.op("&&")(c)
    return combined


def name_match(keyword: str) -> ColumnElement[bool]:
    """Stage names containing the keyword (case-insensitive), each length through an index: name_grams
    (GIN) up to 2 characters, ILIKE on the trigram index from 3, ORed with trigram similarity (typos)."""
    if len(keyword) <= SHORT_NAME:
        return t.name_grams.contains([keyword.lower()])
    return or_(t.stage_name.ilike(f"%{_escape_like(keyword)}%", escape="\\"), t.stage_name.op("%")(keyword))


# Answers (page of hits; total + facets) per query, kept while nothing they depend on changed: every committed
# write to a searchable field of artist_search moves artist_search_version (migrations 0027, 0028), a calendar
# change moves artist_search_calendar_version, which only answers filtered by available_on depend on. At most
# CACHE_SECONDS old, which bounds a reader that raced a commit. Totals and facets leave sort and page out of
# their key: paging and re-sorting ask the same counts.
CACHE_SECONDS = 30.0
CACHE_SIZE = 2048
# One round trip: the versions, and JIT and parallel plans off for this transaction: compiling the facet count's
# expressions cost up to 70 ms, more than running them; starting workers for a count of a few thousand matches
# took longer than the count (parallel 60-170 ms, serial 30-50 ms for a tag or a keyword at 100k artists, 2 CPUs
# shared with the API).
# A sequence nobody has moved yet reads last_value 1 and so does it after its first nextval: is_called tells them
# apart, else the first write of a fresh database would leave every cached answer looking current.
VERSIONS = text("SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),"
                " (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM artist_search_version),"
                " (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM artist_search_calendar_version)")
Facets = tuple[int, dict[str, dict[str, int]]]


def filter_key(q: SearchQuery) -> tuple[Any, ...]:
    return ((q.keyword or "").strip(), tuple(sorted(q.artist_types)), tuple(sorted(q.cities)), q.price_min,
            q.price_max, q.min_rating, tuple(sorted(q.tags)), q.verified_only, q.available_on)


def count_statement(where: list[ColumnElement[bool]], table: Table = artist_search) -> Select[Any]:
    """Total and both facets of the rows `where` matches, in one pass: a row per city the artist performs in (home
    first, then the regions travelled to, which documents keep free of the home city), grouped by that city. Only
    the home row counts towards the total and the artist types (the types are a closed enum, a filtered count
    each), summed in Python. Unnesting artist_types over a CTE cost ~3x more."""
    c = table.c
    served = (func.unnest(func.array_prepend(c.city, c.regions))
              .table_valued("served_city", with_ordinality="ord").render_derived(name="served"))
    home = served.c.ord == 1
    if "type_bits" in c:
        per_type = [func.count().filter(and_(home, c.type_bits.op("&")(1 << i) != 0)).label(kind)
                    for i, kind in enumerate(FACET_TYPES)]
    else:
        per_type = [func.count().filter(and_(home, literal(kind) == any_(c.artist_types))).label(kind)
                    for kind in FACET_TYPES]
    return (select(served.c.served_city, func.count().label("n"), func.count().filter(home).label("home"), *per_type)
            .select_from(table.join(served, literal(True)))
            .where(and_(*where)).group_by(served.c.served_city))


def free_counts(day: date) -> Select[Any]:
    """The kept counts of a search filtered only by available_on, in one statement (one snapshot): the whole
    index's minus those of the artists busy that day, the open-ended ones counted live."""
    kept, by_day = artist_search_counts.c, artist_search_day_counts.c
    of_row = (func.artist_search_facets_of(t.city, t.regions, t.artist_types)
              .table_valued("facet", "value").render_derived(name="f"))
    open_busy = (select(of_row.c.facet, of_row.c.value, literal(-1).label("n"))
                 .select_from(artist_search.join(of_row, literal(True)))
                 .where(or_(func.lower_inf(t.busy_days), func.upper_inf(t.busy_days)),
                        t.busy_days.contains(literal(day, Date))))
    parts = union_all(select(kept.facet, kept.value, kept.n),
                      select(by_day.facet, by_day.value, (-by_day.n).label("n")).where(by_day.day == day),
                      open_busy).subquery()
    return (select(parts.c.facet, parts.c.value, func.sum(parts.c.n).label("n"))
            .group_by(parts.c.facet, parts.c.value).having(func.sum(parts.c.n) != 0))


def filter_clauses(q: SearchQuery, c: Any) -> list[ColumnElement[bool]]:
    """The filters of `q` but the keyword, on the columns `c` of artist_search or artist_search_filters."""
    where: list[ColumnElement[bool]] = []
    if q.artist_types:
        where.append(c.artist_types.overlap(list(q.artist_types)))
    if q.cities:
        where.append(or_(c.city.in_(q.cities), c.regions.overlap(list(q.cities))))
    if q.price_min is not None:
        where.append(c.price_max >= q.price_min)
    if q.price_max is not None:
        where.append(c.price_min <= q.price_max)
    if q.min_rating is not None:
        where.append(c.rating >= q.min_rating)
    if q.tags:
        where.append(c.tags.overlap(list(q.tags)))
    if q.verified_only:
        where.append(c.verified.is_(True))
    if q.available_on is not None:
        where.append(~c.busy_days.contains(literal(q.available_on, Date)))
    return where


def unfiltered(q: SearchQuery) -> bool:
    """No keyword and no filter but perhaps available_on."""
    return not ((q.keyword or "").strip() or q.artist_types or q.cities or q.tags or q.verified_only
                or q.price_min is not None or q.price_max is not None or q.min_rating is not None)


class AnswerCache:
    def __init__(self, seconds: float = CACHE_SECONDS, size: int = CACHE_SIZE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.size, self.clock = seconds, size, clock
        self._entries: OrderedDict[tuple[Any, ...], tuple[tuple[int, int], float, Any]] = OrderedDict()
        self._lock = threading.Lock()  # the API serves sync routes from a thread pool

    def get(self, key: tuple[Any, ...], version: tuple[int, int] | None, seconds: float | None = None) -> Any:
        """The value stored under `version` (None: under any version) at most `seconds` (default: the cache's) ago."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or (version is not None and entry[0] != version) \
                    or self.clock() - entry[1] > (self.seconds if seconds is None else seconds):
                return None
            self._entries.move_to_end(key)
            return entry[2]

    def put(self, key: tuple[Any, ...], version: tuple[int, int], value: Any) -> None:
        with self._lock:
            self._entries[key] = (version, self.clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class _Plan:
    where: list[ColumnElement[bool]]
    filters: list[ColumnElement[bool]]
    keyword: str
    by_name: ColumnElement[bool] | None = None  # name_match(keyword), with a keyword
    tsq: ColumnElement[Any] | None = None  # keyword_tsquery(keyword): jieba runs once per search


def relevance_page(q: SearchQuery, plan: _Plan) -> Select[Any]:
    """A keyword's matches in tiers, each by popularity: the stage name is the keyword (score 2), the name contains
    it (1), anything else matching, e.g. a style, the bio or a type's words (0). Each tier's first offset + page
    rows are read on their own, so the broad tiers walk the popularity index and stop instead of scoring every
    match (ranking all 11k matches of 爵士 by ts_rank_cd took ~30 ms at 100k artists, the tiers ~5 ms)."""
    assert plan.by_name is not None
    by_name, tsq = plan.by_name, plan.tsq
    exact = func.lower(t.stage_name) == plan.keyword.lower()
    tiers: list[tuple[int, list[ColumnElement[bool]]]] = [(2, [exact]), (1, [by_name, ~exact])]
    if tsq is not None:
        tiers.append((0, [TSV.op("@@")(tsq), ~by_name]))
    firsts = union_all(*(select(t.artist_id, literal(tier).label("tier"), t.popularity)
                         .where(*where, *plan.filters).order_by(t.popularity.desc(), t.artist_id.desc())
                         .limit(q.offset + q.page_size) for tier, where in tiers)).subquery()
    return (select(firsts.c.artist_id, firsts.c.tier.label("score"))
            .order_by(firsts.c.tier.desc(), firsts.c.popularity.desc(), firsts.c.artist_id.desc())
            .offset(q.offset).limit(q.page_size))


class PgArtistSearch:
    """Bound to an Engine it commits its own writes; bound to a Session it writes in the caller's
    transaction (only flushing), so a profile change and its index row commit or fail together.

    `counts_lag`: how many seconds a filter set's total and facets may stay as they were counted after another
    process changed the index (the issue's "cached facets": counting 3-11k matches costs 12-50 ms at 100k artists,
    a page of them 1-3 ms); the page of hits is always current. `writes_seen` returns a number that moves whenever
    this process commits a write (api/local_writes.generation): counts read before it moved are not reused, so a
    change made through this process is counted at once. The default, 0, counts every change at once."""

    def __init__(self, bind: Engine | Session, *, counts_lag: float = 0.0,
                 writes_seen: Callable[[], int] = lambda: 0) -> None:
        self.bind = bind
        self.cache = AnswerCache()
        self.counts_lag, self.writes_seen = counts_lag, writes_seen

    # --- writes

    def _write(self, stmts: Iterable[Any]) -> None:
        """Each item is a statement or (statement, list of rows) for an executemany."""
        ctx = nullcontext(self.bind.connection()) if isinstance(self.bind, Session) else self.bind.begin()
        with ctx as c:
            for stmt in stmts:
                if isinstance(stmt, tuple):
                    c.execute(*stmt)
                else:
                    c.execute(stmt)

    def index(self, doc: ArtistDoc) -> None:
        row = _row(doc)
        stmt = insert(artist_search).values(row)
        stmt = stmt.on_conflict_do_update(index_elements=[t.artist_id],
                                          set_={k: stmt.excluded[k] for k in row if k != "artist_id"})
        self._write([stmt])

    def remove(self, artist_id: int) -> None:
        self._write([delete(artist_search).where(t.artist_id == artist_id)])

    def reindex_all(self, docs: Iterable[ArtistDoc], batch_size: int = 1000) -> int:
        """Rebuild in one transaction: readers see the old rows until it commits (MVCC)."""
        count = 0

        def batches() -> Iterator[Any]:
            nonlocal count
            yield delete(artist_search)
            it = iter(docs)
            while chunk := list(islice(it, batch_size)):
                count += len(chunk)
                yield insert(artist_search), [_row(d) for d in chunk]

        self._write(batches())
        return count

    # --- reads

    def _plan(self, q: SearchQuery) -> _Plan:
        where: list[ColumnElement[bool]] = []
        keyword = (q.keyword or "").strip()
        by_name = tsq = None
        if keyword:
            by_name = name_match(keyword)
            tsq = keyword_tsquery(keyword)
            where.append(or_(by_name, TSV.op("@@")(tsq)) if tsq is not None else by_name)
        filters = filter_clauses(q, t)
        return _Plan(where=where + filters or [~false()], filters=filters, keyword=keyword, by_name=by_name, tsq=tsq)

    def statements(self, q: SearchQuery) -> tuple[Select[Any], Select[Any]]:
        """(page of hits, total + facet counts) — public so the bench can time the bare SQL. Without filters but
        perhaps available_on the counts are the kept ones (reading the whole index for them took ~85-100 ms at
        100k artists)."""
        plan = self._plan(q)
        if q.effective_sort == "relevance":  # only with a keyword
            page = relevance_page(q, plan)
        else:
            order = {
                "popularity": [t.popularity.desc()],
                "rating": [t.rating.desc().nulls_last(), t.review_count.desc()],
                "price_asc": [t.price_min.asc().nulls_last()],
                "price_desc": [t.price_max.desc().nulls_last()],
                "newest": [t.created_at.desc()],
            }[q.effective_sort]
            page = (select(t.artist_id, literal(0.0).label("score")).where(and_(*plan.where))
                    .order_by(*order, t.artist_id.desc()).offset(q.offset).limit(q.page_size))
        if unfiltered(q):
            return page, KEPT_COUNTS if q.available_on is None else free_counts(q.available_on)
        if not (q.keyword or "").strip():  # the filters alone: counted on the narrow copy of their fields
            return page, count_statement(filter_clauses(q, artist_search_filters.c), artist_search_filters)
        return page, count_statement(plan.where)

    def search(self, q: SearchQuery) -> SearchResult:
        page, facets = self.statements(q)
        if isinstance(self.bind, Session):  # inside a unit of work: its own writes count, so no cache
            conn = self.bind.connection()
            return self._result(self._page(conn, page), self._facets(conn, facets))
        filters = filter_key(q)
        seen = self.writes_seen()  # before reading: a commit of this process racing the read moves it
        with self.bind.connect() as conn:
            *_, general, calendar = conn.execute(VERSIONS).one()
            version = (general, calendar if q.available_on is not None else 0)
            counts_key = ("facets", *filters)
            kept: tuple[int, Facets] | None = self.cache.get(counts_key, version)
            if kept is None and self.counts_lag:
                kept = self.cache.get(counts_key, None, self.counts_lag)
                kept = kept if kept is not None and kept[0] == seen else None
            if kept is None:
                kept = seen, self._facets(conn, facets)
                self.cache.put(counts_key, version, kept)
            counted = kept[1]
            page_key = ("page", q.effective_sort, q.page, q.page_size, *filters)
            hits: list[SearchHit] | None = self.cache.get(page_key, version)
            if hits is None:
                hits = self._page(conn, page)
                self.cache.put(page_key, version, hits)
            return self._result(list(hits), counted)

    @staticmethod
    def _page(conn: Connection, page: Select[Any]) -> list[SearchHit]:
        return [SearchHit(artist_id=r[0], score=float(r[1] or 0.0)) for r in conn.execute(page)]

    @staticmethod
    def _facets(conn: Connection, facets: Select[Any]) -> Facets:
        total = 0
        cities: dict[str, int] = {}
        types = dict.fromkeys(FACET_TYPES, 0)
        rows = conn.execute(facets)
        if "facet" in rows.keys():  # the kept counts
            for facet, value, sum_n in rows:
                n = int(sum_n)
                if facet == "total":
                    total = n
                elif facet == "city":
                    cities[value] = n
                elif value in types:
                    types[value] = n
            return total, {"artist_types": {k: n for k, n in types.items() if n}, "cities": cities}
        for city, n, home, *per_type in rows:
            total += home
            cities[city] = n
            for kind, count in zip(FACET_TYPES, per_type, strict=True):
                types[kind] += count
        return total, {"artist_types": {k: n for k, n in types.items() if n}, "cities": cities}

    @staticmethod
    def _result(hits: list[SearchHit], counted: Facets) -> SearchResult:
        total, facets = counted
        return SearchResult(items=hits, total=total, facets={k: dict(v) for k, v in facets.items()})
