"""A user's own pages (my bookings, a booking's detail, my notifications) answered from this process's memory while
nothing they show has changed, with an ETag (304 to a client that already has the bytes).

How a change is known, in every process, at once:

- The database says it: triggers on every table these pages read (migrations 0036, 0037) NOTIFY the users whose pages a
  committed write changed (a booking's client and artist), or everyone (a name, an avatar, a setting). Each API
  process LISTENs (realtime/pg.py) and drops what they name. Without that connection (at start-up, after the
  database restarted) nothing is answered from memory, and everything kept before is dropped.
- This process's own commits drop everything at once (api/local_writes.py), so the very next request after an
  action shows it even before its notification has arrived.
- A request that was reading while a change to its user arrived is answered but not kept.
- An entry lives `TTL` seconds at most: a page also shows time (whether the show has started, a deadline, links
  that expire), and a change a trigger doesn't cover then shows within `TTL`.

Who asks is known from api/session_cache.py (a login checked within its TTL); a request whose login isn't known
there, or acting for another artist (X-Artist-Id), reaches the route and isn't kept. Only 200 answers are kept."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from api import local_writes
from api.public_cache import CachedPage, bearer, capture, query_key, send_page
from api.session_cache import SessionCache
from realtime.base import Event
from realtime.pg import PgFanout

CHANNEL = "yanyue_private_pages"  # the triggers' channel (migrations 0036, 0037)
TTL = 5.0  # seconds
MAX_ENTRIES = 1_000  # with MAX_BYTES: 64 MB at the very most, as the public pages
MAX_BYTES = 64 * 1024  # a larger answer is not kept (a booking list page of 20 is ~28 kB)
MAX_USERS_TRACKED = 100_000  # beyond it, what changed is forgotten by dropping everything
V1 = "/api/v1"
PAGES = re.compile(rf"^{V1}/(bookings|bookings/[1-9][0-9]{{0,17}}|notifications)$")
Key = tuple[str, tuple[tuple[str, str], ...], int, str | None]  # path, query, user id, acting role


class Changes:
    """What the triggers said changed, as a sequence number per user. Touched only on the event loop."""

    def __init__(self) -> None:
        self.seq = 0
        self.listening = False
        self._users: dict[int, int] = {}
        self._all = 0

    def unchanged_since(self, user_id: int, seq: int) -> bool:
        """Whether nothing of `user_id`'s changed after `seq` (read before reading the database), as far as is
        known: never while not listening."""
        return self.listening and self._all <= seq and self._users.get(user_id, 0) <= seq

    def user_changed(self, user_id: int) -> None:
        self.seq += 1
        self._users[user_id] = self.seq
        if len(self._users) > MAX_USERS_TRACKED:
            self.all_changed()

    def all_changed(self) -> None:
        self.seq += 1
        self._all = self.seq
        self._users.clear()

    async def on_event(self, event: Event) -> None:
        user_id = event.get("u")
        if isinstance(user_id, int):
            self.user_changed(user_id)
        else:
            self.all_changed()

    def on_listening(self, up: bool) -> None:
        self.all_changed()  # whatever was published while nobody here listened is unknown
        self.listening = up


class PrivatePageCache(local_writes.Fresh[Key, tuple[int, CachedPage]]):
    """Pages with the change sequence number read before the route read them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(TTL, MAX_ENTRIES, clock)
        self.changes = Changes()

    def fanout(self, database_url: str) -> PgFanout:
        """The LISTEN connection that feeds `changes` (started and stopped with the app)."""
        return PgFanout(database_url, CHANNEL, on_listening=self.changes.on_listening)


class PrivatePages:
    """ASGI middleware in front of the routes: a hit runs no dependency, no thread, no query."""

    def __init__(self, app: ASGIApp, pages: PrivatePageCache, logins: SessionCache) -> None:
        self.app, self.pages, self.logins = app, pages, logins
        self.changes = pages.changes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "GET" or not self.changes.listening
                or not PAGES.match(scope["path"])):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        token = bearer(headers)
        login = self.logins.get(token) if token and b"x-artist-id" not in headers else None
        if login is None:
            await self.app(scope, receive, send)
            return
        key: Key = (scope["path"], query_key(scope), login.user_id, login.auth.acting_role)
        kept = self.pages.get(key)
        if kept is not None and self.changes.unchanged_since(login.user_id, kept[0]):
            page = kept[1]
        else:
            seq, generation = self.changes.seq, local_writes.generation()  # before the route reads anything
            read = await capture(self.app, scope, receive, send)
            if read is None:
                return
            page = read
            if len(page.body) <= MAX_BYTES and self.changes.unchanged_since(login.user_id, seq):
                self.pages.put(key, generation, (seq, page))
        await send_page(send, page, headers.get(b"if-none-match"), personal=True, vary=True)
