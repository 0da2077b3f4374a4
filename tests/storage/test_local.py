from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from storage.base import LinkInvalid, ObjectNotFound, UploadTokenInvalid
from storage.local import DOWNLOAD_PATH, LocalStorage
from tests.storage.conftest import all_files


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
