"""Uploads and signed downloads through the API with the local-disk backend (a temp dir): intent → upload →
`uploads` row → signed URL → the same bytes back; validation by content; ownership; signatures and expiry."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.db import session_factory
from domain.models import Upload
from domain.uploads.cleanup import remove_orphans
from storage.local import LocalStorage
from storage.media import max_pixels_for
from storage.s3 import S3Storage
from tests.helpers import bearer, register_client
from tests.storage.conftest import (
    MP4_HEAD,
    all_files,
    huge_png,
    image_bytes,
    moto_endpoint,
    mp4_file,
    pdf_bytes,
)

__all__ = ["moto_endpoint"]  # the loopback S3 server fixture, shared with tests/storage

V1 = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def storage(ctx: AppContext, tmp_path: Path) -> LocalStorage:
    local = LocalStorage(tmp_path / "storage", "test-files-secret")
    ctx.storage = local
    return local


async def _intent(api: httpx.AsyncClient, token: str, purpose: str, content_type: str) -> httpx.Response:
    return await api.post(f"{V1}/uploads/intent", headers=bearer(token),
                          json={"purpose": purpose, "content_type": content_type})


async def _upload(api: httpx.AsyncClient, token: str, intent: dict, data: bytes, name: str,
                  declared: str = "application/octet-stream") -> httpx.Response:
    assert intent["url"] == f"{V1}/uploads" and intent["method"] == "POST"
    return await api.post(intent["url"], headers=bearer(token), data=intent["fields"],
                          files={intent["file_field"]: (name, data, declared)})


async def test_intent_upload_row_signed_url_and_download(api: httpx.AsyncClient, db: Session, ctx: AppContext,
                                                         storage: LocalStorage):
    token = await register_client(api, "13700000101")
    png = image_bytes("PNG", (600, 300))
    res = await _intent(api, token, "case_image", "image/png")
    assert res.status_code == 200, res.text
    intent = res.json()
    assert intent["max_bytes"] == 10 * 1024 * 1024 and intent["content_type"] == "image/png"
    assert intent["key"].startswith("private/case_image/") and intent["key"].endswith(".png")

    # The file name says text; the bytes say PNG: judged by content.
    up = await _upload(api, token, intent, png, "notes.txt", "text/plain")
    assert up.status_code == 200, up.text
    body = up.json()
    assert body["upload_id"] == intent["upload_id"] and body["key"] == intent["key"]
    assert body["content_type"] == "image/png" and body["thumbnail_key"] == intent["key"] + ".thumb.webp"
    row = db.get(Upload, body["upload_id"])
    assert row is not None and row.purpose == "case_image" and row.size == len(png)
    assert row.content_type == "image/png" and row.object_key == intent["key"]
    assert storage.exists(body["thumbnail_key"])

    # The same token can't upload twice.
    again = await _upload(api, token, intent, png, "a.png")
    assert again.status_code == 403 and again.json()["code"] == "upload_token_invalid"

    url_res = await api.get(f"{V1}/uploads/{body['upload_id']}/url", headers=bearer(token))
    assert url_res.status_code == 200, url_res.text
    url = url_res.json()["url"]
    assert url.startswith(f"{V1}/files/private/") and url_res.json()["thumbnail_url"]
    got = await api.get(url)  # no bearer token needed: the signature is the permission
    assert got.status_code == 200 and got.content == png
    assert got.headers["content-type"] == "image/png"
    assert got.headers["x-content-type-options"] == "nosniff" and "private" in got.headers["cache-control"]
    thumb = await api.get(url_res.json()["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.content.startswith(b"RIFF")

    # Tampered signature, other key with a valid signature, missing signature: 403 with the error shape.
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    tampered = await api.get(parts.path, params={"exp": q["exp"], "sig": ("0" if q["sig"][0] != "0" else "1")
                                                 + q["sig"][1:]})
    assert tampered.status_code == 403 and tampered.json()["code"] == "link_invalid"
    longer = await api.get(parts.path, params={"exp": str(int(q["exp"]) + 3600), "sig": q["sig"]})
    assert longer.status_code == 403
    other = await api.get(parts.path + ".thumb.webp", params=q)
    assert other.status_code == 403
    bare = await api.get(parts.path)
    assert bare.status_code == 403 and set(bare.json()) == {"code", "message", "detail"}


async def test_expired_link_is_refused(api: httpx.AsyncClient, storage: LocalStorage):
    storage.put("private/document/1/x.pdf", pdf_bytes(), "application/pdf", private=True)
    url = storage.download_url("private/document/1/x.pdf", expires=timedelta(seconds=-1))
    res = await api.get(url)
    assert res.status_code == 403 and res.json()["code"] == "link_invalid"
    ok = await api.get(storage.download_url("private/document/1/x.pdf", expires=timedelta(minutes=1)))
    assert ok.status_code == 200 and ok.headers["content-type"] == "application/pdf"


async def test_rejected_uploads_leave_nothing(api: httpx.AsyncClient, db: Session, storage: LocalStorage):
    token = await register_client(api, "13700000102")
    before = all_files(storage.root) if storage.root.exists() else []

    intent = (await _intent(api, token, "case_image", "image/png")).json()
    fake = await _upload(api, token, intent, b"just some text, not a picture\n" * 10, "photo.png", "image/png")
    assert fake.status_code == 415 and fake.json()["code"] == "unsupported_media_type"
    assert "JPG" in fake.json()["message"]

    big = image_bytes("PNG")
    big += b"\x00" * (10 * 1024 * 1024 + 1 - len(big))
    intent2 = (await _intent(api, token, "case_image", "image/png")).json()
    too_big = await _upload(api, token, intent2, big, "big.png", "image/png")
    assert too_big.status_code == 413 and too_big.json()["code"] == "media_too_large"
    assert "10MB" in too_big.json()["message"]

    # A video where a PDF was announced; a JPEG as a signature (PNG only).
    intent3 = (await _intent(api, token, "document", "application/pdf")).json()
    video = await _upload(api, token, intent3, MP4_HEAD + b"\x00" * 100, "doc.pdf", "application/pdf")
    assert video.status_code == 415
    intent4 = (await _intent(api, token, "signature", "image/png")).json()
    jpeg_sig = await _upload(api, token, intent4, image_bytes("JPEG"), "sig.png", "image/png")
    assert jpeg_sig.status_code == 415 and "PNG" in jpeg_sig.json()["message"]

    after = all_files(storage.root) if storage.root.exists() else []
    assert after == before
    for i in (intent, intent2, intent3, intent4):
        assert not storage.exists(i["key"])
    assert db.scalars(select(Upload)).all() == []


async def test_too_many_pixels_refused_for_every_image_purpose(api: httpx.AsyncClient, db: Session,
                                                               storage: LocalStorage):
    """The issue's 160 KB PNG of 7070×7070 pixels (200 MB decoded) is refused from its header, 422."""
    token = await register_client(api, "13700000110")
    before = all_files(storage.root) if storage.root.exists() else []
    for purpose in ("licence", "signature", "case_image"):
        intent = (await _intent(api, token, purpose, "image/png")).json()
        res = await _upload(api, token, intent, huge_png(), "photo.png", "image/png")
        assert res.status_code == 422 and res.json()["code"] == "image_too_large", res.text
        assert res.json()["message"] == \
            f"图片尺寸过大（最多{max_pixels_for(purpose) // 10_000}万像素，当前7070×7070），请压缩后重新上传"
        assert not storage.exists(intent["key"])
    lic = await api.post(f"{V1}/uploads/licence", headers=bearer(token),
                         files={"file": ("licence.png", huge_png(), "image/png")})
    assert lic.status_code == 422 and lic.json()["message"].startswith("图片尺寸过大（最多4000万像素")
    assert (all_files(storage.root) if storage.root.exists() else []) == before
    assert db.scalars(select(Upload)).all() == []


# Runs in a fresh interpreter so that its peak RSS is this check's alone. Pillow's pixel buffers are allocated
# by its own C code, outside tracemalloc, so the peak RSS is what shows a decode (the old code: +390 MB).
_BOMB_CHILD = """
import json, resource, sys, tempfile, tracemalloc
from pathlib import Path
from domain.uploads.service import store_for_purpose
from storage.local import LocalStorage

data = Path(sys.argv[1]).read_bytes()
storage = LocalStorage(Path(tempfile.mkdtemp()) / "storage", "secret")
rss_peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
before = rss_peak()
tracemalloc.start()
statuses = []
for purpose in sys.argv[2:]:
    try:
        store_for_purpose(storage, data, purpose)
        statuses.append(200)
    except Exception as exc:
        statuses.append(getattr(exc, "status", 500))
print(json.dumps({"statuses": statuses, "rss_growth_mb": rss_peak() - before,
                  "traced_peak_mb": tracemalloc.get_traced_memory()[1] / 2**20}))
"""


def test_refusing_a_pixel_bomb_does_not_decode_it(tmp_path: Path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(huge_png())
    out = subprocess.run([sys.executable, "-c", _BOMB_CHILD, str(bomb), "licence", "signature", "case_image"],  # noqa: S603
                         capture_output=True, text=True, check=True, cwd=ROOT, timeout=120)
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    assert measured["statuses"] == [422, 422, 422]
    assert measured["rss_growth_mb"] < 20, measured
    assert measured["traced_peak_mb"] < 20, measured


async def test_intent_checks_purpose_and_type(api: httpx.AsyncClient, storage: LocalStorage):
    token = await register_client(api, "13700000103")
    assert (await _intent(api, token, "case_video", "video/mp4")).json()["max_bytes"] == 200 * 1024 * 1024
    assert (await _intent(api, token, "document", "application/pdf")).json()["max_bytes"] == 20 * 1024 * 1024
    wrong = await _intent(api, token, "signature", "image/jpeg")
    assert wrong.status_code == 415 and "PNG" in wrong.json()["message"]
    bad = await _intent(api, token, "avatar", "image/png")
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    anon = await api.post(f"{V1}/uploads/intent", json={"purpose": "licence", "content_type": "image/png"})
    assert anon.status_code == 401


async def test_uploads_are_owned(api: httpx.AsyncClient, db: Session, storage: LocalStorage):
    mine = await register_client(api, "13700000104")
    theirs = await register_client(api, "13700000105", org="另一家公司")
    intent = (await _intent(api, mine, "licence", "image/jpeg")).json()
    up = await _upload(api, mine, intent, image_bytes("JPEG"), "licence.jpg", "image/jpeg")
    assert up.status_code == 200, up.text
    upload_id = up.json()["upload_id"]

    other = await api.get(f"{V1}/uploads/{upload_id}/url", headers=bearer(theirs))
    assert other.status_code == 404 and other.json()["code"] == "upload_not_found"
    assert (await api.get(f"{V1}/uploads/{upload_id}/url")).status_code == 401
    # Someone else's upload token is useless: the key names its owner.
    intent2 = (await _intent(api, mine, "licence", "image/png")).json()
    stolen = await _upload(api, theirs, intent2, image_bytes("PNG"), "x.png", "image/png")
    assert stolen.status_code == 403 and not storage.exists(intent2["key"])
    # Nor can they "complete" my key.
    done = await api.post(f"{V1}/uploads/{upload_id}/complete", headers=bearer(theirs), json={"key": intent["key"]})
    assert done.status_code == 404
    # Completing an upload that already has its row just returns it.
    mine_done = await api.post(f"{V1}/uploads/{upload_id}/complete", headers=bearer(mine),
                               json={"key": intent["key"]})
    assert mine_done.status_code == 200 and mine_done.json()["upload_id"] == upload_id


async def test_expired_upload_token_and_licence_route(api: httpx.AsyncClient, db: Session, storage: LocalStorage):
    token = await register_client(api, "13700000106")
    key = f"private/licence/0/{'a' * 32}.png"
    expired = storage.make_upload_token(key, "image/png", 1024, exp=int(time.time()) - 1)
    res = await api.post(f"{V1}/uploads", headers=bearer(token), data={"token": expired},
                         files={"file": ("a.png", image_bytes("PNG"), "image/png")})
    assert res.status_code == 403 and res.json()["code"] == "upload_token_invalid"

    # The mini-program's one-step licence upload shares the same validation and storage.
    webp = image_bytes("WEBP")
    lic = await api.post(f"{V1}/uploads/licence", headers=bearer(token), files={"file": ("licence.bin", webp, "x/y")})
    assert lic.status_code == 200, lic.text
    row = db.get(Upload, lic.json()["upload_id"])
    assert row is not None and row.purpose == "licence" and row.content_type == "image/webp"
    assert storage.get(row.object_key) == webp and row.object_key.startswith("private/licence/")
    url = (await api.get(f"{V1}/uploads/{row.id}/url", headers=bearer(token))).json()["url"]
    assert (await api.get(url)).content == webp


async def test_s3_direct_upload_then_complete(api: httpx.AsyncClient, db: Session, ctx: AppContext,
                                              moto_endpoint: str):
    import uuid

    s3 = S3Storage(moto_endpoint, "testing", "testing-secret", f"t-{uuid.uuid4().hex[:12]}", secure=False,
                   region="us-east-1")
    ctx.storage = s3
    token = await register_client(api, "13700000107")
    # No local upload / download routes when S3 serves files.
    assert (await api.get(f"{V1}/files/private/x.png?exp=1&sig=x")).status_code == 404

    async def direct(purpose: str, content_type: str, data: bytes) -> tuple[dict, httpx.Response]:
        intent = (await _intent(api, token, purpose, content_type)).json()
        assert intent["url"].endswith(f"/{s3.bucket}") and intent["fields"]["key"] == intent["key"]
        posted = httpx.post(intent["url"], data=intent["fields"], files={"file": ("x", data, content_type)})
        assert posted.status_code in (200, 201, 204), posted.text
        done = await api.post(f"{V1}/uploads/{intent['upload_id']}/complete", headers=bearer(token),
                              json={"key": intent["key"]})
        return intent, done

    png = image_bytes("PNG", (300, 200))
    intent, done = await direct("signature", "image/png", png)
    assert done.status_code == 200, done.text
    assert done.json()["thumbnail_key"] and db.get(Upload, intent["upload_id"]) is not None
    url = (await api.get(f"{V1}/uploads/{intent['upload_id']}/url", headers=bearer(token))).json()["url"]
    assert httpx.get(url).content == png

    bad, refused = await direct("document", "application/pdf", b"<html>not a pdf</html>")
    assert refused.status_code == 415 and not s3.exists(bad["key"])
    assert db.get(Upload, bad["upload_id"]) is None
    # Too many pixels: judged from the header once the object is there, then the object is deleted.
    bomb, too_big = await direct("case_image", "image/png", huge_png())
    assert too_big.status_code == 422 and too_big.json()["code"] == "image_too_large"
    assert not s3.exists(bomb["key"]) and db.get(Upload, bomb["upload_id"]) is None


async def test_big_video_upload_is_streamed_and_oversize_refused(api: httpx.AsyncClient, db: Session,
                                                                 storage: LocalStorage, tmp_path: Path):
    token = await register_client(api, "13700000108")
    # Bigger than Starlette's 1 MB in-memory spool: the request file is on disk and copied in chunks.
    video = mp4_file(tmp_path / "clip.mp4", 3 * 1024 * 1024 + 3)
    intent = (await _intent(api, token, "case_video", "video/mp4")).json()
    with video.open("rb") as fh:
        up = await api.post(intent["url"], headers=bearer(token), data=intent["fields"],
                             files={"file": ("clip.mov", fh, "video/quicktime")})
    assert up.status_code == 200, up.text
    assert up.json()["content_type"] == "video/mp4" and up.json()["thumbnail_key"] is None
    row = db.get(Upload, up.json()["upload_id"])
    assert row is not None and row.size == video.stat().st_size
    assert storage.path_for(intent["key"]).read_bytes() == video.read_bytes()

    big = mp4_file(tmp_path / "big.mp4", 200 * 1024 * 1024 + 1)  # sparse: costs no disk to make
    intent2 = (await _intent(api, token, "case_video", "video/mp4")).json()
    with big.open("rb") as fh:
        res = await api.post(intent2["url"], headers=bearer(token), data=intent2["fields"],
                             files={"file": ("big.mp4", fh, "video/mp4")})
    assert res.status_code == 413 and res.json()["message"] == "视频不能超过200MB"
    assert not storage.exists(intent2["key"]) and db.get(Upload, intent2["upload_id"]) is None


async def test_abandoned_direct_upload_is_cleaned_up(api: httpx.AsyncClient, db: Session, ctx: AppContext,
                                                     moto_endpoint: str):
    import uuid

    s3 = S3Storage(moto_endpoint, "testing", "testing-secret", f"t-{uuid.uuid4().hex[:12]}", secure=False,
                   region="us-east-1")
    ctx.storage = s3
    token = await register_client(api, "13700000109")

    async def post(purpose: str, content_type: str, data: bytes) -> dict:
        intent = (await _intent(api, token, purpose, content_type)).json()
        posted = httpx.post(intent["url"], data=intent["fields"], files={"file": ("x", data, content_type)})
        assert posted.status_code in (200, 201, 204), posted.text
        return intent

    done = await post("case_image", "image/png", image_bytes("PNG", (300, 200)))
    assert (await api.post(f"{V1}/uploads/{done['upload_id']}/complete", headers=bearer(token),
                           json={"key": done["key"]})).status_code == 200
    db.commit()  # the request's row, visible to the cleanup's own session
    abandoned = await post("case_video", "video/mp4", MP4_HEAD + b"\0" * 100)  # never completed

    later = datetime.now(UTC) + timedelta(hours=2)
    result = remove_orphans(s3, session_factory(ctx.database_url), now=later)
    assert result.removed == [abandoned["key"]]
    assert s3.exists(done["key"]) and s3.exists(done["key"] + ".thumb.webp")
    late = await api.post(f"{V1}/uploads/{abandoned['upload_id']}/complete", headers=bearer(token),
                          json={"key": abandoned["key"]})
    assert late.status_code == 404 and "重新上传" in late.json()["message"]
