"""Removing abandoned uploads in every worker process: a periodic loop that lives exactly as long as the
Temporal worker (a worker plugin, like activities.search's outbox drain).

Nothing is lost if a run is skipped (a deploy, storage or the database briefly away): an orphan simply
waits for the next run. Several workers may run it side by side; deleting a missing object is no error."""

from __future__ import annotations

from datetime import timedelta

from activities.periodic import PeriodicJobPlugin
from domain.db import session_factory
from domain.uploads.cleanup import DEFAULT_OLDER_THAN, remove_orphans
from storage.base import ObjectStorage

CLEANUP_INTERVAL_SECONDS = 600.0


class StorageCleanupPlugin(PeriodicJobPlugin):
    """Runs `domain.uploads.cleanup.remove_orphans` on a thread when the worker starts and every `interval` seconds."""

    def __init__(self, database_url: str, storage: ObjectStorage, interval: float = CLEANUP_INTERVAL_SECONDS,
                 older_than: timedelta = DEFAULT_OLDER_THAN) -> None:
        factory = session_factory(database_url)
        super().__init__("storage cleanup", lambda: remove_orphans(storage, factory, older_than), interval)
