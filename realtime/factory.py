"""The configured fan-out backend (Settings.realtime_backend)."""

from __future__ import annotations

from domain.settings import Settings
from realtime.base import Fanout


def fanout_from_settings(settings: Settings, database_url: str) -> Fanout:
    if settings.realtime_backend == "redis":
        if not settings.redis_url:
            raise RuntimeError("REALTIME_BACKEND=redis needs REDIS_URL")
        from realtime.redis import RedisFanout

        return RedisFanout(settings.redis_url)
    from realtime.pg import PgFanout

    return PgFanout(database_url)
