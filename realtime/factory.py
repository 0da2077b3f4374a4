"""The configured fan-out backend (Settings.realtime_backend)."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from domain.settings import Settings
from realtime.base import CHANNEL, Fanout


def fanout_from_settings(settings: Settings, database_url: str) -> Fanout:
    if settings.realtime_backend == "redis":
        if not settings.redis_url:
            raise RuntimeError("REALTIME_BACKEND=redis needs REDIS_URL")
        from realtime.redis import RedisFanout

        # Events name rows of one database: a Redis shared by several deployments (or test runs) keeps them apart.
        database = make_url(database_url).database or "default"
        return RedisFanout(settings.redis_url, channel=f"{CHANNEL}:{database}")
    from realtime.pg import PgFanout

    return PgFanout(database_url)
