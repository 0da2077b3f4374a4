"""What a logged-in read costs in queries: the account is read once per request (by the token check), and its
profiles only by a route that uses them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
from sqlalchemy import event
from sqlalchemy.orm import Session

from domain.models import ArtistProfile, Upload
from domain.time import utc_now
from tests.factories import artist_row, insert_booking, user_id
from tests.helpers import V1, bearer, register_artist, register_client


@contextmanager
def statements(db: Session) -> Iterator[list[str]]:
    """SQL run on the app's engine meanwhile (the API under test shares it)."""
    seen: list[str] = []

    def listen(*args: object) -> None:  # (conn, cursor, statement, ...)
        seen.append(str(args[2]))

    event.listen(db.get_bind(), "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listen)


def reads_of(seen: list[str], table: str) -> int:
    return sum(1 for s in seen if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s)


async def test_a_read_looks_up_the_account_once_and_no_profiles(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000301")
    logins = api._transport.app.state.session_cache  # type: ignore[attr-defined]
    for path in ("/notifications", "/bookings", "/notifications/unread-count"):
        logins.clear()  # a session this process hasn't checked yet
        with statements(db) as seen:
            res = await api.get(V1 + path, headers=bearer(client))
        assert res.status_code == 200, (path, res.text)
        assert reads_of(seen, "users") == reads_of(seen, "auth_sessions") == 1, path
        assert reads_of(seen, "client_profiles") == reads_of(seen, "artist_profiles") == 0, (path, seen)
        # Checked a moment ago: the next read takes the session and the account from memory (api/session_cache.py).
        with statements(db) as seen:
            res = await api.get(V1 + path, headers=bearer(client))
        assert res.status_code == 200, (path, res.text)
        assert reads_of(seen, "users") == reads_of(seen, "auth_sessions") == 0, path
        assert reads_of(seen, "client_profiles") == reads_of(seen, "artist_profiles") == 0, (path, seen)


async def test_the_notification_centre_counts_all_and_unread_in_one_query(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000304")
    for unread_only in ("false", "true"):
        with statements(db) as seen:
            res = await api.get(f"{V1}/notifications", headers=bearer(client), params={"unread_only": unread_only})
        assert res.status_code == 200, res.text
        assert reads_of(seen, "notifications") == 2, seen  # the counts, the page


async def test_routes_that_use_the_profiles_still_see_them(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000302", org="回声文化传媒")
    artist = await register_artist(api, "13900000302", name="陈默")
    me = (await api.get(f"{V1}/me", headers=bearer(client))).json()
    assert (me["roles"], me["acting_role"]) == (["client"], "client")
    me = (await api.get(f"{V1}/me", headers=bearer(artist))).json()
    assert (me["roles"], me["acting_role"]) == (["artist"], "artist")
    # The acting role still gates role-only routes both ways.
    assert (await api.get(f"{V1}/favorites/artists", headers=bearer(artist))).status_code == 403
    assert (await api.get(f"{V1}/favorites/artists", headers=bearer(client))).status_code == 200


async def test_a_banned_account_is_still_refused(api: httpx.AsyncClient, db: Session):
    from sqlalchemy import update

    from domain.models import User

    client = await register_client(api, "13800000303")
    db.execute(update(User).where(User.phone == "13800000303").values(status="banned"))
    db.commit()
    res = await api.get(f"{V1}/notifications", headers=bearer(client))
    assert res.status_code == 403, res.text


async def test_a_page_of_bookings_reads_the_artists_profiles_and_avatars_once(api: httpx.AsyncClient, db: Session):
    client = await register_client(api, "13800000305")
    client_id = await user_id(api, client)
    for n, name in enumerate(("林晚晴", "陈默")):
        artist = artist_row(db, stage_name=name)
        if n == 0:  # the first has an avatar
            avatar = Upload(id=str(uuid.uuid4()), user_id=artist, purpose="avatar",
                            object_key=f"public/avatars/{artist}.png", content_type="image/png", size=100)
            db.add(avatar)
            db.flush()
            db.get_one(ArtistProfile, artist).avatar_upload_id = avatar.id
        insert_booking(db, client_id, artist, start=utc_now() + timedelta(days=30 + n))
    db.commit()
    with statements(db) as seen:
        res = await api.get(f"{V1}/bookings", headers=bearer(client))
    assert res.status_code == 200, res.text
    assert [b["artist_name"] for b in res.json()["items"]] == ["林晚晴", "陈默"]
    assert [bool(b["artist_avatar_url"]) for b in res.json()["items"]] == [True, False]
    assert reads_of(seen, "artist_profiles") == 1, seen  # names, avatars and verification together
    assert reads_of(seen, "uploads") == 0, seen  # the avatars' uploads joined to that read
