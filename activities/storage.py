"""Removing abandoned uploads in every worker process: a periodic loop that lives exactly as long as the
Temporal worker (a worker plugin, like activities.search's outbox drain).

Nothing is lost if a run is skipped (a deploy, storage or the database briefly away): an orphan simply
waits for the next run. Several workers run it; one at a time (an advisory lock), the others skip that round."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from activities.periodic import PeriodicJobPlugin
from domain.db import get_engine, session_factory
from domain.uploads.cleanup import DEFAULT_OLDER_THAN, CleanupResult, remove_orphans
from storage.base import ObjectStorage

CLEANUP_INTERVAL_SECONDS = 600.0
# One clean-up at a time across the workers (a PostgreSQL advisory lock): side by side they would list and delete
# the same orphans twice.
CLEANUP_LOCK = "storage-cleanup"


def remove_orphans_once(database_url: str, storage: ObjectStorage, factory: Callable[[], Session],
                        older_than: timedelta) -> CleanupResult | None:
    """`remove_orphans` unless another worker is running it (then None: this round is skipped, the next catches up).
    The lock belongs to a connection of its own, so a worker that dies releases it."""
    key = func.hashtextextended(CLEANUP_LOCK, 0)
    with get_engine(database_url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not conn.scalar(select(func.pg_try_advisory_lock(key))):
            return None
        try:
            return remove_orphans(storage, factory, older_than)
        finally:
            conn.scalar(select(func.pg_advisory_unlock(key)))


class StorageCleanupPlugin(PeriodicJobPlugin):
    """Runs `domain.uploads.cleanup.remove_orphans` on a thread when the worker starts and every `interval` seconds."""

    def __init__(self, database_url: str, storage: ObjectStorage, interval: float = CLEANUP_INTERVAL_SECONDS,
                 older_than: timedelta = DEFAULT_OLDER_THAN) -> None:
        factory = session_factory(database_url)
        super().__init__("storage cleanup", lambda: remove_orphans_once(database_url, storage, factory, older_than),
                         interval)
