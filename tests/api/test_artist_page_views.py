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


def test_a_view_never_waits_for_a_row_another_request_holds_and_is_counted_later(db: Session, tmp_path):
    """Many viewers of one artist: each view's request holds the artist's row until it commits. A view that waited
    for it made the thread pool stall once every thread waited (the commits had no thread left to run on)."""
    from sqlalchemy import create_engine

    from domain.db import sqlalchemy_url

    artist = artist_row(db)
    viewer = user_row(db).id
    db.commit()
    storage = LocalStorage(tmp_path, "test-signing-secret")
    other = create_engine(sqlalchemy_url(str(db.get_bind().url.render_as_string(hide_password=False))))
    try:
        with other.connect() as holder:  # another request that counted a view and hasn't committed yet
            holder.execute(text("SELECT 1 FROM artist_profiles WHERE user_id = :a FOR UPDATE"), {"a": artist})
            db.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting would fail the test, not hang it
            for _ in range(3):
                artists.artist_detail(db, storage, artist, viewer)
            db.commit()
            holder.rollback()
    finally:
        other.dispose()
    profile = db.get(ArtistProfile, artist)
    assert profile is not None
    db.refresh(profile)
    assert profile.view_count == 0  # all three kept for later
    artists.artist_detail(db, storage, artist, viewer)
    db.commit()
    db.refresh(profile)
    assert profile.view_count == 4  # the next free view writes them with its own


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


def test_the_page_reads_the_profile_and_the_rating_once_and_both_agree(db: Session, tmp_path):
    from sqlalchemy import event

    from domain.models import Review
    from tests.factories import completed_booking

    artist = artist_row(db)
    for scores in ((5, 5, 4), (4, 3, 5), (3, 4, 4)):
        client = user_row(db).id
        db.add(Review(booking_id=completed_booking(db, client, artist), client_id=client, artist_id=artist,
                      effect_score=scores[0], attitude_score=scores[1], punctuality_score=scores[2]))
    db.commit()
    seen: list[str] = []

    def listen(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(db.get_bind(), "before_cursor_execute", listen)
    try:
        page = artists.artist_detail(db, LocalStorage(tmp_path, "test-signing-secret"), artist)
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listen)
    selects = [s for s in seen if s.startswith("SELECT")]
    assert sum("FROM artist_profiles JOIN users" in s for s in selects) == 1, selects
    assert sum("avg(" in s and "FROM reviews" in s for s in selects) == 1, selects
    # (14 + 12 + 11) / 9 points over 3 reviews
    assert (page.rating, page.review_count) == (4.1, 3)
    assert (page.rating_summary.average, page.rating_summary.count) == (4.1, 3)
    card = artists.cards_for(db, LocalStorage(tmp_path, "test-signing-secret"), [artist])[0]
    assert (card.rating, card.review_count) == (page.rating, page.review_count)


def test_views_of_an_artist_whose_row_is_gone_are_dropped(db: Session):
    """Views served from memory for an artist removed since have nothing to be counted on: kept, they would be
    retried every few seconds for as long as the process lives."""
    artist = artist_row(db)
    db.commit()
    artists.flush_views(db)  # nothing pending from earlier tests
    db.commit()
    artists.record_view(artist)
    db.execute(text("DELETE FROM artist_profiles WHERE user_id = :a"), {"a": artist})
    artists.flush_views(db)
    db.commit()
    assert not artists.has_unwritten_views()
