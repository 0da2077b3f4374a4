"""Choose the search backend from settings: OpenSearch when OPENSEARCH_URL is set, else PostgreSQL."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.db import get_engine
from domain.settings import Settings
from search.base import ArtistSearch


def artist_search_from_settings(settings: Settings, database_url: str) -> ArtistSearch:
    if settings.opensearch_url:
        from search.opensearch import OpenSearchArtistSearch

        return OpenSearchArtistSearch.from_url(settings.opensearch_url)
    from search.pg import PgArtistSearch

    return PgArtistSearch(get_engine(database_url))


def in_transaction(search: ArtistSearch, session: Session) -> ArtistSearch:
    """The PostgreSQL index is written in the caller's transaction (a change and its index row commit
    together); OpenSearch sits outside any transaction, so `domain.artists.search_sync.sync_artist` queues it
    in the outbox."""
    from search.pg import PgArtistSearch

    return PgArtistSearch(session) if isinstance(search, PgArtistSearch) else search
