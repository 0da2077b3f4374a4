"""pg_dump → object storage → restore into a fresh database, on the test server (embedded PostgreSQL 18 unless
DATABASE_URL) and on the machine's PostgreSQL (127.0.0.1:5432, 15 here) when there is one: the tools picked match
each server's major version, every row comes back, a non-empty target is refused, retention removes old dumps."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from devstack.database import drop_database, ensure_database, migrate
from domain.backups import service
from domain.backups.__main__ import main as backups_cli
from domain.backups.errors import RestoreTargetNotEmpty
from domain.backups.messages import PREFIX
from domain.backups.restore import restore
from domain.backups.tools import find_tool, server_major, tool_major
from domain.db import session_factory
from domain.models import Backup, Booking
from domain.time import utc_now
from storage.local import LocalStorage
from tests.factories import artist_row, insert_booking, user_row

MACHINE_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _machine_pg_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False


def _server_of(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def _table_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows in a stable order (the whole content a restore must bring back)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                       "ORDER BY tablename")).scalars().all()
            return {t: [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{t}" ORDER BY 1'))]  # noqa: S608
                    for t in tables}
    finally:
        engine.dispose()


@pytest.fixture(params=["test-server", "machine-pg"])
def source(request: pytest.FixtureRequest, database_url: str) -> Iterator[str]:
    """A migrated database with rows in it: the test database, or a new one on the machine's PostgreSQL."""
    if request.param == "test-server":
        request.getfixturevalue("db")  # emptied tables
        yield database_url
        return
    if os.environ.get("DATABASE_URL") or not _machine_pg_up():
        pytest.skip("no separate machine PostgreSQL on 127.0.0.1:5432")
    name = f"yanyue_bk_src_{os.getpid()}"
    drop_database(MACHINE_PG, name)
    url = ensure_database(MACHINE_PG, name)
    migrate(url)
    yield url
    drop_database(MACHINE_PG, name)


@pytest.fixture
def fresh(source: str) -> Iterator[str]:
    """An empty database on the same server as `source`."""
    server = _server_of(source)
    name = f"yanyue_bk_dst_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = ensure_database(server, name)
    yield url
    create_engine(url).dispose()
    drop_database(server, name)


def _some_rows(url: str) -> tuple[int, int]:
    with session_factory(url)() as s:
        client = user_row(s)
        artist = artist_row(s, stage_name="苏小满 · 民谣")
        s.commit()
        booking = insert_booking(s, client.id, artist, status="CONFIRMED", fee_amount=1_234_500)
        return artist, booking


def test_backup_then_restore_into_a_fresh_database_brings_every_row_back(source: str, fresh: str,
                                                                         tmp_path: Path) -> None:
    major = server_major(source)
    # The tools used are the server's own major version (18 embedded, 15 from Debian's postgresql-client-15).
    assert tool_major(find_tool("pg_dump", major)) == major == tool_major(find_tool("pg_restore", major))
    artist, booking = _some_rows(source)
    storage = LocalStorage(tmp_path / "storage", "secret")

    result = service.take(session_factory(source), source, storage, workflow_id=f"wf-{uuid.uuid4().hex}",
                          trigger="manual", requested_by=None, bin_dir=None)

    assert result.status == "succeeded" and result.key and result.key.startswith(PREFIX)
    dump = storage.get(result.key)
    assert len(dump) == result.size and dump[:5] == b"PGDMP"  # pg_dump's custom format
    with session_factory(source)() as s:
        row = s.scalar(select(Backup).where(Backup.id == result.backup_id))
        assert row is not None and (row.status, row.key, row.sha256) == ("succeeded", result.key, result.sha256)
        assert row.server_version == str(major)
    before = _table_rows(source)

    # Restored through the command, from the key in object storage, with the recorded SHA-256 checked.
    file = tmp_path / Path(result.key).name
    file.write_bytes(dump)
    assert backups_cli(["restore", str(file), "--database-url", fresh, "--sha256", result.sha256 or ""]) == 0

    after = _table_rows(fresh)
    assert sorted(after) == sorted(before) and "bookings" in after
    for table in before:
        if table != "backups":
            assert after[table] == before[table], table
    with session_factory(fresh)() as s:
        restored = s.get_one(Booking, booking)
        assert (restored.artist_id, restored.fee_amount, restored.status) == (artist, 1_234_500, "CONFIRMED")
        assert s.scalar(text("SELECT stage_name FROM artist_profiles WHERE user_id = :a"), {"a": artist}) == \
            "苏小满 · 民谣"
        # The dump was taken while its own row said running: the restore records it as the good backup it is.
        own = s.get_one(Backup, result.backup_id)
        assert (own.status, own.key, own.sha256, own.size) == ("succeeded", result.key, result.sha256, result.size)


def test_a_non_empty_database_is_refused_and_left_alone(source: str, fresh: str, tmp_path: Path) -> None:
    _some_rows(source)
    storage = LocalStorage(tmp_path / "storage", "secret")
    result = service.take(session_factory(source), source, storage, workflow_id=f"wf-{uuid.uuid4().hex}",
                          trigger="schedule", requested_by=None, bin_dir=None)
    assert result.key
    file = tmp_path / "x.dump"
    file.write_bytes(storage.get(result.key))

    # The live database itself.
    before = _table_rows(source)
    with pytest.raises(RestoreTargetNotEmpty):
        restore(file, source)
    assert backups_cli(["restore", str(file), "--database-url", source]) == 3
    assert _table_rows(source) == before

    # A new database someone already put one table in.
    engine = create_engine(fresh, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id int PRIMARY KEY, body text)"))
        conn.execute(text("INSERT INTO notes VALUES (1, '别覆盖我')"))
    with pytest.raises(RestoreTargetNotEmpty) as refused:
        restore(file, fresh)
    assert refused.value.detail["found"] == ["relation public.notes"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT body FROM notes")).scalar_one() == "别覆盖我"
        assert conn.execute(text("SELECT to_regclass('public.bookings')")).scalar() is None
    engine.dispose()

    # A damaged file is refused before anything is loaded.
    assert backups_cli(["restore", str(file), "--database-url", fresh, "--sha256", "0" * 64]) == 1


def _backup(db: Session, storage: LocalStorage, days_ago: float, status: str = "succeeded") -> Backup:
    started = utc_now() - timedelta(days=days_ago)
    row = Backup(workflow_id=f"wf-{uuid.uuid4().hex}", trigger="schedule", status=status, started_at=started)
    db.add(row)
    db.flush()
    if status == "succeeded":
        row.key = service.backup_key(started, row.id)
        storage.put(row.key, b"PGDMP dump", service.CONTENT_TYPE, private=True)
        _age(storage, row.key, started)
        row.size, row.sha256 = 10, "0" * 64
    db.commit()
    return row


def _age(storage: LocalStorage, key: str, when: object) -> None:
    path = storage.root / key
    stamp = when.timestamp()  # type: ignore[attr-defined]
    os.utime(path, (stamp, stamp))


def test_retention_deletes_dumps_older_than_the_setting(db: Session, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "storage", "secret")
    old, older, recent = _backup(db, storage, 15), _backup(db, storage, 30), _backup(db, storage, 1)
    failed = _backup(db, storage, 20, status="failed")
    stuck, current = _backup(db, storage, 1, status="running"), _backup(db, storage, 0.01, status="running")
    orphan = f"{PREFIX}2026/01/yanyue-20260101-030000-999999.dump"  # a dump whose row a restore took away
    storage.put(orphan, b"PGDMP", service.CONTENT_TYPE, private=True)
    _age(storage, orphan, utc_now() - timedelta(days=40))
    fresh_orphan = f"{PREFIX}2026/01/yanyue-20260102-030000-999998.dump"
    storage.put(fresh_orphan, b"PGDMP", service.CONTENT_TYPE, private=True)

    result = service.prune(db, storage, retention_days=14)
    db.commit()

    assert result.expired == 3
    assert not storage.exists(old.key or "") and not storage.exists(older.key or "") and not storage.exists(orphan)
    assert storage.exists(recent.key or "") and storage.exists(fresh_orphan)
    db.expire_all()
    assert [db.get_one(Backup, b.id).status for b in (old, older, recent, failed)] == \
        ["expired", "expired", "succeeded", "failed"]
    assert db.get_one(Backup, old.id).expired_at is not None
    # A run that died a day ago is failed; one started minutes ago is still running.
    assert (db.get_one(Backup, stuck.id).status, db.get_one(Backup, current.id).status) == ("failed", "running")


def test_retention_keeps_the_newest_good_dump_however_old(db: Session, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "storage", "secret")
    oldest, newest = _backup(db, storage, 40), _backup(db, storage, 20)
    _backup(db, storage, 2, status="failed")  # the daily runs have been failing since

    assert service.prune(db, storage, retention_days=14).expired == 1
    db.commit()
    assert not storage.exists(oldest.key or "") and storage.exists(newest.key or "")
    db.expire_all()
    assert db.get_one(Backup, newest.id).status == "succeeded"


class _FullDisk(LocalStorage):
    def put_file(self, *args: object, **kwargs: object) -> None:
        raise OSError("No space left on device")


def test_a_failed_backup_is_recorded_with_its_error(db: Session, database_url: str, tmp_path: Path) -> None:
    storage = _FullDisk(tmp_path / "storage", "secret")
    with pytest.raises(OSError, match="No space left"):
        service.take(session_factory(database_url), database_url, storage, workflow_id="wf-full-disk",
                     trigger="schedule", requested_by=None, bin_dir=None)
    row = db.scalar(select(Backup).where(Backup.workflow_id == "wf-full-disk"))
    assert row is not None and (row.status, row.key) == ("failed", None)
    assert "No space left" in (row.error or "") and row.finished_at is not None
    assert list(storage.list_keys(PREFIX)) == []

    # The activity's retry finishes the same row instead of adding another.
    ok = service.take(session_factory(database_url), database_url, LocalStorage(tmp_path / "storage", "secret"),
                      workflow_id="wf-full-disk", trigger="schedule", requested_by=None, bin_dir=None)
    db.expire_all()
    assert ok.backup_id == row.id and db.get_one(Backup, row.id).status == "succeeded"
    assert db.scalar(select(func.count()).select_from(Backup)) == 1
