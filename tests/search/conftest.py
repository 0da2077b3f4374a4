"""Artists built with the domain models, and each search backend (OpenSearch only with OPENSEARCH_URL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from domain.artists.search_documents import iter_artist_documents
from domain.db import get_engine
from domain.models import ArtistPrice, CalendarSlot
from domain.time import SHANGHAI, utc_now
from search.base import ArtistDoc, ArtistSearch
from tests.factories import artist_row

if TYPE_CHECKING:
    from search.pg import PgArtistSearch


@dataclass
class Catalog:
    ids: dict[str, int]
    busy_day: date

    def names(self, artist_ids: list[int]) -> list[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return [by_id[i] for i in artist_ids]


# name, types, styles, city, (min, max) yuan or None, bio, verified, rating, reviews, popularity, tags
ARTISTS: list[tuple[Any, ...]] = [
    ("南城爵士四重奏", ["band"], ["爵士", "蓝调"], "上海", (10000, 22000), "适合酒会、晚宴与高端品牌活动。",
     True, 4.9, 20, 50, ["热门艺人"]),
    ("何雨桐", ["singer", "host"], ["英文歌"], "深圳", (5000, 12000), "双语歌手兼主持，擅长爵士与英文歌。",
     False, 4.5, 8, 30, []),
    ("陈默", ["singer"], ["民谣", "原创"], "成都", (3000, 8000), "抱着吉他唱城市故事，常驻 livehouse。",
     True, 4.2, 5, 80, ["本地艺人"]),
    ("孙浩然", ["host"], ["年会主持", "颁奖典礼"], "北京", (8000, 20000), "前电视台主持人，主持上百场企业年会。",
     True, None, 0, 10, []),
    ("夏夜乐队", ["band"], ["流行摇滚", "翻唱"], "杭州", None, "五人乐队，酒吧驻唱与商演皆宜。",
     False, 3.8, 3, 5, ["热门艺人"]),
]
# Regions travelled to (the home city is left out of documents' regions even when a profile lists it).
REGIONS: dict[str, list[str]] = {"孙浩然": ["上海", "北京", "天津"], "何雨桐": ["广州"]}
BANNED = ("爵士老炮", ["singer"], ["爵士"], "上海", (1000, 2000), "被封禁的爵士歌手。")


def _add_artist(db: Session, i: int, name: str, types: list[str], styles: list[str], city: str,
                prices: tuple[int, int] | None, bio: str, *, verified: bool, status: str = "active") -> int:
    artist_id = artist_row(db, f"1370000{i:04d}", stage_name=name, artist_types=types, styles=styles, city=city,
                           bio=bio, regions=REGIONS.get(name, []),
                           created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=i),
                           user={"status": status, "verification_status": "verified" if verified else "unverified"})
    if prices:
        db.add(ArtistPrice(artist_id=artist_id, title="标准演出", duration_minutes=30,
                           min_amount=prices[0] * 100, max_amount=prices[0] * 150))
        db.add(ArtistPrice(artist_id=artist_id, title="加长演出", duration_minutes=60,
                           min_amount=prices[0] * 150, max_amount=prices[1] * 100))
    return artist_id


def build_catalog(db: Session) -> Catalog:
    ids = {}
    for i, (name, types, styles, city, prices, bio, verified, *_rest) in enumerate(ARTISTS, start=1):
        ids[name] = _add_artist(db, i, name, types, styles, city, prices, bio, verified=verified)
    ids[BANNED[0]] = _add_artist(db, 99, *BANNED, verified=True, status="banned")
    busy_day = utc_now().astimezone(SHANGHAI).date() + timedelta(days=10)
    # 孙浩然 is booked 19:00-23:30 Shanghai time on busy_day (11:00-15:30 UTC).
    db.add(CalendarSlot(artist_id=ids["孙浩然"], status="booked", period=Range(
        datetime.combine(busy_day, time(19), SHANGHAI), datetime.combine(busy_day, time(23, 30), SHANGHAI))))
    # An open slot blocks nothing; a rest day the day after blocks only that day for 陈默.
    db.add(CalendarSlot(artist_id=ids["南城爵士四重奏"], status="available", period=Range(
        datetime.combine(busy_day, time(0), SHANGHAI),
        datetime.combine(busy_day + timedelta(days=1), time(0), SHANGHAI))))
    db.add(CalendarSlot(artist_id=ids["陈默"], status="rest", period=Range(
        datetime.combine(busy_day + timedelta(days=1), time(0), SHANGHAI),
        datetime.combine(busy_day + timedelta(days=2), time(0), SHANGHAI))))
    db.commit()
    return Catalog(ids=ids, busy_day=busy_day)


def catalog_documents(db: Session) -> list[ArtistDoc]:
    """Documents as domain.artists.search_documents builds them, with fixed review/popularity/tag values so
    every backend is checked on the same numbers (test_outbox.py checks that documents take them from the database)."""
    extra = {name: (rating, reviews, pop, tags) for name, *_, rating, reviews, pop, tags in ARTISTS}
    docs = []
    for doc in iter_artist_documents(db):
        rating, reviews, pop, tags = extra[doc.stage_name]
        docs.append(replace(doc, rating=rating, review_count=reviews, popularity=pop, tags=tuple(tags)))
    return docs


def _opensearch() -> Iterator[ArtistSearch]:
    url = os.environ.get("OPENSEARCH_URL")
    if not url:
        pytest.skip("OPENSEARCH_URL is not set: the OpenSearch backend needs a server (none runs on this machine)")
    from search.opensearch import OpenSearchArtistSearch

    backend = OpenSearchArtistSearch.from_url(url, alias=f"test-artists-{uuid.uuid4().hex[:8]}", refresh="wait_for")
    yield backend
    backend.drop()


@pytest.fixture
def search(database_url: str) -> PgArtistSearch:
    """The PostgreSQL backend alone, for the tests of its own tables and caches (which override `backend` with it)."""
    from search.pg import PgArtistSearch

    return PgArtistSearch(get_engine(database_url))


@pytest.fixture(params=["postgresql", "opensearch"])
def backend(request: pytest.FixtureRequest, db: Session) -> Iterator[ArtistSearch]:
    if request.param == "postgresql":
        yield request.getfixturevalue("search")
    else:
        yield from _opensearch()


@pytest.fixture
def catalog(db: Session, backend: ArtistSearch) -> Catalog:
    cat = build_catalog(db)
    assert backend.reindex_all(catalog_documents(db)) == len(ARTISTS)
    return cat
