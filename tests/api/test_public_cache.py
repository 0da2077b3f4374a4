"""Public pages answered from the API process's memory (api/public_cache.py) and login sessions checked a moment
ago (api/session_cache.py): served again while nothing changed, refreshed after their stated time or after a write
this process committed, never shown to another viewer, and bad input still refused. Time is a fake clock."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from api import local_writes, public_cache, session_cache
from api.context import AppContext
from domain.artists import service as artists
from domain.artists.search_sync import reindex
from domain.models import ArtistProfile
from search.factory import artist_search_from_settings
from tests.factories import artist_row, user_id
from tests.helpers import V1, FakeClock, bearer, operator_token, register_client


@pytest.fixture
def clock(api: httpx.AsyncClient) -> FakeClock:
    app = api._transport.app  # type: ignore[attr-defined]
    fake = FakeClock()
    app.state.public_cache.clock = fake
    app.state.session_cache.clock = fake
    app.state.card_cache.clock = fake
    return fake


def _behind_the_api(db: Session, sql: str, **params: object) -> None:
    """A change this process didn't commit (another API process, a maintenance command): raw SQL, no ORM flush."""
    db.execute(text(sql), params)
    db.commit()


@pytest.fixture
def listed(db: Session, ctx: AppContext) -> int:
    artist = artist_row(db, stage_name="缓存歌手")
    db.commit()
    reindex(ctx.search, db)
    return artist


async def test_search_is_served_from_memory_until_its_time_runs_out(api: httpx.AsyncClient, db: Session,
                                                                   clock: FakeClock, listed: int):
    first = await api.get(f"{V1}/artists", params={"sort": "newest", "page_size": 5})
    assert first.status_code == 200 and first.json()["items"][0]["stage_name"] == "缓存歌手"
    assert first.headers["cache-control"] == "no-cache" and first.headers["etag"]
    _behind_the_api(db, "UPDATE artist_profiles SET stage_name = '新艺名' WHERE user_id = :a", a=listed)
    # The same query in another parameter order is the same page.
    again = await api.get(f"{V1}/artists", params={"page_size": 5, "sort": "newest"})
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    not_modified = await api.get(f"{V1}/artists", params={"sort": "newest", "page_size": 5},
                                 headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == first.headers["etag"]
    # Another query reads its hits now, and takes the artist's card kept from the first one (the same TTL).
    other = await api.get(f"{V1}/artists", params={"sort": "newest", "page_size": 6})
    assert other.json()["items"][0]["stage_name"] == "缓存歌手" and other.content != first.content

    clock.now += public_cache.TTL
    fresh = await api.get(f"{V1}/artists", params={"sort": "newest", "page_size": 5},
                          headers={"If-None-Match": first.headers["etag"]})
    assert fresh.status_code == 200 and fresh.json()["items"][0]["stage_name"] == "新艺名"
    assert fresh.headers["etag"] != first.headers["etag"]


async def test_a_write_this_process_commits_refreshes_at_once(api: httpx.AsyncClient, db: Session, clock: FakeClock,
                                                              listed: int):
    ops = await operator_token(api, db)
    assert (await api.get(f"{V1}/artists/{listed}")).status_code == 200
    assert (await api.get(f"{V1}/artists")).json()["total"] == 1
    banned = await api.post(f"{V1}/admin/users/{listed}/status", headers=bearer(ops),
                            json={"status": "banned", "reason": "冒用他人演出视频"})
    assert banned.status_code == 200, banned.text
    assert (await api.get(f"{V1}/artists/{listed}")).status_code == 404  # no time has passed on the clock
    assert (await api.get(f"{V1}/artists")).json()["total"] == 0


async def test_an_artist_page_is_kept_per_viewer(api: httpx.AsyncClient, db: Session, clock: FakeClock, listed: int):
    fan = await register_client(api, "13800000701")
    other = await register_client(api, "13800000702", org="另一家公司")
    assert (await api.post(f"{V1}/favorites/artists/{listed}", headers=bearer(fan))).status_code == 200
    for _ in range(2):  # the first read of each viewer fills the cache, the second is served from it
        mine = await api.get(f"{V1}/artists/{listed}", headers=bearer(fan))
        theirs = await api.get(f"{V1}/artists/{listed}", headers=bearer(other))
        anonymous = await api.get(f"{V1}/artists/{listed}")
        assert mine.json()["favorited"] is True
        assert theirs.json()["favorited"] is False and anonymous.json()["favorited"] is False
    assert mine.headers["cache-control"] == "private, no-cache" and mine.headers["vary"] == "Authorization"
    assert anonymous.headers["cache-control"] == "no-cache" and anonymous.headers["vary"] == "Authorization"
    # One viewer's ETag is not another's page.
    assert (await api.get(f"{V1}/artists/{listed}", headers={
        **bearer(other), "If-None-Match": mine.headers["etag"]})).status_code == 200
    # A token the API can't accept is an anonymous visitor, answered by the route every time.
    stale = await api.get(f"{V1}/artists/{listed}", headers=bearer("not-a-token"))
    assert stale.status_code == 200 and stale.json()["favorited"] is False


async def test_views_served_from_memory_are_counted(api: httpx.AsyncClient, db: Session, clock: FakeClock,
                                                    listed: int):
    fan = await register_client(api, "13800000703")
    for headers in ({}, {}, bearer(fan), bearer(fan), bearer(fan)):
        assert (await api.get(f"{V1}/artists/{listed}", headers=headers)).status_code == 200
    etag = (await api.get(f"{V1}/artists/{listed}")).headers["etag"]
    assert (await api.get(f"{V1}/artists/{listed}", headers={"If-None-Match": etag})).status_code == 304
    await public_cache.write_views_now(str(db.get_bind().url.render_as_string(hide_password=False)))
    profile = db.get(ArtistProfile, listed)
    assert profile is not None
    db.refresh(profile)
    assert profile.view_count == 7
    assert not artists.has_unwritten_views()


async def test_bad_input_is_still_refused_and_never_kept(api: httpx.AsyncClient, clock: FakeClock, listed: int):
    for _ in range(2):
        assert (await api.get(f"{V1}/artists", params={"price_min": 500, "price_max": 100})).status_code == 422
        assert (await api.get(f"{V1}/artists", params={"page_size": 0})).status_code == 422
        assert (await api.get(f"{V1}/artists/0")).status_code == 422
        assert (await api.get(f"{V1}/artists/abc")).status_code == 422
        assert (await api.get(f"{V1}/artists/99999999999999999999")).status_code == 422
        assert (await api.get(f"{V1}/artists/99999999")).status_code == 404


async def test_a_logout_or_ban_here_applies_to_the_next_read(api: httpx.AsyncClient, db: Session, clock: FakeClock):
    token = await register_client(api, "13800000704")
    assert (await api.get(f"{V1}/bookings", headers=bearer(token))).status_code == 200
    assert (await api.post(f"{V1}/auth/logout", headers=bearer(token))).status_code == 204
    assert (await api.get(f"{V1}/bookings", headers=bearer(token))).status_code == 401

    token = await register_client(api, "13800000705")
    client = await user_id(api, token)
    assert (await api.get(f"{V1}/bookings", headers=bearer(token))).status_code == 200
    ops = await operator_token(api, db)
    assert (await api.post(f"{V1}/admin/users/{client}/status", headers=bearer(ops),
                           json={"status": "banned", "reason": "恶意下单"})).status_code == 200
    assert (await api.get(f"{V1}/bookings", headers=bearer(token))).status_code in (401, 403)


async def test_a_logout_elsewhere_applies_within_the_stated_time_and_to_writes_at_once(
        api: httpx.AsyncClient, db: Session, clock: FakeClock):
    token = await register_client(api, "13800000706")
    assert (await api.get(f"{V1}/notifications", headers=bearer(token))).status_code == 200
    _behind_the_api(db, "UPDATE auth_sessions SET revoked_at = now()")  # another API process's logout
    assert (await api.get(f"{V1}/notifications", headers=bearer(token))).status_code == 200  # within the bound
    assert (await api.post(f"{V1}/notifications/read-all", headers=bearer(token))).status_code == 401
    clock.now += session_cache.TTL
    assert (await api.get(f"{V1}/notifications", headers=bearer(token))).status_code == 401


async def test_a_session_read_from_memory_is_the_same_person_and_role(api: httpx.AsyncClient, db: Session,
                                                                      clock: FakeClock):
    a = await register_client(api, "13800000707")
    b = await register_client(api, "13800000708", org="另一家公司")
    for _ in range(2):
        assert (await api.get(f"{V1}/me", headers=bearer(a))).json()["phone"].endswith("0707")
        assert (await api.get(f"{V1}/me", headers=bearer(b))).json()["phone"].endswith("0708")
    # Acting as an artist needs an artist profile: refused, and the role stays what it was.
    assert (await api.post(f"{V1}/me/role", headers=bearer(a), json={"role": "artist"})).status_code == 409
    assert (await api.get(f"{V1}/me", headers=bearer(a))).json()["acting_role"] == "client"


async def test_viewers_arriving_while_a_page_is_read_wait_for_that_answer(api: httpx.AsyncClient, db: Session,
                                                                          clock: FakeClock, listed: int):
    """The entry of a much-viewed page runs out: the viewers then asking don't each run the page's queries."""
    import asyncio

    from sqlalchemy import event

    seen: list[str] = []

    def listen(*args: object) -> None:  # (conn, cursor, statement, ...)
        seen.append(str(args[2]))

    event.listen(db.get_bind(), "before_cursor_execute", listen)
    try:
        pages = await asyncio.gather(*(api.get(f"{V1}/artists/{listed}") for _ in range(8)))
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listen)
    assert {p.status_code for p in pages} == {200} and len({p.content for p in pages}) == 1
    assert sum(1 for s in seen if s.startswith("UPDATE artist_profiles")) == 1, seen  # the route ran once
    await public_cache.write_views_now(str(db.get_bind().url.render_as_string(hide_password=False)))
    profile = db.get(ArtistProfile, listed)
    assert profile is not None
    db.refresh(profile)
    assert profile.view_count == 8  # every viewer counted


async def test_search_counts_may_lag_another_process_but_not_this_one(api: httpx.AsyncClient, db: Session,
                                                                      ctx: AppContext, clock: FakeClock):
    """As build_context wires the search: a filter set's total and facets up to SEARCH_COUNTS_LAG_SECONDS behind a
    change made elsewhere, the hits always current, a write of this process counted at once."""
    ctx.search = artist_search_from_settings(ctx.settings, ctx.database_url, writes_seen=local_writes.generation)
    ctx.search.cache.clock = clock  # type: ignore[attr-defined]
    first, second = artist_row(db, stage_name="滞后甲", city="上海"), artist_row(db, stage_name="滞后乙", city="上海")
    db.commit()
    reindex(ctx.search, db)
    before = (await api.get(f"{V1}/artists", params={"city": "上海"})).json()
    assert before["total"] == 2 and before["facets"]["cities"]["上海"] == 2
    _behind_the_api(db, "UPDATE artist_search SET city = '北京' WHERE artist_id = :a", a=second)
    # Another page of the same filters (not in the page cache): the hits as they are now, the counts as they were.
    lagging = (await api.get(f"{V1}/artists", params={"city": "上海", "page_size": 10})).json()
    assert [a["id"] for a in lagging["items"]] == [first]
    assert lagging["total"] == 2 and lagging["facets"]["cities"]["上海"] == 2
    clock.now += ctx.settings.search_counts_lag_seconds + 0.1
    after = (await api.get(f"{V1}/artists", params={"city": "上海", "page_size": 11})).json()
    assert after["total"] == 1 and after["facets"]["cities"] == {"上海": 1}

    ops = await operator_token(api, db)
    banned = await api.post(f"{V1}/admin/users/{first}/status", headers=bearer(ops),
                            json={"status": "banned", "reason": "冒用他人演出视频"})
    assert banned.status_code == 200, banned.text
    now = (await api.get(f"{V1}/artists", params={"city": "上海", "page_size": 12})).json()
    assert now["items"] == [] and now["total"] == 0  # no time has passed on the clock
