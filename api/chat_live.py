"""The chat socket of one API process: its local sockets by user id, fed by the fan-out (realtime/).

Protocol (GET /api/v1/chat/ws):
- client `{"type": "auth", "token": <access token>}` first → `{"type": "ready", "user_id"}`; a bad token closes with
  code 4401.
- client `{"type": "sync", "after_id": <largest message id seen, 0 at first>}` → every message of the user's
  conversations with a larger id as `{"type": "message", "message"}` in id order, at most 500, then
  `{"type": "synced", "last_id", "more"}` (more: sync again from last_id).
- live: `{"type": "message", "message"}` (both parties, the sender's other devices too) and
  `{"type": "read", "conversation_id", "user_id", "seq"}`.
- client `{"type": "ping"}` → `{"type": "pong"}`.

A message reaches a socket at most once: live pushes and sync answers can overlap (a message committed while a
sync runs), so each socket remembers the ids it has sent. Events are delivered in the order the fan-out hands them
over (one queue per process). The login behind a socket is checked again every minute: a logout, a ban or a switch
of role closes it with 4401 (the client logs in or refreshes, reconnects and syncs; nothing is lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from api.context import AppContext
from domain.accounts import sessions
from domain.chat import service
from domain.chat.schemas import MessageOut
from domain.db import session_scope
from domain.errors import AppError
from domain.models import AuthSession, User
from realtime.base import Event

log = logging.getLogger(__name__)
T = TypeVar("T")
AUTH_TIMEOUT_SECONDS = 10
RECHECK_SECONDS = 60.0
CLOSE_UNAUTHORISED = 4401
REMEMBERED_IDS = 5000


@dataclass(frozen=True)
class Login:
    session_id: str
    user_id: int
    role: str | None


class Connection:
    def __init__(self, websocket: WebSocket, login: Login) -> None:
        self.websocket, self.login = websocket, login
        self.user_id, self.role = login.user_id, login.role
        self._sent: set[int] = set()
        self._order: deque[int] = deque()
        self._lock = asyncio.Lock()  # one frame at a time on the socket

    def is_side(self, users: list[int]) -> bool:
        """Whether this socket's user, in its role, is a member of a conversation whose users are
        [client_id, artist_id] (a user can be the client of one conversation and the artist of another)."""
        return len(users) == 2 and ((self.role == "client" and self.user_id == users[0])
                                    or (self.role == "artist" and self.user_id == users[1]))

    async def send(self, frame: dict[str, Any]) -> None:
        async with self._lock:
            if self.websocket.application_state == WebSocketState.CONNECTED:
                await self.websocket.send_json(frame)

    async def send_message(self, message: MessageOut) -> None:
        if message.id in self._sent:
            return
        self._sent.add(message.id)
        self._order.append(message.id)
        if len(self._order) > REMEMBERED_IDS:
            self._sent.discard(self._order.popleft())
        await self.send({"type": "message", "message": message.model_dump(mode="json")})


class ChatHub:
    """The process's sockets by user id. Started with the app (lifespan), or by the first socket."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.sockets: dict[int, set[Connection]] = defaultdict(set)
        self._started = False
        self._lock = asyncio.Lock()
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        async with self._lock:
            if not self._started:
                self._worker = asyncio.create_task(self._deliver_in_order())
                await self.ctx.realtime.start(self.enqueue)
                self._started = True

    async def stop(self) -> None:
        async with self._lock:
            if self._started:
                await self.ctx.realtime.stop()
                if self._worker:
                    self._worker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._worker
                self._started = False

    async def enqueue(self, event: Event) -> None:
        self._events.put_nowait(event)

    async def _deliver_in_order(self) -> None:
        while True:
            event = await self._events.get()
            await self.on_event(event)

    def add(self, conn: Connection) -> None:
        self.sockets[conn.user_id].add(conn)

    def remove(self, conn: Connection) -> None:
        conns = self.sockets.get(conn.user_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self.sockets[conn.user_id]

    async def db(self, work: Callable[..., T], *args: Any) -> T:
        """Run a domain read in a worker thread (the domain is synchronous SQLAlchemy)."""
        def run() -> T:
            with session_scope(self.ctx.database_url) as session:
                return work(session, *args)
        return await asyncio.to_thread(run)

    async def on_event(self, event: Event) -> None:
        users = [int(u) for u in event.get("users", [])]
        targets = [c for u in set(users) for c in list(self.sockets.get(u, ())) if c.is_side(users)]
        if not targets:
            return
        try:
            if event.get("type") == "message":
                rendered: dict[tuple[int, str | None], MessageOut | None] = {}
                for conn in targets:  # one render per reader (masking depends on who reads)
                    key = (conn.user_id, conn.role)
                    if key not in rendered:
                        rendered[key] = await self.db(service.message_for, self.ctx.storage, int(event["id"]),
                                                      conn.user_id, conn.role)
                    message = rendered[key]
                    if message is not None:
                        await _quietly(conn.send_message(message))
            elif event.get("type") == "read":
                frame = {"type": "read", "conversation_id": event["conversation_id"], "user_id": event["user_id"],
                         "seq": event["seq"]}
                for conn in targets:
                    await _quietly(conn.send(frame))
        except Exception:  # one bad event must not stop the fan-out
            log.exception("realtime: delivering %s failed", event.get("type"))

    async def sync(self, conn: Connection, after_id: int) -> None:
        batch = await self.db(service.messages_after, self.ctx.storage, conn.user_id, conn.role, after_id)
        for message in batch:
            await conn.send_message(message)
        last_id = batch[-1].id if batch else after_id
        await conn.send({"type": "synced", "last_id": last_id, "more": len(batch) >= service.SYNC_BATCH})


async def _quietly(send: Any) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await send


def _authenticate(ctx: AppContext, token: str) -> Login | None:
    try:
        with session_scope(ctx.database_url) as session:
            auth = sessions.authenticate(session, ctx.tokens, token)
            return Login(auth.id, auth.user_id, auth.acting_role) if auth.user_id is not None else None
    except AppError:
        return None


def _still_valid(ctx: AppContext, login: Login) -> bool:
    """The login is not revoked (logout, ban), the account not banned, the role the same."""
    with session_scope(ctx.database_url) as session:
        auth = session.get(AuthSession, login.session_id)
        user = session.get(User, login.user_id)
        return (auth is not None and auth.revoked_at is None and auth.acting_role == login.role
                and user is not None and user.status != "banned")


async def _watch_login(hub: ChatHub, conn: Connection) -> None:
    while True:
        await asyncio.sleep(RECHECK_SECONDS)
        if not await asyncio.to_thread(_still_valid, hub.ctx, conn.login):
            with contextlib.suppress(RuntimeError, OSError):
                await conn.websocket.close(code=CLOSE_UNAUTHORISED, reason="login ended")
            return


async def _first_frame(websocket: WebSocket) -> dict[str, Any] | None:
    try:
        frame = await asyncio.wait_for(websocket.receive_json(), AUTH_TIMEOUT_SECONDS)
    except (TimeoutError, ValueError, KeyError):
        return None
    return frame if isinstance(frame, dict) else None


async def serve_socket(websocket: WebSocket) -> None:
    hub: ChatHub = websocket.app.state.chat_hub
    await websocket.accept()
    try:
        first = await _first_frame(websocket)
        token = first.get("token") if first and first.get("type") == "auth" else None
        login = await asyncio.to_thread(_authenticate, hub.ctx, token) if isinstance(token, str) and token else None
        if login is None:
            await websocket.close(code=CLOSE_UNAUTHORISED, reason="unauthorised")
            return
        await hub.start()
        conn = Connection(websocket, login)
        hub.add(conn)
        watch = asyncio.create_task(_watch_login(hub, conn))
        try:
            await conn.send({"type": "ready", "user_id": conn.user_id})
            while True:
                try:
                    frame = await websocket.receive_json()
                except ValueError:
                    await conn.send({"type": "error", "code": "bad_frame", "message": "无法识别的消息"})
                    continue
                kind = frame.get("type") if isinstance(frame, dict) else None
                if kind == "ping":
                    await conn.send({"type": "pong"})
                elif kind == "sync":
                    after_id = frame.get("after_id", 0)
                    if not isinstance(after_id, int) or isinstance(after_id, bool) or not 0 <= after_id < 2**62:
                        await conn.send({"type": "error", "code": "bad_after_id", "message": "after_id 无效"})
                        continue
                    await hub.sync(conn, after_id)
                else:
                    await conn.send({"type": "error", "code": "bad_frame", "message": "无法识别的消息"})
        finally:
            watch.cancel()
            hub.remove(conn)
    except WebSocketDisconnect:
        pass
