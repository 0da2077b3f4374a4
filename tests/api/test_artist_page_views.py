"""A public artist page view is counted without waiting for the write-ahead log to reach the disk (a count may
lose its last few views in a crash; the page must not wait for the flush holding the artist row's lock)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from domain.artists import service as artists
from domain.models import ArtistProfile
from storage.local import LocalStorage
from tests.factories import artist_row, user_row


def test_a_view_counts_and_its_commit_does_not_wait_for_the_flush(db: Session, tmp_path):
    artist = artist_row(db)
    viewer = user_row(db).id
    db.commit()
    storage = LocalStorage(tmp_path, "test-signing-secret")
    for _ in range(2):
        artists.artist_detail(db, storage, artist, viewer)
        assert db.execute(text("SELECT current_setting('synchronous_commit')")).scalar_one() == "off"
        db.commit()
    assert db.execute(text("SELECT current_setting('synchronous_commit')")).scalar_one() == "on"  # this one only
    profile = db.get(ArtistProfile, artist)
    assert profile is not None
    db.refresh(profile)
    assert profile.view_count == 2


def test_the_artists_own_view_writes_nothing(db: Session, tmp_path):
    artist = artist_row(db)
    db.commit()
    artists.artist_detail(db, LocalStorage(tmp_path, "test-signing-secret"), artist, artist)
    assert db.execute(text("SELECT current_setting('synchronous_commit')")).scalar_one() == "on"
    db.commit()
    profile = db.get(ArtistProfile, artist)
    assert profile is not None
    db.refresh(profile)
    assert profile.view_count == 0
