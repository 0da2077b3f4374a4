"""Chat delivery benchmark (a script, not a test): how long a chat message takes from the sender's POST to the
receiver's socket on the other API process, with 1,000 sockets connected, next to the same message relayed by a
bare `websockets` server (the floor: what any WebSocket delivery on this machine costs).

    .venv/bin/python bench/chat.py                        # PostgreSQL LISTEN/NOTIFY fan-out, 1,000 sockets
    .venv/bin/python bench/chat.py --backend redis        # Redis pub/sub fan-out (a private redis-server)
    .venv/bin/python bench/chat.py --floor-only           # just the bare WebSocket relay
    .venv/bin/python bench/chat.py --sockets 200 --messages 300 --concurrency 1,16   # smaller

The platform: a throwaway database on the local PostgreSQL (else embedded), migrated; `--sockets`/2 client–artist
pairs made directly in the database (users, profiles, login sessions and their access tokens); two uvicorn API
processes (A, B) on free ports sharing that database and the fan-out backend; every client's socket on A, every
artist's on B; each pair's conversation opened through the API. A message goes from a random pair in a random
direction: the sender POSTs to the process holding its own socket, so the receiver's socket is always on the other
process. Latency = the receiver's socket getting the `message` frame − the start of the POST. At concurrency c,
c senders go at once, each sending its next message once its last one arrived (closed loop); msg/s is the number
of messages over the wall time of that run. lost = not on the receiver's socket within 15 s, dup = a message that
came twice to one socket, failed = a POST that didn't answer 201; after answer = the arrival − the POST's answer
(the fan-out's share; below 0 when the frame beat the answer); server CPU = user + system time of the server
processes (both API processes, or the relay) over the run, per message.

The floor: one `websockets` server process (same uvloop as uvicorn) with the same number of sockets; a sender's
socket sends {"to": receiver, "frame": <a Message-shaped frame with the same text>}, the server parses it and sends
the frame to the receiver and back to the sender (the chat, too, sends each message to both parties). Measured the
same way, from one asyncio client process (uvloop) for both.

Every process it starts has its own process group and is stopped (SIGTERM, then SIGKILL) on exit, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import websockets
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))



DB_NAME = "yy_bench_chat"
V1 = "/api/v1"
LOOPBACK = "127.0.0.1"
SECRETS = ("jwt_secret", "id_encryption_key", "id_hash_key", "storage_signing_secret", "payment_sandbox_secret")
# What a client says in a chat: ordinary booking talk (nothing the contact masking or the content check touches).
TEXT = "您好，年会那天的演出时间和曲目我们再确认一下：开场两首歌，中场互动十分钟，结尾合唱。谢谢！"
ARRIVAL_TIMEOUT = 15.0
T = TypeVar("T")
BACKENDS = {"postgres": "PostgreSQL LISTEN/NOTIFY", "redis": "Redis pub/sub"}


# --- processes


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind((LOOPBACK, 0))
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((LOOPBACK, port)) == 0


class Children:
    """Child processes, each in its own process group; `stop()` ends them all (SIGTERM, then SIGKILL)."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as out:
            proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603
                                    start_new_session=True)
        self.procs[name] = proc
        return proc

    def wait_port(self, name: str, port: int, timeout: float = 60) -> None:
        proc = self.procs[name]
        deadline = time.monotonic() + timeout
        while not port_open(port):
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not listening on {port} after {timeout:.0f} s:\n{self.tail(name)}")
            time.sleep(0.2)

    def tail(self, name: str, chars: int = 3000) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-chars:]

    def cpu_seconds(self, *names: str) -> float:
        """User + system CPU time the named processes (all their threads) have used so far."""
        total = 0
        for name in names:
            fields = Path(f"/proc/{self.procs[name].pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mb(self, name: str) -> float:
        for line in Path(f"/proc/{self.procs[name].pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=10)
            _signal_group(proc, signal.SIGKILL)  # anything else left in its group
        self.procs.clear()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


# --- the platform's side: users, tokens, API processes


@dataclass
class User:
    id: int
    token: str
    role: str  # client | artist
    api: str = ""  # the API process holding this user's socket (and receiving its POSTs)


@dataclass
class Pair:
    client: User
    artist: User
    conversation_id: int = 0


def make_pairs(url: str, data_dir: Path, n: int) -> list[Pair]:
    """n client–artist pairs straight in the database, each user with a login session and its access token."""
    from domain.accounts.sessions import TokenConfig, open_session
    from domain.db import session_scope
    from domain.models import ArtistProfile, ClientProfile
    from domain.models import User as UserRow
    from domain.settings import Settings
    from domain.time import utc_now

    settings = Settings(_env_file=None, data_dir=data_dir, **dict.fromkeys(SECRETS))
    cfg = TokenConfig(settings.secret("jwt_secret"), access_minutes=240, refresh_days=1)
    pairs = []
    with session_scope(url) as session:
        for i in range(n):
            client = UserRow(phone=f"170{i:08d}")
            artist = UserRow(phone=f"171{i:08d}")
            session.add_all([client, artist])
            session.flush()
            session.add(ClientProfile(user_id=client.id, org_name=f"星河文化{i}号", industry="enterprise",
                                      contact_name="王经理", contact_phone=client.phone))
            session.add(ArtistProfile(user_id=artist.id, stage_name=f"林晚{i}", artist_types=["singer"],
                                      styles=["流行"], city="上海", contact_phone=artist.phone, bio="流行歌手",
                                      approved_at=utc_now()))
            session.flush()
            ct = open_session(session, cfg, user=client, acting_role="client").access_token
            at = open_session(session, cfg, user=artist, acting_role="artist").access_token
            pairs.append(Pair(User(client.id, ct, "client"), User(artist.id, at, "artist")))
    return pairs


def api_env(database_url: str, data_dir: Path, backend: str, redis_url: str) -> dict[str, str]:
    from domain.settings import Settings

    # Settings the children must not inherit from this shell: they get exactly what is set here.
    names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env.update(DATA_DIR=str(data_dir), DATABASE_URL=database_url, ALLOW_SANDBOX="true", EMBEDDED_SERVICES="",
               PYTHONUNBUFFERED="1", REALTIME_BACKEND=backend,
               # Chat needs no Temporal: a closed port, so /healthz says so quickly instead of finding another's.
               TEMPORAL_ADDRESS=f"{LOOPBACK}:{free_ports(1)[0]}",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    if backend == "redis":
        env["REDIS_URL"] = redis_url
    return env


def start_redis(children: Children) -> str:
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("--backend redis needs redis-server on PATH, or --redis-url of a Redis to use")
    port = free_ports(1)[0]
    children.spawn("redis", [server, "--port", str(port), "--bind", LOOPBACK, "--save", "",
                             "--appendonly", "no"], dict(os.environ))
    children.wait_port("redis", port, 30)
    return f"redis://{LOOPBACK}:{port}/0"


def start_api(children: Children, name: str, port: int, env: dict[str, str]) -> str:
    children.spawn(name, [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", LOOPBACK,
                          "--port", str(port), "--log-level", "warning", "--no-proxy-headers",
                          # Longer than the pauses between the phases: a pooled connection the server closes just
                          # as the client reuses it is a ReadError that says nothing about chat.
                          "--timeout-keep-alive", "120"], env)
    children.wait_port(name, port, 90)
    base = f"http://{LOOPBACK}:{port}"
    deadline = time.monotonic() + 30
    while True:  # Temporal is deliberately absent (503 "degraded"): the database must be up
        with contextlib.suppress(httpx.HTTPError, ValueError):
            checks = httpx.get(f"{base}/healthz", timeout=5, trust_env=False).json()["checks"]
            if checks["database"]["status"] == "ok":
                return base
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name}: database not healthy:\n{children.tail(name)}")
        time.sleep(0.3)


# --- measuring


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] if xs else float("nan")


@dataclass
class Result:
    label: str
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    after_answer_ms: list[float] = field(default_factory=list)  # arrival − the POST's answer (< 0: arrived first)
    lost: int = 0
    duplicates: int = 0
    failed: int = 0
    seconds: float = 0.0
    server_cpu_s: float = float("nan")  # CPU the server processes used during the run

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else float("nan")

    @property
    def cpu_ms_per_message(self) -> float:
        sent = len(self.latencies_ms) + self.lost
        return self.server_cpu_s * 1000 / sent if sent else float("nan")


class Arrivals:
    """When each message reached its receiver's socket, keyed (receiver, message key); senders wait on it (a frame
    may arrive before the POST that sent it has answered)."""

    def __init__(self) -> None:
        self.times: dict[tuple[int, int], float] = {}
        self.waiters: dict[tuple[int, int], asyncio.Future[float]] = {}
        self.seen: set[tuple[int, int]] = set()
        self.duplicates = 0

    def arrived(self, key: tuple[int, int], at: float) -> None:
        if key in self.seen:  # the same message twice on one socket: counted, not timed again
            self.duplicates += 1
            return
        self.seen.add(key)
        self.times[key] = at
        waiter = self.waiters.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(at)

    async def wait(self, key: tuple[int, int], timeout: float) -> float | None:
        if key in self.times:
            return self.times.pop(key)
        waiter = asyncio.get_running_loop().create_future()
        self.waiters[key] = waiter
        try:
            return await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return None
        finally:
            self.waiters.pop(key, None)
            self.times.pop(key, None)


def message_key(frame: dict[str, Any]) -> tuple[int, int] | None:
    """(sender, message id) of a `message` frame."""
    if frame.get("type") != "message":
        return None
    return int(frame["message"]["sender_id"]), int(frame["message"]["id"])


async def read_frames(ws: ClientConnection, user_id: int, arrivals: Arrivals,
                      samples: list[tuple[int, dict]]) -> None:
    """Records when each message from someone else arrives; the sender's own copy (its other devices) is read and
    dropped."""
    with contextlib.suppress(websockets.ConnectionClosed):
        async for raw in ws:
            at = time.perf_counter()
            frame = json.loads(raw)
            sender_key = message_key(frame)
            if sender_key is not None and sender_key[0] != user_id:
                key = sender_key[1]
                if len(samples) < 100:
                    samples.append((len(raw.encode() if isinstance(raw, str) else raw), frame))
                arrivals.arrived((user_id, key), at)


async def run_load(label: str, concurrency: int, messages: int, pairs: list[Pair],
                   send: Callable[[User, User, Pair, int], Awaitable[tuple[int | None, float]]],
                   arrivals: Arrivals, rng: random.Random, server_cpu: Callable[[], float]) -> Result:
    """`messages` messages, `concurrency` senders at once, each waiting for its last one to arrive."""
    result = Result(label, concurrency)
    todo = iter(range(messages))
    busy: set[int] = set()  # a pair sends one message at a time, as people do

    async def sender() -> None:
        for n in todo:
            pair = rng.choice([p for p in pairs if p.client.id not in busy] or pairs)
            busy.add(pair.client.id)
            src, dst = (pair.client, pair.artist) if rng.random() < 0.5 else (pair.artist, pair.client)
            try:
                start = time.perf_counter()
                key, answered = await send(src, dst, pair, n)
                if key is None:
                    result.failed += 1
                    continue
                result.post_ms.append((answered - start) * 1000)
                at = await arrivals.wait((dst.id, key), ARRIVAL_TIMEOUT)
                if at is None:
                    result.lost += 1
                else:
                    result.latencies_ms.append((at - start) * 1000)
                    result.after_answer_ms.append((at - answered) * 1000)
            finally:
                busy.discard(pair.client.id)

    started, cpu, duplicates = time.perf_counter(), server_cpu(), arrivals.duplicates
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    result.server_cpu_s = server_cpu() - cpu
    result.duplicates = arrivals.duplicates - duplicates
    return result


async def bounded(job: Callable[[T], Awaitable[None]], items: list[T], limit: int) -> None:
    """`job(item)` for every item, at most `limit` at once."""
    sem = asyncio.Semaphore(limit)

    async def one(item: T) -> None:
        async with sem:
            await job(item)

    await asyncio.gather(*(one(i) for i in items))


def message_frame(text: str) -> dict[str, Any]:
    """A `message` frame shaped like the chat API's, for the floor to carry (same payload size)."""
    return {"type": "message", "message": {
        "id": 1234567, "conversation_id": 1234, "seq": 123, "sender_id": 12345, "kind": "text", "text": text,
        "attachment": None, "booking_id": None, "created_at": "2026-12-04T10:00:00.123456Z", "read_by_peer": False}}


# --- the floor: a bare websockets relay


async def floor_server(port: int) -> None:
    from websockets.asyncio.server import ServerConnection, serve

    sockets: dict[int, ServerConnection] = {}

    async def handler(ws: ServerConnection) -> None:
        hello = json.loads(await ws.recv())
        user_id = int(hello["user_id"])
        sockets[user_id] = ws
        await ws.send(json.dumps({"type": "ready", "user_id": user_id}))
        try:
            async for raw in ws:
                msg = json.loads(raw)
                out = json.dumps(msg["frame"], ensure_ascii=False, separators=(",", ":"))  # compact, as the API sends
                peer = sockets.get(int(msg["to"]))
                if peer is not None:
                    await peer.send(out)
                await ws.send(out)  # the sender's copy, as the chat sends each message to both parties
        finally:
            if sockets.get(user_id) is ws:
                del sockets[user_id]

    async with serve(handler, LOOPBACK, port, max_queue=None, ping_interval=None, backlog=2048):
        await asyncio.Future()


async def run_floor(children: Children, pairs: list[Pair], args: argparse.Namespace, env: dict[str, str],
                    template: dict[str, Any], rng: random.Random) -> list[Result]:
    port = free_ports(1)[0]
    children.spawn("floor", [sys.executable, str(Path(__file__).resolve()), "--serve-floor", str(port)], env)
    children.wait_port("floor", port, 30)
    url = f"ws://{LOOPBACK}:{port}"
    arrivals, samples = Arrivals(), list[tuple[int, dict]]()
    sockets: dict[int, ClientConnection] = {}
    users = [u for p in pairs for u in (p.client, p.artist)]

    async def open_one(user: User) -> None:
        ws = await connect(url, max_size=2**20, ping_interval=None, open_timeout=60)
        await ws.send(json.dumps({"user_id": user.id}))
        assert json.loads(await ws.recv())["type"] == "ready"
        sockets[user.id] = ws

    started = time.perf_counter()
    await bounded(open_one, users, 100)
    print(f"floor: {len(sockets)} sockets open in {time.perf_counter() - started:.1f}s, "
          f"server RSS {children.rss_mb('floor'):.0f} MB")
    readers = [asyncio.create_task(read_frames(ws, uid, arrivals, samples)) for uid, ws in sockets.items()]

    ids = itertools.count(1)  # message ids, increasing over every run as the chat's are

    async def send(src: User, dst: User, pair: Pair, n: int) -> tuple[int | None, float]:
        message_id = next(ids)
        frame = {**template, "message": {**template["message"], "id": message_id, "sender_id": src.id}}
        await sockets[src.id].send(json.dumps({"to": dst.id, "frame": frame}, ensure_ascii=False))
        return message_id, time.perf_counter()

    results = []
    cpu = lambda: children.cpu_seconds("floor")  # noqa: E731
    try:
        await run_load("warm-up", 8, 200, pairs, send, arrivals, rng, cpu)
        for c in args.concurrency:
            results.append(await run_load("floor: bare websockets relay", c, args.messages, pairs, send,
                                          arrivals, rng, cpu))
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets.values()), return_exceptions=True)
        await asyncio.gather(*readers, return_exceptions=True)
    print(f"floor frame: {sum(b for b, _ in samples) // max(1, len(samples))} bytes")
    return results


# --- the chat


class ChatMissing(Exception):
    """The chat API or its socket isn't there (yet): what is missing."""


async def run_chat(children: Children, pairs: list[Pair], args: argparse.Namespace, env: dict[str, str],
                   rng: random.Random) -> tuple[list[Result], dict[str, Any]]:
    """The chat's results and one `message` frame as the receiver got it (the floor carries the same)."""
    port_a, port_b = free_ports(2)
    bases = {"A": start_api(children, "api-a", port_a, env), "B": start_api(children, "api-b", port_b, env)}
    pool = max(args.concurrency) + 8
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    http = {name: httpx.AsyncClient(base_url=base, timeout=30, trust_env=False, limits=limits)
            for name, base in bases.items()}
    for pair in pairs:
        pair.client.api, pair.artist.api = "A", "B"
    arrivals, samples = Arrivals(), list[tuple[int, dict]]()
    sockets: dict[int, ClientConnection] = {}
    readers: list[asyncio.Task[None]] = []
    try:
        async def open_conversation(pair: Pair) -> None:
            res = await http["A"].post(f"{V1}/chat/conversations", json={"peer_id": pair.artist.id, "booking_id": None},
                                       headers={"Authorization": f"Bearer {pair.client.token}"})
            if res.status_code in (404, 405):
                raise ChatMissing(f"POST {V1}/chat/conversations answers {res.status_code}: the chat API routes "
                                  "are not there")
            if res.status_code != 200:
                raise ChatMissing(f"POST /api/v1/chat/conversations: {res.status_code} {res.text[:300]}")
            pair.conversation_id = int(res.json()["id"])

        started = time.perf_counter()
        await bounded(open_conversation, pairs, 16)
        print(f"chat: {len(pairs)} conversations opened in {time.perf_counter() - started:.1f}s")

        async def open_one(user: User) -> None:
            url = bases[user.api].replace("http://", "ws://") + f"{V1}/chat/ws"
            try:
                ws = await connect(url, max_size=2**22, open_timeout=60)
            except websockets.InvalidStatus as exc:
                raise ChatMissing(f"GET {V1}/chat/ws: HTTP {exc.response.status_code} (the chat socket is not "
                                  "there)") from exc
            await ws.send(json.dumps({"type": "auth", "token": user.token}))
            ready = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if ready.get("type") != "ready":
                raise ChatMissing(f"chat socket: expected ready, got {ready}")
            await ws.send(json.dumps({"type": "sync", "after_id": 0}))
            while (frame := json.loads(await asyncio.wait_for(ws.recv(), 30))).get("type") != "synced" \
                    or frame.get("more"):
                if frame.get("type") == "synced":
                    await ws.send(json.dumps({"type": "sync", "after_id": frame["last_id"]}))
            sockets[user.id] = ws

        started = time.perf_counter()
        await bounded(open_one, [u for p in pairs for u in (p.client, p.artist)], 50)
        print(f"chat: {len(sockets)} sockets open and synced in {time.perf_counter() - started:.1f}s, "
              f"API RSS A {children.rss_mb('api-a'):.0f} MB, B {children.rss_mb('api-b'):.0f} MB")

        readers += [asyncio.create_task(read_frames(ws, uid, arrivals, samples)) for uid, ws in sockets.items()]

        async def send(src: User, dst: User, pair: Pair, n: int) -> tuple[int | None, float]:
            try:
                res = await http[src.api].post(
                    f"{V1}/chat/conversations/{pair.conversation_id}/messages",
                    headers={"Authorization": f"Bearer {src.token}"},
                    json={"client_msg_id": str(uuid.uuid4()), "kind": "text", "text": TEXT, "upload_id": None,
                          "duration_ms": None, "booking_id": None})
            except httpx.TransportError as exc:
                print(f"  send failed: {type(exc).__name__} {exc}")
                return None, time.perf_counter()
            answered = time.perf_counter()
            if res.status_code != 201:
                if n < 3 or n % 500 == 0:
                    print(f"  send failed: {res.status_code} {res.text[:200]}")
                return None, answered
            return int(res.json()["id"]), answered

        results = []
        cpu = lambda: children.cpu_seconds("api-a", "api-b")  # noqa: E731
        await run_load("warm-up", 8, 200, pairs, send, arrivals, rng, cpu)
        for c in args.concurrency:
            results.append(await run_load(f"chat: 2 API processes, {BACKENDS[args.backend]}", c, args.messages,
                                          pairs, send, arrivals, rng, cpu))
        print(f"chat frame: {sum(b for b, _ in samples) // max(1, len(samples))} bytes; API RSS after the runs: "
              f"A {children.rss_mb('api-a'):.0f} MB, B {children.rss_mb('api-b'):.0f} MB")
        return results, samples[-1][1] if samples else message_frame(TEXT)
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets.values()), return_exceptions=True)
        await asyncio.gather(*readers, return_exceptions=True)
        await asyncio.gather(*(c.aclose() for c in http.values()))


# --- report


def print_table(results: list[Result]) -> None:
    floors = {r.concurrency: r for r in results if r.label.startswith("floor")}
    print("\n| run | c | msgs | p50 ms | p95 ms | p99 ms | max ms | msg/s | POST p50 ms "
          "| after answer p50/p95 ms | server CPU ms/msg | lost/dup/failed | ÷ floor p50 | ÷ floor p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        lat = r.latencies_ms
        floor = floors.get(r.concurrency)
        ratio50 = ratio95 = "—"
        if floor is not None and floor is not r and floor.latencies_ms and lat:
            ratio50 = f"{percentile(lat, 50) / percentile(floor.latencies_ms, 50):.1f}×"
            ratio95 = f"{percentile(lat, 95) / percentile(floor.latencies_ms, 95):.1f}×"
        post = after = "—"
        if r.post_ms and not r.label.startswith("floor"):
            post = f"{percentile(r.post_ms, 50):.2f}"
            after = f"{percentile(r.after_answer_ms, 50):.2f} / {percentile(r.after_answer_ms, 95):.2f}"
        print(f"| {r.label} | {r.concurrency} | {len(lat)} | {percentile(lat, 50):.2f} | {percentile(lat, 95):.2f} "
              f"| {percentile(lat, 99):.2f} | {max(lat, default=float('nan')):.2f} | {r.rate:.0f} | {post} | {after} "
              f"| {r.cpu_ms_per_message:.2f} | {r.lost}/{r.duplicates}/{r.failed} | {ratio50} | {ratio95} |")


def raise_fd_limit(sockets: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = sockets * 2 + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))  # children inherit it too





async def measure(args: argparse.Namespace, children: Children, pairs: list[Pair], env: dict[str, str]) -> int:
    results: list[Result] = []
    template, missing = message_frame(TEXT), None
    if not args.floor_only:
        try:
            results, template = await run_chat(children, pairs, args, env, random.Random(7))
        except ChatMissing as exc:
            missing = str(exc)
        children.stop()  # the API processes are done: the floor runs alone on the machine
    results = await run_floor(children, pairs, args, env, template, random.Random(7)) + results
    print(f"\n{len(pairs) * 2} sockets ({len(pairs)} client–artist pairs), {args.messages} messages per run, "
          f"text {len(TEXT)} characters; latency = receiver's socket − start of the send")
    from bench.common import code_version, machine  # not needed by the floor's child process

    print_table(results)
    print(f"\ncode: {code_version()}")
    print(f"machine: {machine()}; load average at the end {' / '.join(f'{x:.2f}' for x in os.getloadavg())} "
          "(1 / 5 / 15 min)")
    if missing:
        print(f"\nchat not measured: {missing}")
        return 2
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sockets", type=int, default=1000, help="sockets in all (half clients, half artists)")
    parser.add_argument("--messages", type=int, default=2000, help="measured messages per concurrency level")
    parser.add_argument("--concurrency", default="1,8,32",
                        type=lambda s: [int(x) for x in s.split(",")], help="senders at once, comma-separated")
    parser.add_argument("--backend", choices=tuple(BACKENDS), default="postgres",
                        help="the API processes' realtime fan-out (REALTIME_BACKEND)")
    parser.add_argument("--redis-url", help="with --backend redis: this Redis (default: a private redis-server on "
                        "a free port, since the fan-out channel's name is fixed and tests running at the same time "
                        "would hear the benchmark's events)")
    parser.add_argument("--server", 
                        help="PostgreSQL server URL (default: as bench/search.py, the local one, else embedded)")
    parser.add_argument("--floor-only", action="store_true", help="measure only the bare WebSocket relay")
    parser.add_argument("--keep", action="store_true", help=f"keep the {DB_NAME} database afterwards")
    parser.add_argument("--serve-floor", type=int, metavar="PORT", help=argparse.SUPPRESS)  # the floor's child
    args = parser.parse_args()
    import uvloop

    if args.serve_floor:
        uvloop.run(floor_server(args.serve_floor))
        return 0
    # Not needed by the floor's child process above.
    from bench.common import server_url, stopped_on_sigterm
    from devstack.database import drop_database, ensure_database, migrate

    started = time.perf_counter()
    raise_fd_limit(args.sockets)
    work = Path(tempfile.mkdtemp(prefix="yy-bench-chat-"))
    (work / "logs").mkdir()
    children = Children(work / "logs")
    server = ""
    try:
        with stopped_on_sigterm():
            server = server_url(args.server)
            drop_database(server, DB_NAME)
            url = ensure_database(server, DB_NAME)
            migrate(url)
            pairs = make_pairs(url, work / "data", args.sockets // 2)
            print(f"{len(pairs)} pairs in {DB_NAME} ({time.perf_counter() - started:.0f}s so far)")
            redis_url = args.redis_url
            if args.backend == "redis" and not redis_url:
                redis_url = start_redis(children)
            env = api_env(url, work / "data", args.backend, redis_url or "")
            code = uvloop.run(measure(args, children, pairs, env))
    except KeyboardInterrupt:
        print("\ninterrupted: stopping every process started")
        code = 130
    except Exception:
        for name in list(children.procs):
            print(f"----- {name} log -----\n{children.tail(name)}", file=sys.stderr)
        raise
    finally:
        children.stop()
        if server and not args.keep:
            with contextlib.suppress(Exception):
                drop_database(server, DB_NAME)
        shutil.rmtree(work, ignore_errors=True)
    print(f"total run time {time.perf_counter() - started:.0f}s")
    return code


if __name__ == "__main__":
    sys.exit(main())
