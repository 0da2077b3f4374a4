"""Choose the search backend from settings: OpenSearch when OPENSEARCH_URL is set, else PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from domain.db import get_engine
from domain.settings import Settings
from search.base import ArtistSearch
from search.documents import artist_document
from search.outbox import mark_dirty


def artist_search_from_settings(settings: Settings, database_url: str) -> ArtistSearch:
    if settings.opensearch_url:
        from search.opensearch import OpenSearchArtistSearch

        return OpenSearchArtistSearch.from_url(settings.opensearch_url)
    from search.pg import PgArtistSearch

    return PgArtistSearch(get_engine(database_url))


def index_writer(search: ArtistSearch) -> Callable[[Session, Iterable[int]], None]:
    """What writes a unit of work's changed artists (domain.artists.changes) when it commits, for the
    configured backend: `domain.artists.changes.on_commit(session, index_writer(search))`."""

    def write(session: Session, artist_ids: Iterable[int]) -> None:
        target = in_transaction(search, session)
        for artist_id in artist_ids:
            sync_artist(target, session, artist_id)

    return write


def sync_artist(search: ArtistSearch, session: Session, artist_id: int) -> None:
    """Bring one artist's entry in line with the database (index it, or remove it when banned/gone), with
    `in_transaction(search, session)`. Services don't call this: they mark the artist changed
    (`domain.artists.changes.artist_changed`) and the commit writes it through `index_writer`.

    PostgreSQL: the index row is written in the caller's transaction. Any other backend (OpenSearch) sits
    outside the transaction: the artist is queued in the search outbox in the caller's session instead,
    and the worker drains the outbox after commit (`search.outbox.drain_outbox`) — nothing is lost while
    the index is down, and a rolled-back change queues nothing."""
    from search.pg import PgArtistSearch

    if not isinstance(search, PgArtistSearch):
        mark_dirty(session, artist_id)
        return
    doc = artist_document(session, artist_id)
    if doc is None:
        search.remove(artist_id)
    else:
        search.index(doc)


def in_transaction(search: ArtistSearch, session: Session) -> ArtistSearch:
    """The PostgreSQL index is written in the caller's transaction (a change and its index row commit
    together); OpenSearch sits outside any transaction, so `sync_artist` queues it in the outbox."""
    from search.pg import PgArtistSearch

    return PgArtistSearch(session) if isinstance(search, PgArtistSearch) else search


def reindex(search: ArtistSearch, session: Session) -> int:
    from search.documents import iter_artist_documents

    return search.reindex_all(iter_artist_documents(session))
