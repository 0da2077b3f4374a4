"""Documents built from the database, the settings switch and the reindex command."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.artists.search_documents import artist_document
from domain.artists.search_sync import sync_artist
from domain.models import User
from domain.settings import Settings
from search import __main__ as cli
from search.factory import artist_search_from_settings
from search.opensearch import OpenSearchArtistSearch
from search.pg import PgArtistSearch, artist_search
from tests.search.conftest import build_catalog


def test_documents_follow_profiles_prices_and_calendar(db: Session) -> None:
    cat = build_catalog(db)
    sun = artist_document(db, cat.ids["孙浩然"])
    assert sun is not None
    assert (sun.price_min, sun.price_max) == (800_000, 2_000_000)  # fen, over the whole price list
    assert sun.verified and sun.artist_types == ("host",) and sun.city == "北京"
    # The profile lists 北京 among its regions too: documents keep only the cities travelled to.
    assert sun.regions == ("上海", "天津")
    assert sun.keywords == ("主持人", "主持", "司仪")
    assert cat.busy_day in sun.unavailable_dates and cat.busy_day + timedelta(days=1) not in sun.unavailable_dates
    chen = artist_document(db, cat.ids["陈默"])
    assert chen is not None and chen.unavailable_dates == (cat.busy_day + timedelta(days=1),)
    summer = artist_document(db, cat.ids["夏夜乐队"])
    assert summer is not None and summer.price_min is None and not summer.verified
    assert artist_document(db, cat.ids["爵士老炮"]) is None  # banned
    assert artist_document(db, 10**9) is None


def test_sync_artist_in_the_callers_transaction(db: Session) -> None:
    cat = build_catalog(db)
    search = PgArtistSearch(db)  # session-bound: the index row commits with the profile change
    sync_artist(search, db, cat.ids["陈默"])
    db.rollback()
    assert db.scalar(select(artist_search.c.artist_id)) is None
    sync_artist(search, db, cat.ids["陈默"])
    db.commit()
    assert db.scalars(select(artist_search.c.artist_id)).all() == [cat.ids["陈默"]]
    db.get_one(User, cat.ids["陈默"]).status = "banned"
    db.flush()
    sync_artist(search, db, cat.ids["陈默"])
    db.commit()
    assert db.scalar(select(artist_search.c.artist_id)) is None


def test_backend_chosen_by_settings(settings: Settings, database_url: str) -> None:
    assert isinstance(artist_search_from_settings(settings, database_url), PgArtistSearch)
    with_os = settings.model_copy(update={"opensearch_url": "http://127.0.0.1:1"})
    assert isinstance(artist_search_from_settings(with_os, database_url), OpenSearchArtistSearch)


def test_reindex_command_rebuilds_from_the_database(db: Session, database_url: str,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cat = build_catalog(db)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("OPENSEARCH_URL", raising=False)
    monkeypatch.setattr(cli, "Settings", lambda: Settings(_env_file=None, database_url=database_url))  # type: ignore[call-arg]
    assert cli.main(["reindex"]) == 0
    assert "reindexed 5 artists" in capsys.readouterr().out
    ids = set(db.scalars(select(artist_search.c.artist_id)))
    assert ids == {v for k, v in cat.ids.items() if k != "爵士老炮"}
