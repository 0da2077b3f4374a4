"""Choose the search backend from settings: OpenSearch when OPENSEARCH_URL is set, else PostgreSQL."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.db import get_engine
from domain.settings import Settings
from search.base import ArtistSearch
from search.documents import artist_document


def artist_search_from_settings(settings: Settings, database_url: str) -> ArtistSearch:
    if settings.opensearch_url:
        from search.opensearch import OpenSearchArtistSearch

        return OpenSearchArtistSearch.from_url(settings.opensearch_url)
    from search.pg import PgArtistSearch

    return PgArtistSearch(get_engine(database_url))


def sync_artist(search: ArtistSearch, session: Session, artist_id: int) -> None:
    """Bring one artist's entry in line with the database (index it, or remove it when banned/gone).
    Call after any profile, price, review, favorite or calendar change of that artist."""
    doc = artist_document(session, artist_id)
    if doc is None:
        search.remove(artist_id)
    else:
        search.index(doc)
