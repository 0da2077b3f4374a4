"""Redis pub/sub (production, several API processes): events wait in the session until its transaction commits,
then go out with PUBLISH; every process SUBSCRIBEs on one connection of redis.asyncio."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import redis
import redis.asyncio
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from realtime.base import CHANNEL, Event, Handler, dispatch
from realtime.pg import encode

log = logging.getLogger(__name__)
_PENDING = "realtime_pending"
_HOOKED = "realtime_hooked"
RECONNECT_SECONDS = 1.0


class RedisFanout:
    name = "redis"

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self.url = url
        self.channel = channel
        self._sync = redis.Redis.from_url(url)
        self._handler: Handler | None = None
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def publish(self, session: Session, event: Event) -> None:
        if _PENDING not in session.info:
            session.info[_PENDING] = []
            if not session.info.get(_HOOKED):
                session.info[_HOOKED] = True
                sa_event.listen(session, "after_commit", self._flush)
                sa_event.listen(session, "after_rollback", self._discard)
        session.info[_PENDING].append(encode(event))

    def _flush(self, session: Session) -> None:
        pending: list[str] = session.info.pop(_PENDING, [])
        if not pending:
            return
        try:
            with self._sync.pipeline(transaction=False) as pipe:
                for payload in pending:
                    pipe.publish(self.channel, payload)
                pipe.execute()
        except redis.RedisError as exc:
            # The messages are committed: clients get them on their next sync; only the live push is lost.
            log.warning("realtime: PUBLISH failed (%s)", exc)

    @staticmethod
    def _discard(session: Session) -> None:
        session.info.pop(_PENDING, None)

    async def start(self, handler: Handler) -> None:
        self._handler = handler
        ready = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._run(ready))
        await ready

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self, ready: asyncio.Future[None]) -> None:
        while True:
            client: Any = redis.asyncio.Redis.from_url(self.url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    if not ready.done():
                        ready.set_result(None)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._dispatch(message["data"])
            except redis.RedisError as exc:
                log.warning("realtime: SUBSCRIBE connection lost (%s); reconnecting", exc)
            finally:
                await client.aclose()
            await asyncio.sleep(RECONNECT_SECONDS)

    def _dispatch(self, data: bytes | str) -> None:
        dispatch(self._handler, self._tasks, data)
