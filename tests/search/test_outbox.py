"""Documents carry reviews, tags, popularity and privacy; the outbox keeps OpenSearch in step without
losing a change while the index is down; the PostgreSQL path stays in the caller's transaction."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from activities.search import SearchOutboxDrainPlugin
from domain.artists.search_documents import artist_document
from domain.artists.search_sync import drain_all, drain_outbox, sync_artist
from domain.db import session_factory
from domain.models import ArtistProfile, ArtistTag, Booking, FavoriteArtist, SearchOutbox, Tag
from domain.reviews import service as reviews
from search.base import ArtistDoc, SearchQuery, SearchResult
from search.factory import in_transaction
from search.outbox import mark_dirty
from search.pg import PgArtistSearch, artist_search, name_grams
from tests.factories import inquiry_row, user_row
from tests.search.conftest import build_catalog


class FakeSearch:
    """An index outside the database (like OpenSearch) that can be switched off."""

    def __init__(self, *, down: bool = False) -> None:
        self.down = down
        self.docs: dict[int, ArtistDoc] = {}
        self.calls = 0

    def _check(self) -> None:
        self.calls += 1
        if self.down:
            raise ConnectionError("index unreachable")

    def index(self, doc: ArtistDoc) -> None:
        self._check()
        self.docs[doc.artist_id] = doc

    def remove(self, artist_id: int) -> None:
        self._check()
        self.docs.pop(artist_id, None)

    def search(self, q: SearchQuery) -> SearchResult:
        raise NotImplementedError

    def reindex_all(self, docs: Any) -> int:
        raise NotImplementedError


def _outbox(db: Session) -> dict[int, tuple[int, str | None]]:
    db.expire_all()
    return {r.artist_id: (r.attempts, r.last_error) for r in db.scalars(select(SearchOutbox))}


def test_documents_carry_reviews_tags_popularity_and_privacy(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    cat = build_catalog(db)
    chen, sun = cat.ids["陈默"], cat.ids["孙浩然"]
    seen: list[list[int]] = []

    def ratings(session: Session, ids: list[int]) -> dict[int, tuple[float, int]]:
        seen.append(list(ids))
        return {chen: (4.25, 4)}

    monkeypatch.setattr(reviews, "artist_ratings", ratings)
    hot, local = Tag(name="热门艺人"), Tag(name="本地艺人")
    db.add_all([hot, local])
    db.flush()
    db.add_all([ArtistTag(artist_id=chen, tag_id=hot.id), ArtistTag(artist_id=chen, tag_id=local.id)])
    clients = [user_row(db, f"1380000{i:04d}").id for i in range(3)]
    db.add_all([FavoriteArtist(client_id=c, artist_id=chen) for c in clients[:2]])
    start = datetime(2026, 12, 24, 11, tzinfo=UTC)
    inquiry = inquiry_row(db, clients[0], start, start + timedelta(hours=2))
    for status in ("CONFIRMED", "COMPLETED", "REQUESTED", "REJECTED"):  # only the first two count
        db.add(Booking(inquiry_id=inquiry.id, client_id=clients[0], artist_id=chen, status=status, start_at=start,
                       end_at=start + timedelta(hours=2), commission_rate_bp=1000))
    profile = db.get_one(ArtistProfile, chen)
    profile.view_count, profile.regions, profile.works = 30, ["重庆", "绵阳"], ["《城南》"]
    db.get_one(ArtistProfile, sun).hide_prices = True
    db.flush()

    doc = artist_document(db, chen)
    assert doc is not None
    assert (doc.rating, doc.review_count) == (4.25, 4)
    assert doc.tags == ("本地艺人", "热门艺人")
    assert doc.popularity == 2 + 2 + 30  # confirmed-or-later bookings + favorites + views
    assert doc.regions == ("重庆", "绵阳") and doc.works == ("《城南》",)
    assert seen == [[chen]]
    hidden = artist_document(db, sun)
    assert hidden is not None and (hidden.price_min, hidden.price_max) == (None, None)  # 面议
    assert (hidden.rating, hidden.review_count, hidden.tags, hidden.popularity) == (None, 0, (), 0)

    # The PostgreSQL backend matches what the documents carry: tags filter, regions count as cities,
    # works are searchable, hidden prices never match a price filter.
    pg = PgArtistSearch(db)
    for artist_id in cat.ids.values():
        sync_artist(pg, db, artist_id)
    assert pg.search(SearchQuery(tags=("本地艺人",))).ids == [chen]
    assert pg.search(SearchQuery(cities=("绵阳",))).ids == [chen]
    assert pg.search(SearchQuery(keyword="城南")).ids == [chen]
    assert sun not in pg.search(SearchQuery(price_min=0)).ids
    assert pg.search(SearchQuery(sort="popularity")).ids[0] == chen


def test_postgresql_sync_is_unchanged_and_queues_nothing(db: Session) -> None:
    cat = build_catalog(db)
    search = in_transaction(PgArtistSearch(db.get_bind()), db)  # type: ignore[arg-type]
    assert isinstance(search, PgArtistSearch) and search.bind is db
    sync_artist(search, db, cat.ids["陈默"])
    db.commit()
    assert db.scalars(select(artist_search.c.artist_id)).all() == [cat.ids["陈默"]]
    assert _outbox(db) == {}


def test_external_index_is_queued_in_the_callers_transaction(db: Session) -> None:
    cat = build_catalog(db)
    fake = FakeSearch()
    chen = cat.ids["陈默"]
    assert in_transaction(fake, db) is fake
    sync_artist(fake, db, chen)
    db.rollback()  # the change failed: nothing to index
    assert _outbox(db) == {} and fake.calls == 0
    sync_artist(in_transaction(fake, db), db, chen)
    sync_artist(in_transaction(fake, db), db, chen)  # twice in one change: still one row
    db.commit()
    assert _outbox(db) == {chen: (0, None)} and fake.calls == 0  # the index isn't touched before commit


def test_outbox_survives_a_failing_index_and_the_drain_retries(db: Session, database_url: str) -> None:
    cat = build_catalog(db)
    chen, sun, banned = cat.ids["陈默"], cat.ids["孙浩然"], cat.ids["爵士老炮"]
    fake = FakeSearch(down=True)
    for artist_id in (chen, sun, banned):
        mark_dirty(db, artist_id)
    db.commit()
    factory = session_factory(database_url)

    report = drain_outbox(fake, factory)
    assert set(report.failed) == {chen, sun, banned} and report.done == 0
    rows = _outbox(db)
    assert set(rows) == {chen, sun, banned}
    assert all(attempts == 1 and error == "ConnectionError: index unreachable" for attempts, error in rows.values())
    drain_outbox(fake, factory)
    assert {a for a, _ in _outbox(db).values()} == {2}

    # A newer change resets the retry count; the index comes back and everything is written once.
    mark_dirty(db, chen)
    db.commit()
    assert _outbox(db)[chen] == (0, None)
    fake.down = False
    fake.docs[banned] = artist_document(db, chen)  # type: ignore[assignment]  # stale entry of a banned artist
    report = drain_all(fake, factory, batch=2)
    assert sorted(report.indexed) == sorted([chen, sun]) and report.removed == [banned] and not report.failed
    assert _outbox(db) == {}
    assert set(fake.docs) == {chen, sun}
    assert fake.docs[chen].stage_name == "陈默"


def test_a_failing_batch_stops_early_and_failed_rows_go_last(db: Session, database_url: str) -> None:
    build_catalog(db)
    ids = [a for a in db.scalars(select(ArtistProfile.user_id).order_by(ArtistProfile.user_id))]
    for artist_id in ids:
        mark_dirty(db, artist_id)
    db.commit()
    fake = FakeSearch(down=True)
    report = drain_outbox(fake, session_factory(database_url))
    assert len(report.failed) == 3 and fake.calls == 3  # the index is down: no timeout per remaining row
    fake.down = False
    first = drain_outbox(fake, session_factory(database_url), limit=len(ids) - 3)
    assert set(first.indexed + first.removed) == set(ids) - set(report.failed)  # fresh rows first
    assert set(_outbox(db)) == set(report.failed)


def test_rows_claimed_by_another_drainer_are_skipped(db: Session, database_url: str) -> None:
    cat = build_catalog(db)
    mark_dirty(db, cat.ids["陈默"])
    db.commit()
    other = session_factory(database_url)()
    try:
        other.execute(select(SearchOutbox).with_for_update())  # another worker is mid-drain
        fake = FakeSearch()
        assert drain_outbox(fake, session_factory(database_url)).done == 0 and fake.calls == 0
    finally:
        other.rollback()
        other.close()
    assert drain_outbox(fake, session_factory(database_url)).indexed == [cat.ids["陈默"]]


def test_the_worker_plugin_drains_while_the_worker_runs(db: Session, database_url: str) -> None:
    cat = build_catalog(db)
    mark_dirty(db, cat.ids["何雨桐"])
    db.commit()
    fake = FakeSearch()
    plugin = SearchOutboxDrainPlugin(database_url, fake, interval=0.05)

    async def worker_runs(_worker: Any) -> None:
        for _ in range(200):
            if fake.docs:
                return
            await asyncio.sleep(0.02)

    asyncio.run(plugin.run_worker(None, worker_runs))  # type: ignore[arg-type]
    assert set(fake.docs) == {cat.ids["何雨桐"]}
    assert db.scalar(select(func.count()).select_from(SearchOutbox)) == 0


def test_short_names_match_through_name_grams(db: Session) -> None:
    assert name_grams("林晚Ab") == sorted({"林", "晚", "a", "b", "林晚", "晚a", "ab"})
    cat = build_catalog(db)
    pg = PgArtistSearch(db)
    for artist_id in cat.ids.values():
        sync_artist(pg, db, artist_id)
    assert pg.search(SearchQuery(keyword="默")).ids == [cat.ids["陈默"]]
    assert pg.search(SearchQuery(keyword="浩然")).ids == [cat.ids["孙浩然"]]
    assert pg.search(SearchQuery(keyword="城爵")).ids == [cat.ids["南城爵士四重奏"]]  # any 2 characters of a name
