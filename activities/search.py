"""Draining the search outbox in every worker process: a periodic loop that lives exactly as long as the
Temporal worker (a worker plugin), plus the same drain as an activity for operators and schedules.

Durability comes from the outbox table, not from this loop: a row is deleted only after the index
accepted the document, so a crash, a deploy or an OpenSearch outage only delays indexing. Several workers
drain side by side (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

from temporalio import activity

from activities.periodic import PeriodicJobPlugin
from domain.artists.search_sync import drain_all
from domain.db import session_factory
from search.base import ArtistSearch

DRAIN_INTERVAL_SECONDS = 2.0  # how stale OpenSearch may be after a commit, at most (plus the drain itself)
DRAIN_BATCH = 100


class SearchOutboxActivities:
    def __init__(self, database_url: str, search: ArtistSearch) -> None:
        self.database_url, self.search = database_url, search

    @activity.defn(name="search.drain_outbox")
    def drain_outbox(self, batch: int = DRAIN_BATCH) -> int:
        """Drain the outbox; returns how many artists were written. A failed row stays for the next run."""
        return drain_all(self.search, session_factory(self.database_url), batch).done


class SearchOutboxDrainPlugin(PeriodicJobPlugin):
    """Runs `drain_all` every `interval` seconds on a thread while the worker runs."""

    def __init__(self, database_url: str, search: ArtistSearch, interval: float = DRAIN_INTERVAL_SECONDS) -> None:
        factory = session_factory(database_url)
        super().__init__("search outbox drain", lambda: drain_all(search, factory, DRAIN_BATCH), interval)
