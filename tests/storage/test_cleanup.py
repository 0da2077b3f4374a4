"""Abandoned uploads (an object under an upload prefix with no `uploads` row) are removed once old enough, on
both backends; everything an `uploads` row owns, and anything outside the upload prefixes, stays."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from activities.storage import StorageCleanupPlugin
from domain.db import session_factory
from domain.models import Upload
from domain.settings import Settings
from domain.uploads.cleanup import remove_orphans
from storage.base import ObjectStorage
from storage.local import LocalStorage
from storage.media import thumbnail_key
from tests.factories import user_row


def _id() -> str:
    return uuid.uuid4().hex


def _scene(db: Session, storage: ObjectStorage) -> tuple[set[str], set[str]]:
    """(keys that must stay, keys that are orphans)."""
    uid = user_row(db).id
    known = f"private/case_image/{uid}/{_id()}.png"
    licence = f"private/licence/{uid}/{_id()}.pdf"
    for key, ct in ((known, "image/png"), (licence, "application/pdf")):
        db.add(Upload(id=key.rsplit("/", 1)[1].split(".")[0], user_id=uid, purpose=key.split("/")[1],
                      object_key=key, content_type=ct, size=1))
    db.commit()
    signature = f"private/signatures/9/{uid}/{_id()}.png"  # contract signatures have no uploads row
    orphan_video = f"private/case_video/{uid}/{_id()}.mp4"  # uploaded, never completed
    orphan_thumb = thumbnail_key(f"private/case_image/{uid}/{_id()}.png")
    keep = {known, thumbnail_key(known), licence, signature}
    gone = {orphan_video, orphan_thumb}
    for key in keep | gone:
        storage.put(key, b"x", "application/octet-stream", private=True)
    return keep, gone


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest) -> ObjectStorage:
    storage: ObjectStorage = request.getfixturevalue(request.param)
    return storage


def test_orphans_are_removed_once_old_and_owned_files_stay(backend: ObjectStorage, db: Session,
                                                           database_url: str) -> None:
    keep, gone = _scene(db, backend)
    factory = session_factory(database_url)

    fresh = remove_orphans(backend, factory)  # everything was just uploaded: a client may still complete
    assert fresh.removed == [] and all(backend.exists(k) for k in keep | gone)

    later = datetime.now(UTC) + timedelta(hours=2)
    dry = remove_orphans(backend, factory, now=later, dry_run=True)
    assert set(dry.removed) == gone and all(backend.exists(k) for k in gone)

    result = remove_orphans(backend, factory, now=later)
    assert set(result.removed) == gone
    assert not any(backend.exists(k) for k in gone)
    assert all(backend.exists(k) for k in keep)
    assert remove_orphans(backend, factory, now=later).removed == []  # a second run changes nothing


def test_local_crash_leftovers_are_swept(local: LocalStorage, db: Session, database_url: str) -> None:
    folder = local.root / "private/case_video/1"
    folder.mkdir(parents=True)
    partial = folder / f".{_id()}.mp4.1.2.tmp"
    partial.write_bytes(b"half a video")
    old = datetime.now(UTC).timestamp() - 7200
    os.utime(partial, (old, old))
    result = remove_orphans(local, session_factory(database_url))
    assert result.partials_removed == 1 and not partial.exists()
    assert not (local.root / "private/case_video").exists()  # empty directories go too


async def test_worker_plugin_runs_the_cleanup(local: LocalStorage, db: Session, database_url: str) -> None:
    key = f"private/document/1/{_id()}.pdf"
    local.put(key, b"%PDF-", "application/pdf", private=True)
    path = local.path_for(key)
    old = datetime.now(UTC).timestamp() - 7200
    os.utime(path, (old, old))
    plugin = StorageCleanupPlugin(database_url, local, interval=0.05)

    async def worker_running(_worker: object) -> None:
        for _ in range(200):
            if not local.exists(key):
                return
            await asyncio.sleep(0.02)

    await plugin.run_worker(None, worker_running)  # type: ignore[arg-type]
    assert not local.exists(key)


def test_cleanup_command(settings: Settings, db: Session, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    from storage.__main__ import main
    from storage.factory import storage_from_settings

    monkeypatch.setattr("domain.settings.get_settings", lambda: settings)
    storage = storage_from_settings(settings)
    key = f"private/case_video/1/{_id()}.mp4"
    storage.put(key, b"x", "video/mp4", private=True)
    assert isinstance(storage, LocalStorage)
    path: Path = storage.path_for(key)
    old = datetime.now(UTC).timestamp() - 7200
    os.utime(path, (old, old))

    assert main(["cleanup", "--dry-run"]) == 0
    assert f"would remove {key}" in capsys.readouterr().out and storage.exists(key)
    assert main(["cleanup"]) == 0
    assert f"removed {key}" in capsys.readouterr().out and not storage.exists(key)
    with pytest.raises(SystemExit):
        main(["cleanup", "--older-than-minutes", "5"])
