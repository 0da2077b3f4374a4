"""S3 backend against moto's S3-protocol server on loopback.

moto checks neither query-string signatures nor their expiry (presigned GET), nor POST policy
conditions, and serves unsigned GETs: so what we sign is asserted on the URL / policy document, and the
server-side content check after a direct upload (which real S3 needs anyway) is what rejects oversize and
mistyped files here.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from storage.base import ObjectNotFound
from storage.media import SNIFF_BYTES, MediaKind, MediaRejected, confirm_direct_upload, thumbnail_key
from storage.s3 import S3Storage
from tests.storage.conftest import MP4_HEAD, image_bytes, mp4_file


def test_bucket_is_created_and_objects_round_trip(s3: S3Storage) -> None:
    assert s3.healthy()
    assert s3.client.bucket_exists(s3.bucket)
    key = "private/licences/1/a.png"
    s3.put(key, b"\x89PNG data", "image/png", private=True)
    assert s3.exists(key)
    assert s3.get(key) == b"\x89PNG data"
    assert s3.get(key, length=4) == b"\x89PNG"
    info = s3.stat(key)
    assert (info.size, info.content_type, info.private) == (9, "image/png", True)
    s3.delete(key)
    assert not s3.exists(key)
    with pytest.raises(ObjectNotFound):
        s3.get(key)
    s3.delete(key)


def test_presigned_get_downloads_with_httpx_and_is_short_lived(s3: S3Storage) -> None:
    key = "private/ids/1/front.jpg"
    s3.put(key, b"secret-id-image", "image/jpeg", private=True)
    url = s3.download_url(key, expires=timedelta(seconds=90))
    r = httpx.get(url)
    assert r.status_code == 200 and r.content == b"secret-id-image"
    q = parse_qs(urlsplit(url).query)
    # Signed as of the start of a 15 s window (storage.base.link_window) for 90 s plus that window.
    assert q["X-Amz-Expires"] == ["105"] and q["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert len(q["X-Amz-Signature"][0]) == 64


def _policy(fields: dict[str, str]) -> dict[str, object]:
    return json.loads(base64.b64decode(fields["policy"]))


def _post(target_url: str, fields: dict[str, str], data: bytes, content_type: str) -> httpx.Response:
    return httpx.post(target_url, data=fields, files={"file": ("anything.bin", data, content_type)})


def test_presigned_post_pins_key_type_and_size(s3: S3Storage) -> None:
    target = s3.upload_target("public/cases/1/a.png", "image/png", 1000, expires=timedelta(minutes=5))
    assert target.url.endswith(f"/{s3.bucket}") and target.fields["key"] == "public/cases/1/a.png"
    conditions = _policy(target.fields)["conditions"]
    assert isinstance(conditions, list)
    assert ["eq", "$key", "public/cases/1/a.png"] in conditions
    assert ["eq", "$Content-Type", "image/png"] in conditions
    assert ["content-length-range", 1, 1000] in conditions
    assert ["eq", "$bucket", s3.bucket] in conditions


def test_presigned_post_accepts_a_small_image_and_adds_a_thumbnail(s3: S3Storage) -> None:
    png = image_bytes("PNG", (900, 300))
    target = s3.upload_target("public/cases/2/a.png", "image/png", 10 * 1024 * 1024, expires=timedelta(minutes=5))
    r = _post(target.url, target.fields, png, "image/png")
    assert r.status_code in (200, 201, 204), r.text
    stored = confirm_direct_upload(s3, target.key, allowed=[MediaKind.IMAGE], max_bytes=target.max_bytes)
    assert stored.content_type == "image/png" and stored.size == len(png)
    assert s3.get(target.key) == png
    assert stored.thumbnail_key and s3.get(stored.thumbnail_key)[8:12] == b"WEBP"
    assert (stored.thumbnail_width, stored.thumbnail_height) == (480, 160)


def test_direct_upload_over_the_limit_is_rejected_and_removed(s3: S3Storage) -> None:
    png = image_bytes("PNG", (300, 300))
    target = s3.upload_target("public/cases/3/a.png", "image/png", len(png) - 1, expires=timedelta(minutes=5))
    _post(target.url, target.fields, png, "image/png")
    with pytest.raises(MediaRejected) as err:
        confirm_direct_upload(s3, target.key, allowed=[MediaKind.IMAGE], max_bytes=target.max_bytes)
    assert err.value.status == 413
    assert not s3.exists(target.key) and not s3.exists(thumbnail_key(target.key))


def test_direct_upload_of_the_wrong_type_is_rejected_and_removed(s3: S3Storage) -> None:
    target = s3.upload_target("public/cases/4/a.png", "image/png", 1000, expires=timedelta(minutes=5))
    _post(target.url, target.fields, b"<html>not an image</html>", "image/png")
    with pytest.raises(MediaRejected) as err:
        confirm_direct_upload(s3, target.key, allowed=[MediaKind.IMAGE])
    assert err.value.status == 415 and "不支持的文件类型" in err.value.message
    assert not s3.exists(target.key)
    # A real video where an image was asked for is the wrong type too.
    s3.put("public/cases/4/b.png", MP4_HEAD, "image/png", private=False)
    with pytest.raises(MediaRejected):
        confirm_direct_upload(s3, "public/cases/4/b.png", allowed=[MediaKind.IMAGE])
    assert not s3.exists("public/cases/4/b.png")


def test_unreachable_server_is_unhealthy() -> None:
    down = S3Storage("127.0.0.1:9", "k", "s", "b", secure=False, region="us-east-1", timeout=0.5)
    assert not down.healthy()


def test_links_for_clients_name_the_public_endpoint(s3: S3Storage, moto_endpoint: str) -> None:
    """In compose the API reaches MinIO as minio:9000; browsers can't. Links name the public host and the
    presigner never contacts it (a fixed region), while reads and writes still use the internal endpoint."""
    public = S3Storage(moto_endpoint, "testing", "testing-secret", s3.bucket, secure=False,
                       public_endpoint="https://files.yanyue.invalid")
    key = "private/cases/1/a.jpg"
    public.put(key, b"jpeg-bytes", "image/jpeg", private=True)
    url = urlsplit(public.download_url(key, expires=timedelta(minutes=5)))
    assert (url.scheme, url.netloc, url.path) == ("https", "files.yanyue.invalid", f"/{s3.bucket}/{key}")
    assert "X-Amz-Signature" in parse_qs(url.query)
    target = public.upload_target("private/cases/1/b.jpg", "image/jpeg", 1000, expires=timedelta(minutes=5))
    assert target.url == f"https://files.yanyue.invalid/{s3.bucket}"
    assert _policy(target.fields)["conditions"]
    assert public.get(key) == b"jpeg-bytes"  # the internal endpoint still serves the API itself


def test_put_file_multipart_list_keys_and_content_type(s3: S3Storage, tmp_path: Path) -> None:
    src = mp4_file(tmp_path / "v.mp4", 6 * 1024 * 1024 + 5)  # over 5 MiB: a multipart upload
    with src.open("rb") as fh:
        s3.put_file("private/case_video/1/a.mp4", fh, src.stat().st_size, "application/octet-stream", private=True)
    s3.put("private/case_video/1/a.mp4.thumb.webp", b"t", "image/webp", private=True)
    s3.put("private/case_videos/1/b.mp4", b"b", "video/mp4", private=True)
    keys = dict(s3.list_keys("private/case_video/"))
    assert set(keys) == {"private/case_video/1/a.mp4", "private/case_video/1/a.mp4.thumb.webp"}
    assert all(t.tzinfo is not None and abs((t - datetime.now(UTC)).total_seconds()) < 300 for t in keys.values())
    assert s3.stat("private/case_video/1/a.mp4").size == src.stat().st_size
    s3.set_content_type("private/case_video/1/a.mp4", "video/mp4")
    info = s3.stat("private/case_video/1/a.mp4")
    assert (info.content_type, info.size) == ("video/mp4", src.stat().st_size)
    assert s3.get("private/case_video/1/a.mp4", length=len(MP4_HEAD)) == MP4_HEAD
    with pytest.raises(ObjectNotFound):
        s3.set_content_type("private/case_video/1/missing.mp4", "video/mp4")


def test_confirming_a_direct_video_reads_only_its_head(s3: S3Storage, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    src = mp4_file(tmp_path / "v.mp4", 6 * 1024 * 1024)
    with src.open("rb") as fh:  # as a client's presigned POST would leave it: a generic declared type
        s3.put_file("private/case_video/2/a.mp4", fh, src.stat().st_size, "application/octet-stream", private=True)
    lengths: list[int | None] = []
    real_get = s3.get

    def spy_get(key: str, *, length: int | None = None) -> bytes:
        lengths.append(length)
        return real_get(key, length=length)

    monkeypatch.setattr(s3, "get", spy_get)
    stored = confirm_direct_upload(s3, "private/case_video/2/a.mp4", allowed=[MediaKind.VIDEO])
    assert stored.content_type == "video/mp4" and stored.size == src.stat().st_size and stored.thumbnail_key is None
    assert lengths == [SNIFF_BYTES]  # never the whole 6 MB
    assert s3.stat("private/case_video/2/a.mp4").content_type == "video/mp4"
