"""The chat socket across API processes: two uvicorn processes on the test database, WebSocket clients on each.

A message posted to one process reaches sockets on the other (the peer, and the sender's other device) for both
fan-out backends: PostgreSQL LISTEN/NOTIFY and Redis pub/sub. A client that was away gets exactly what it missed on
`sync`; a third user's socket hears nothing of others' conversations; a bad token is refused with 4401."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from domain.settings import ROOT, Settings
from realtime.base import CHANNEL
from tests.factories import user_id
from tests.helpers import V1, bearer, register_artist, register_client

WAIT = 10.0  # seconds a frame may take to arrive (it takes milliseconds; a loaded machine is slower)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@dataclass
class Process:
    url: str
    proc: subprocess.Popen[bytes]
    backend: str


def _start(settings: Settings, backend: str, log: Path) -> Process:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": str(settings.database_url), "DATA_DIR": str(settings.data_dir),
           "JWT_SECRET": str(settings.jwt_secret), "ID_ENCRYPTION_KEY": str(settings.id_encryption_key),
           "ID_HASH_KEY": str(settings.id_hash_key), "ALLOW_SANDBOX": "true", "REALTIME_BACKEND": backend,
           "REDIS_URL": REDIS_URL, "TEMPORAL_ADDRESS": "127.0.0.1:1"}
    out = log.open("wb")
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1", "--port",
         str(port), "--no-access-log"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"API process exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/meta/options", timeout=1).status_code == 200:
                return Process(f"http://127.0.0.1:{port}", proc, backend)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"API process did not start: {log.read_text(errors='replace')[-3000:]}")


def _stop(p: Process) -> None:
    p.proc.terminate()
    try:
        p.proc.wait(10)
    except subprocess.TimeoutExpired:
        p.proc.kill()
        p.proc.wait()


@pytest.fixture(params=["postgres", "redis"])
def processes(request: pytest.FixtureRequest, settings: Settings, db: Any,
              tmp_path: Path) -> Iterator[tuple[Process, Process]]:
    backend = request.param
    if backend == "redis" and not _redis_up():
        pytest.skip(f"no Redis at {REDIS_URL}")
    a = _start(settings, backend, tmp_path / "api-a.log")
    try:
        b = _start(settings, backend, tmp_path / "api-b.log")
    except BaseException:
        _stop(a)
        raise
    yield a, b
    _stop(a)
    _stop(b)


class Socket:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = WAIT) -> dict[str, Any]:
        return dict(json.loads(await asyncio.wait_for(self.ws.recv(), timeout)))

    async def until(self, kind: str, timeout: float = WAIT) -> dict[str, Any]:
        """The next frame of `kind`, failing on any message frame before it (nothing unexpected may arrive)."""
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == kind:
                return frame
            assert frame["type"] not in ("message",), f"unexpected {frame} before {kind}"

    async def silent(self, seconds: float = 1.0) -> None:
        """Nothing arrives for a while (ping/pong aside)."""
        try:
            frame = await self.recv(seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected frame {frame}")

    async def sync(self, after_id: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        await self.send({"type": "sync", "after_id": after_id})
        got: list[dict[str, Any]] = []
        while True:
            frame = await self.recv()
            if frame["type"] == "synced":
                return got, frame
            assert frame["type"] == "message", frame
            got.append(frame["message"])


def _ws_url(p: Process) -> str:
    return p.url.replace("http://", "ws://") + "/api/v1/chat/ws"


@asynccontextmanager
async def socket_on(p: Process, token: str) -> AsyncIterator[Socket]:
    async with connect(_ws_url(p), open_timeout=WAIT) as ws:
        s = Socket(ws)
        await s.send({"type": "auth", "token": token})
        ready = await s.recv()
        assert ready["type"] == "ready", ready
        yield s


@dataclass
class Pair:
    client: str
    artist: str
    client_id: int
    artist_id: int
    conv: int


async def _pair(api: httpx.AsyncClient) -> Pair:
    client = await register_client(api, "13800001001")
    artist = await register_artist(api, "13900001001")
    client_id, artist_id = await user_id(api, client), await user_id(api, artist)
    res = await api.post(f"{V1}/chat/conversations", headers=bearer(client), json={"peer_id": artist_id})
    assert res.status_code == 200, res.text
    return Pair(client, artist, client_id, artist_id, res.json()["id"])


async def _post(p: Process, token: str, conv: int, text: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=p.url, timeout=WAIT) as http:
        res = await http.post(f"/api/v1/chat/conversations/{conv}/messages", headers=bearer(token),
                              json={"client_msg_id": str(uuid.uuid4()), "kind": "text", "text": text})
    assert res.status_code == 201, res.text
    return dict(res.json())


def _subscribers(backend: str, settings: Settings, db: Session) -> int:
    """How many processes listen on the configured backend (proof the test runs the backend it names)."""
    if backend == "redis":
        channel = f"{CHANNEL}:{make_url(str(settings.database_url)).database}"
        return int(dict(redis.Redis.from_url(REDIS_URL).pubsub_numsub(channel))[channel.encode()])
    return int(db.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                              "AND query = :q"), {"q": f'LISTEN "{CHANNEL}"'}) or 0)


async def test_a_message_posted_to_one_process_reaches_sockets_on_the_other(
        api: httpx.AsyncClient, processes: tuple[Process, Process], settings: Settings, db: Session) -> None:
    a, b = processes
    pair = await _pair(api)
    async with socket_on(b, pair.artist) as artist, socket_on(b, pair.client) as client_phone, \
            socket_on(a, pair.client) as client_pc:
        for s in (artist, client_phone, client_pc):
            assert (await s.sync(0))[0] == []
        assert _subscribers(a.backend, settings, db) == 2
        started = time.monotonic()
        sent = await _post(a, pair.client, pair.conv, "晚上八点开始，可以吗？")
        got = (await artist.until("message"))["message"]
        elapsed = time.monotonic() - started
        assert got["id"] == sent["id"] and got["text"] == "晚上八点开始，可以吗？" and got["seq"] == 1
        assert (await client_phone.until("message"))["message"]["id"] == sent["id"]  # the sender's other device
        assert (await client_pc.until("message"))["message"]["id"] == sent["id"]
        assert elapsed < WAIT
        # A read cursor moved through process B reaches the client's socket on process A.
        async with httpx.AsyncClient(base_url=b.url) as http:
            res = await http.post(f"/api/v1/chat/conversations/{pair.conv}/read", headers=bearer(pair.artist),
                                  json={"seq": 1})
            assert res.status_code == 204
        read = await client_pc.until("read")
        assert read == {"type": "read", "conversation_id": pair.conv, "user_id": pair.artist_id, "seq": 1}
        # Each message once per socket.
        await artist.send({"type": "ping"})
        assert (await artist.recv())["type"] in ("pong", "read")


async def test_a_client_that_reconnects_gets_exactly_what_it_missed(
        api: httpx.AsyncClient, processes: tuple[Process, Process]) -> None:
    a, b = processes
    pair = await _pair(api)
    async with socket_on(b, pair.artist) as artist:
        await artist.sync(0)
        first = await _post(a, pair.client, pair.conv, "第一条")
        seen = (await artist.until("message"))["message"]["id"]
        assert seen == first["id"]
    missed = [await _post(a if i % 2 else b, pair.client, pair.conv, f"离线消息{i}") for i in range(5)]
    missed.append(await _post(b, pair.artist, pair.conv, "我从另一台手机回复"))  # the artist's other device
    async with socket_on(a, pair.artist) as artist:
        got, synced = await artist.sync(seen)
        assert [m["id"] for m in got] == [m["id"] for m in missed]
        assert synced == {"type": "synced", "last_id": missed[-1]["id"], "more": False}
        await artist.silent(1.0)  # nothing twice
        live = await _post(b, pair.client, pair.conv, "又来一条")
        assert (await artist.until("message"))["message"]["id"] == live["id"]
        again, synced = await artist.sync(live["id"])
        assert again == [] and synced["last_id"] == live["id"]


async def test_nobody_else_hears_a_conversation(api: httpx.AsyncClient, processes: tuple[Process, Process]) -> None:
    a, b = processes
    pair = await _pair(api)
    await _post(a, pair.client, pair.conv, "私下的话 13812345678")
    stranger = await register_client(api, "13800001009", org="旁人公司")
    # The artist's account acting as a client is a different party: it hears nothing of its artist chats either.
    async with socket_on(b, stranger) as other:
        got, synced = await other.sync(0)
        assert got == [] and synced["more"] is False
        await _post(a, pair.client, pair.conv, "还是私下的话")
        await other.silent(1.5)
    async with connect(_ws_url(b), open_timeout=WAIT) as ws:
        await ws.send(json.dumps({"type": "auth", "token": "not-a-token"}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), WAIT)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    async with connect(_ws_url(b), open_timeout=WAIT) as ws:
        await ws.send(json.dumps({"type": "sync", "after_id": 0}))  # no auth first
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), WAIT)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    # The peer's socket gets the other side's text masked (no confirmed booking), like the REST view.
    async with socket_on(a, pair.artist) as artist:
        got, _ = await artist.sync(0)
        assert [m["text"] for m in got] == ["私下的话 138****5678", "还是私下的话"]
