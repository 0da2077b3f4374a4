"""The public pages anyone may read (the artist search, an artist's page, the mini-program home), answered from
this process's memory for a few seconds, with an ETag (304 to a client that already has the bytes).

What may be stale, and for how long (the product's decision):

- An entry lives `TTL` seconds at most, and only while this process has committed no write since it was read
  (api/local_writes.py): whatever a request answered here changes (a ban, a hidden profile, a price, a
  calendar day, a favourite) shows on this process's next answer; another API process shows it within `TTL`.
- A calendar day shown free that was just held or booked: a booking never trusts the page; holding the day
  re-checks it under the calendar's exclusion constraint and refuses a taken one (domain/calendar/service.py
  `hold_for_booking`, CalendarConflict, 409).
- A banned or hidden artist leaves the search and their page within `TTL` seconds in every process.
- An artist page differs per viewer (contact details after a confirmed booking, the favourite flag; the artist's
  own view isn't counted), so its key names the viewer: anonymous, or the logged-in user, known without a query
  only from api/session_cache.py (a viewer it doesn't know is answered by the route and not kept). The search and
  the home page are the same for everyone.
- A page view served from here is still counted (domain/artists/service.py `record_view`).
- A search asked anew (another page, sort or filters) reuses the artist cards read for another search under the
  same rule (`CardCache`), and its total and facets may be up to SEARCH_COUNTS_LAG_SECONDS old (search/pg.py);
  its hits are always read anew.

Clients get `Cache-Control: no-cache` (keep the bytes, ask again each time: a 304 costs no body) and `private`
on a logged-in viewer's artist page. Only 200 answers are kept: bad input reaches the route and gets its 4xx."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import local_writes
from api.session_cache import SessionCache
from domain.artists import service as artists
from domain.artists.schemas import ArtistCard
from domain.db import session_scope
from storage.base import ObjectStorage

log = logging.getLogger(__name__)

TTL = 5.0  # seconds
MAX_ENTRIES = 1_000  # with MAX_BYTES: 64 MB at the very most (a default search page is ~15 kB)
MAX_BYTES = 64 * 1024  # a larger answer is not kept
V1 = "/api/v1"
SEARCH, HOME = f"{V1}/artists", f"{V1}/home"
ARTIST_PAGE = re.compile(rf"^{V1}/artists/([1-9][0-9]{{0,17}})$")
ANYONE = "*"  # the viewer part of a key whose page is the same for everyone
Viewer = str | int | None  # ANYONE, an anonymous visitor (None) or a logged-in user's id
Key = tuple[str, tuple[tuple[str, str], ...], Viewer]  # path, query, viewer


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    content_type: bytes
    etag: bytes


class PageCache(local_writes.Fresh[Key, CachedPage]):
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(TTL, MAX_ENTRIES, clock)


MAX_CARDS = 5_000  # ~1.5 kB each


class CardCache(local_writes.Fresh[tuple[int, tuple[str, ...]], ArtistCard]):
    """The search's artist cards, by artist and city filter (a card says whether the artist lives in or travels to
    the filtered city), under the pages' rule: `TTL` seconds at most, emptied by any write this process commits.
    A search asked anew (another page, sort or filter set, or after another process's change) reads its hits
    anew and the cards it lacks: a page's cards cost 6 queries, ~7 ms, more than most pages of hits."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(TTL, MAX_CARDS, clock)

    def cards(self, session: Session, storage: ObjectStorage, artist_ids: list[int],
              cities: tuple[str, ...]) -> list[ArtistCard]:
        """As domain.artists.service.cards_for (artists no longer public are left out), the kept ones not read."""
        read_at = local_writes.generation()  # before reading: a commit racing the read moves it
        cards = {i: card for i in artist_ids if (card := self.get((i, cities))) is not None}
        missing = [i for i in artist_ids if i not in cards]
        for card in artists.cards_for(session, storage, missing, cities=cities) if missing else ():
            self.put((card.id, cities), read_at, card)
            cards[card.id] = card
        return [cards[i] for i in artist_ids if i in cards]


def bearer(headers: dict[bytes, bytes]) -> str | None:
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def query_key(scope: Scope) -> tuple[tuple[str, str], ...]:
    """The query string as a key: parameters in name order, so `?a=1&b=2` and `?b=2&a=1` are one page (the sort is
    stable: a repeated parameter keeps its values' order)."""
    return tuple(sorted(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True),
                        key=lambda kv: kv[0]))


def _matches(if_none_match: bytes | None, etag: bytes) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")}
    return etag in tags or b"*" in tags


class PublicPages:
    """ASGI middleware in front of the routes (a hit runs no dependency, no thread, no query)."""

    def __init__(self, app: ASGIApp, pages: PageCache, logins: SessionCache) -> None:
        self.app = app
        self.pages = pages
        self.logins = logins
        # Pages being read now, by key: the requests for one that arrive meanwhile wait for that answer instead of
        # reading it again (50 viewers of a page whose entry just ran out would otherwise all run its queries).
        self._reading: dict[Key, asyncio.Future[tuple[int, CachedPage] | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        artist = ARTIST_PAGE.match(path)
        if artist is None and path not in (SEARCH, HOME):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        viewer: Viewer = ANYONE
        if artist is not None:
            token = bearer(headers)
            login = self.logins.get(token) if token else None
            if token and login is None:  # who is looking isn't known here: the route decides, nothing is kept
                await self.app(scope, receive, send)
                return
            viewer = login.user_id if login else None
        key: Key = (path, query_key(scope), viewer)
        page = self.pages.get(key)
        if page is None and (reading := self._reading.get(key)) is not None:
            read = await asyncio.shield(reading)
            # Only an answer read after this process's last commit: one begun before it may show what it changed.
            page = read[1] if read is not None and read[0] == local_writes.generation() else None
            if page is None:
                await self.app(scope, receive, send)
                return
        if page is None:
            page = await self._read(scope, receive, send, key)
            if page is None:
                return
        elif artist is not None and viewer != int(artist.group(1)):  # the artist's own look is not interest
            artists.record_view(int(artist.group(1)))
        await self._send(send, page, viewer, headers.get(b"if-none-match"))

    async def _read(self, scope: Scope, receive: Receive, send: Send, key: Key) -> CachedPage | None:
        """`_answer`, with the requests for the same page that arrive meanwhile waiting for it."""
        reading: asyncio.Future[tuple[int, CachedPage] | None] = asyncio.get_running_loop().create_future()
        self._reading[key] = reading
        generation = local_writes.generation()  # before the route reads anything
        page = None
        try:
            page = await self._answer(scope, receive, send, key, generation)
        finally:
            if self._reading.get(key) is reading:
                del self._reading[key]
            reading.set_result((generation, page) if page is not None else None)
        return page

    async def _answer(self, scope: Scope, receive: Receive, send: Send, key: Key, generation: int
                      ) -> CachedPage | None:
        page = await capture(self.app, scope, receive, send)
        if page is not None and len(page.body) <= MAX_BYTES:
            self.pages.put(key, generation, page)
        return page

    @staticmethod
    async def _send(send: Send, page: CachedPage, viewer: Viewer, if_none_match: bytes | None) -> None:
        await send_page(send, page, if_none_match, personal=viewer not in (ANYONE, None), vary=viewer != ANYONE)


async def capture(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> CachedPage | None:
    """Run the route; a 200 answer is returned for keeping and sending, any other is passed on as it is."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        nonlocal start
        if start is None:
            start = message
            if message["status"] != 200:
                await send(message)
            return
        if start["status"] != 200:
            await send(message)
            return
        chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    if start is None or start["status"] != 200:
        return None
    body = b"".join(chunks)
    content_type = dict(start["headers"]).get(b"content-type", b"application/json")
    return CachedPage(body, content_type, b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"')


async def send_page(send: Send, page: CachedPage, if_none_match: bytes | None, *, personal: bool,
                    vary: bool) -> None:
    """The page, or 304 to a client that has its bytes. `personal`: the viewer's own (no shared cache keeps it);
    `vary`: the page depends on who asks."""
    headers = [(b"etag", page.etag), (b"cache-control", b"private, no-cache" if personal else b"no-cache")]
    if vary:
        headers.append((b"vary", b"Authorization"))
    if _matches(if_none_match, page.etag):
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    headers += [(b"content-type", page.content_type), (b"content-length", str(len(page.body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": page.body})


VIEWS_EVERY = 5.0  # seconds


def _write_views(database_url: str) -> None:
    with session_scope(database_url) as session:
        artists.flush_views(session)


async def write_views_now(database_url: str) -> None:
    if artists.has_unwritten_views():
        try:
            await run_in_threadpool(_write_views, database_url)
        except Exception:  # the next round tries again; a view count never stops the API
            log.exception("writing the artist page views kept in memory failed")


async def write_views(database_url: str) -> None:
    """The views counted on pages answered from memory reach the database within VIEWS_EVERY seconds."""
    while True:
        await asyncio.sleep(VIEWS_EVERY)
        await write_views_now(database_url)
