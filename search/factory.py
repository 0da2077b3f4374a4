"""Choose the search backend from settings: OpenSearch when OPENSEARCH_URL is set, else PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from domain.db import get_engine
from domain.settings import Settings
from search.base import ArtistSearch


def artist_search_from_settings(settings: Settings, database_url: str,
                                writes_seen: Callable[[], int] | None = None) -> ArtistSearch:
    """`writes_seen`: a number that moves whenever this process commits a write (the API's). Only given it does
    the PostgreSQL backend let counts lag `search_counts_lag_seconds` behind other processes' changes."""
    if settings.opensearch_url:
        from search.opensearch import OpenSearchArtistSearch

        return OpenSearchArtistSearch.from_url(settings.opensearch_url)
    from search.pg import PgArtistSearch

    if writes_seen is None:
        return PgArtistSearch(get_engine(database_url))
    return PgArtistSearch(get_engine(database_url), counts_lag=settings.search_counts_lag_seconds,
                          writes_seen=writes_seen)


def in_transaction(search: ArtistSearch, session: Session) -> ArtistSearch:
    """The PostgreSQL index is written in the caller's transaction (a change and its index row commit
    together); OpenSearch sits outside any transaction, so `domain.artists.search_sync.sync_artist` queues it
    in the outbox."""
    from search.pg import PgArtistSearch

    return PgArtistSearch(session) if isinstance(search, PgArtistSearch) else search
