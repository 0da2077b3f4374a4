"""A public page's ETag survives a refill of the API's page cache when nothing changed: the signed image URLs on it
are made per window of time (storage.base.link_window), not per second. Both clocks are fake."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from api import public_cache
from api.context import AppContext
from domain.artists.search_sync import reindex
from domain.models import ArtistProfile, Upload
from storage.local import LocalStorage
from tests.factories import artist_row
from tests.helpers import V1, FakeClock


@pytest.fixture
def clocks(api: httpx.AsyncClient, ctx: AppContext, tmp_path: Path) -> tuple[FakeClock, FakeClock]:
    """(the page cache's clock, the storage's clock): one that reads 5 s later is a refill in the same window."""
    pages, links = FakeClock(1000.0), FakeClock(1_800_000_123.0)
    api._transport.app.state.public_cache.clock = pages  # type: ignore[attr-defined]
    api._transport.app.state.card_cache.clock = pages  # type: ignore[attr-defined]
    ctx.storage = LocalStorage(tmp_path / "storage", "test-etag-secret", clock=links)
    return pages, links


@pytest.fixture
async def artist_with_avatar(db: Session, ctx: AppContext) -> AsyncIterator[int]:
    artist = artist_row(db, stage_name="头像歌手")
    avatar = Upload(id=str(uuid.uuid4()), user_id=artist, purpose="avatar", object_key=f"public/avatars/{artist}.png",
                    content_type="image/png", size=100)
    db.add(avatar)
    db.flush()
    db.get_one(ArtistProfile, artist).avatar_upload_id = avatar.id
    db.commit()
    reindex(ctx.search, db)
    yield artist
    # Views of pages served from memory are kept in the process until written: write them while the artist exists.
    await public_cache.write_views_now(ctx.database_url)


@pytest.mark.parametrize("page", ["artist", "search"])
async def test_a_refilled_page_keeps_its_etag_when_nothing_changed(api: httpx.AsyncClient,
                                                                   clocks: tuple[FakeClock, FakeClock],
                                                                   artist_with_avatar: int, page: str):
    pages, links = clocks
    url = f"{V1}/artists/{artist_with_avatar}" if page == "artist" else f"{V1}/artists"
    params = {} if page == "artist" else {"sort": "newest", "page_size": "5"}
    first = await api.get(url, params=params)
    assert first.status_code == 200, first.text
    avatar = first.json()["avatar_url"] if page == "artist" else first.json()["items"][0]["avatar_url"]
    assert avatar and "sig=" in avatar

    pages.now += public_cache.TTL + 1  # the entry ran out: the page is read and signed again
    links.now += public_cache.TTL + 1
    again = await api.get(url, params=params, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    assert (await api.get(url, params=params)).content == first.content
