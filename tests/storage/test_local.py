from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from storage.base import LinkInvalid, ObjectNotFound, UploadTokenInvalid
from storage.local import DOWNLOAD_PATH, LocalStorage
from tests.storage.conftest import ReadSpy, all_files, mp4_file


def _split(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    assert parts.path.startswith(DOWNLOAD_PATH)
    q = parse_qs(parts.query)
    return unquote(parts.path[len(DOWNLOAD_PATH):]), q["exp"][0], q["sig"][0]


def test_put_get_stat_delete_round_trip(local: LocalStorage) -> None:
    key = "public/cases/7/a.png"
    local.put(key, b"hello", "image/png", private=False)
    assert local.exists(key)
    assert local.get(key) == b"hello"
    assert local.get(key, length=2) == b"he"
    info = local.stat(key)
    assert (info.size, info.content_type, info.private) == (5, "image/png", False)
    local.delete(key)
    assert not local.exists(key)
    assert all_files(local.root) == []
    local.delete(key)  # deleting twice is fine
    with pytest.raises(ObjectNotFound):
        local.get(key)


@pytest.mark.parametrize("key", ["../etc/passwd", "private/../../x", "/private/a", "other/a", "private/a//b",
                                 "private/", "private/a b"])
def test_keys_cannot_escape_the_root(local: LocalStorage, key: str) -> None:
    with pytest.raises(ValueError):
        local.put(key, b"x", "text/plain", private=key.startswith("private"))


def test_private_flag_must_match_the_key(local: LocalStorage) -> None:
    with pytest.raises(ValueError):
        local.put("public/ids/1.jpg", b"x", "image/jpeg", private=True)
    with pytest.raises(ValueError):
        local.put("private/ids/1.jpg", b"x", "image/jpeg", private=False)


def test_signed_download_url_verifies_and_rejects_tampering(local: LocalStorage) -> None:
    key = "private/ids/9/front.jpg"
    local.put(key, b"id", "image/jpeg", private=True)
    url = local.download_url(key, expires=timedelta(minutes=5))
    got_key, exp, sig = _split(url)
    assert got_key == key
    local.verify_download(got_key, exp, sig)
    bad_sig = ("0" if sig[0] != "0" else "1") + sig[1:]
    for args in [(key, exp, bad_sig), ("private/ids/9/back.jpg", exp, sig), (key, str(int(exp) + 3600), sig),
                 (key, "soon", sig)]:
        with pytest.raises(LinkInvalid):
            local.verify_download(*args)
    # Another instance with a different secret cannot vouch for this link.
    with pytest.raises(LinkInvalid):
        LocalStorage(local.root, "other-secret").verify_download(key, exp, sig)


def test_signed_download_url_expires(local: LocalStorage) -> None:
    url = local.download_url("public/a.png", expires=timedelta(seconds=-1))
    with pytest.raises(LinkInvalid) as err:
        local.verify_download(*_split(url))
    assert err.value.status == 403


def test_upload_token_round_trip_and_tampering(local: LocalStorage) -> None:
    target = local.upload_target("private/licences/3/x.pdf", "application/pdf", 1234, expires=timedelta(minutes=10))
    assert target.url == "/api/v1/uploads" and target.method == "POST"
    token = target.fields["token"]
    assert local.verify_upload_token(token) == ("private/licences/3/x.pdf", "application/pdf", 1234)
    version, payload, sig = token.split(".")
    forged = local.make_upload_token("private/licences/3/x.pdf", "application/pdf", 10**9, exp=int(time.time()) + 60)
    for bad in [f"{version}.{forged.split('.')[1]}.{sig}", "garbage", f"v2.{payload}.{sig}", token + "x", "a.b.c"]:
        with pytest.raises(UploadTokenInvalid):
            local.verify_upload_token(bad)
    with pytest.raises(UploadTokenInvalid):
        LocalStorage(local.root, "other-secret").verify_upload_token(token)
    # Download signatures and upload tokens use separate keys.
    expired = local.make_upload_token("public/a.png", "image/png", 10, exp=int(time.time()) - 1)
    with pytest.raises(UploadTokenInvalid):
        local.verify_upload_token(expired)


def test_healthy_false_when_root_unusable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    assert not LocalStorage(blocker / "storage").healthy()


def test_put_file_copies_in_chunks(local: LocalStorage, tmp_path: Path) -> None:
    src = mp4_file(tmp_path / "v.mp4", 5 * 1024 * 1024 + 7)
    with src.open("rb") as fh:
        spy = ReadSpy(fh)
        local.put_file("private/case_video/1/a.mp4", spy, src.stat().st_size, "video/mp4", private=True)  # type: ignore[arg-type]
    assert max(spy.reads) <= 1024 * 1024  # never the whole file at once
    assert local.path_for("private/case_video/1/a.mp4").read_bytes() == src.read_bytes()
    assert local.stat("private/case_video/1/a.mp4").content_type == "video/mp4"


def test_put_file_that_fails_part_way_leaves_nothing(local: LocalStorage) -> None:
    with pytest.raises(OSError):  # the stream ends before the announced size
        local.put_file("private/case_video/1/a.mp4", io.BytesIO(b"x" * 100), 200, "video/mp4", private=True)
    assert not local.exists("private/case_video/1/a.mp4")
    assert list(local.root.rglob("*")) == []  # no temp file, not even an empty directory


def test_list_keys_and_set_content_type(local: LocalStorage) -> None:
    local.put("private/licence/1/a.png", b"a", "application/octet-stream", private=True)
    local.put("private/licence/1/a.png.thumb.webp", b"t", "image/webp", private=True)
    local.put("private/licences/1/b.png", b"b", "image/png", private=True)
    keys = dict(local.list_keys("private/licence/"))
    assert set(keys) == {"private/licence/1/a.png", "private/licence/1/a.png.thumb.webp"}  # no meta files
    assert all(abs((t - datetime.now(UTC)).total_seconds()) < 60 for t in keys.values())
    assert list(local.list_keys("private/nothing/")) == []
    local.set_content_type("private/licence/1/a.png", "image/png")
    assert local.stat("private/licence/1/a.png").content_type == "image/png"
    assert local.get("private/licence/1/a.png") == b"a"
    with pytest.raises(ObjectNotFound):
        local.set_content_type("private/licence/1/zzz.png", "image/png")


def test_remove_partials_sweeps_old_temp_and_lone_metadata(local: LocalStorage) -> None:
    local.put("private/document/1/keep.pdf", b"%PDF-", "application/pdf", private=True)
    folder = local.root / "private/document/1"
    crashed = folder / ".x.pdf.123.456.tmp"
    crashed.write_bytes(b"half")
    lone_meta = folder / "gone.pdf.meta.json"
    lone_meta.write_text("{}")
    fresh = folder / ".y.pdf.123.789.tmp"
    fresh.write_bytes(b"being written")
    old = time.time() - 7200
    for p in (crashed, lone_meta):
        os.utime(p, (old, old))
    assert local.remove_partials("private/document/", datetime.now(UTC) - timedelta(hours=1)) == 2
    assert not crashed.exists() and not lone_meta.exists() and fresh.exists()
    assert local.get("private/document/1/keep.pdf") == b"%PDF-"
