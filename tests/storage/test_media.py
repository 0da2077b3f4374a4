from __future__ import annotations

import io
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from domain.errors import AppError
from domain.settings import Settings
from storage.factory import storage_from_settings
from storage.local import LocalStorage
from storage.media import (
    JPEG,
    MB,
    MP4,
    PDF,
    PNG,
    SNIFF_BYTES,
    UPLOAD_MAX_PIXELS,
    UPLOAD_PURPOSES,
    WEBP,
    ImageTooLarge,
    MediaKind,
    MediaRejected,
    limit_concurrent_decodes,
    make_thumbnail,
    max_pixels_for,
    sniff,
    store_media,
    validate,
)
from storage.s3 import S3Storage
from tests.storage.conftest import (
    MP4_HEAD,
    ReadSpy,
    all_files,
    huge_png,
    image_bytes,
    mp4_file,
    pdf_bytes,
    png_claiming,
)


def test_type_is_judged_by_content_not_name(local: LocalStorage) -> None:
    png = image_bytes("PNG")
    assert sniff(png) is PNG
    assert sniff(image_bytes("JPEG")) is JPEG
    assert sniff(image_bytes("WEBP")) is WEBP
    # Uploaded as "photo.jpg": the name plays no part, the bytes say PNG.
    stored = store_media(local, png, prefix="cases/1", private=False)
    assert stored.content_type == "image/png" and stored.key.endswith(".png")


def test_text_named_png_is_rejected_and_nothing_written(local: LocalStorage) -> None:
    with pytest.raises(MediaRejected) as err:
        store_media(local, b"just some text, honestly", prefix="cases/1", private=False)
    assert isinstance(err.value, AppError)
    assert err.value.status == 415 and err.value.message.startswith("不支持的文件类型")
    assert all_files(local.root) == []


def test_corrupt_image_with_valid_magic_is_rejected(local: LocalStorage) -> None:
    with pytest.raises(MediaRejected) as err:
        store_media(local, image_bytes("PNG")[:40], prefix="cases/1", private=False)
    assert err.value.status == 415
    assert all_files(local.root) == []


def test_oversize_image_rejected_without_writing(local: LocalStorage) -> None:
    data = image_bytes("JPEG") + b"\0" * (10 * MB)
    with pytest.raises(MediaRejected) as err:
        store_media(local, data, prefix="cases/1", private=False)
    assert err.value.status == 413 and err.value.message == "图片不能超过10MB"
    assert all_files(local.root) == []


def test_size_limits_per_kind() -> None:
    assert validate(MP4_HEAD, 200 * MB) is MP4
    with pytest.raises(MediaRejected) as err:
        validate(MP4_HEAD, 200 * MB + 1)
    assert err.value.status == 413 and "视频" in err.value.message
    assert validate(b"%PDF-1.7\n", 20 * MB) is PDF
    with pytest.raises(MediaRejected):
        validate(b"%PDF-1.7\n", 20 * MB + 1)
    with pytest.raises(MediaRejected) as err:
        validate(b"%PDF-1.7\n", 100, [MediaKind.IMAGE])
    assert err.value.status == 415


def test_real_mp4_header_accepted_and_lookalikes_rejected(local: LocalStorage) -> None:
    stored = store_media(local, MP4_HEAD + b"\0" * 100, prefix="cases/2", private=False, allowed=[MediaKind.VIDEO])
    assert stored.content_type == "video/mp4" and stored.thumbnail_key is None
    assert local.get(stored.key).startswith(MP4_HEAD)

    def ftyp(major: bytes, *compat: bytes) -> bytes:
        body = major + b"\0\0\0\0" + b"".join(compat)
        return struct.pack(">I", 8 + len(body)) + b"ftyp" + body

    assert sniff(ftyp(b"mp42", b"mp42", b"isom")) is MP4
    assert sniff(ftyp(b"qt  ", b"qt  ")) is None  # QuickTime .mov
    assert sniff(ftyp(b"heic", b"mif1", b"heic")) is None  # iPhone photo
    assert sniff(b"\0\0\0\x20moovisom" + b"\0" * 20) is None


def test_pdf_accepted(local: LocalStorage) -> None:
    pdf = pdf_bytes()
    stored = store_media(local, pdf, prefix="licences/3", private=True, allowed=[MediaKind.DOCUMENT])
    assert stored.key.startswith("private/licences/3/") and stored.key.endswith(".pdf")
    assert stored.content_type == "application/pdf" and local.get(stored.key) == pdf


def test_image_store_writes_original_and_thumbnail(local: LocalStorage) -> None:
    stored = store_media(local, image_bytes("JPEG", (1200, 800)), prefix="cases/4", private=False)
    assert stored.thumbnail_key == stored.key + ".thumb.webp"
    with Image.open(io.BytesIO(local.get(stored.thumbnail_key))) as thumb:
        assert thumb.format == "WEBP" and thumb.size == (480, 320)
    assert local.stat(stored.thumbnail_key).content_type == "image/webp"


def test_thumbnail_applies_exif_orientation() -> None:
    # Orientation 6 = camera held upright, pixels stored rotated: a 200x100 sensor image displays 100x200.
    thumb = make_thumbnail(image_bytes("JPEG", (200, 100), exif_orientation=6), max_side=50)
    assert (thumb.width, thumb.height) == (25, 50)
    with Image.open(io.BytesIO(thumb.data)) as img:
        assert img.size == (25, 50)
        assert not img.getexif()  # no metadata (GPS etc.) carried into the thumbnail


def test_thumbnail_keeps_transparency_and_small_images_are_not_upscaled() -> None:
    buf = io.BytesIO()
    Image.new("RGBA", (40, 30), (200, 30, 30, 100)).save(buf, "PNG")
    thumb = make_thumbnail(buf.getvalue())
    assert (thumb.width, thumb.height) == (40, 30)
    with Image.open(io.BytesIO(thumb.data)) as img:
        assert img.mode == "RGBA"


def test_decompression_bomb_is_refused_cheaply(local: LocalStorage) -> None:
    # A small PNG whose header claims 100000 x 100000 pixels (Pillow's own guard stops it at open).
    with pytest.raises(ImageTooLarge) as err:
        store_media(local, png_claiming(100_000, 100_000), prefix="cases/5", private=False)
    assert err.value.status == 422 and err.value.message.startswith("图片尺寸过大")
    assert all_files(local.root) == []


@pytest.mark.parametrize("purpose", sorted(UPLOAD_MAX_PIXELS))
def test_image_over_its_purpose_cap_is_refused_and_nothing_stored(local: LocalStorage, purpose: str) -> None:
    with pytest.raises(ImageTooLarge) as err:
        store_media(local, huge_png(), prefix=purpose, private=True, max_pixels=max_pixels_for(purpose))
    cap = max_pixels_for(purpose)
    assert err.value.status == 422 and err.value.code == "image_too_large"
    assert err.value.message == f"图片尺寸过大（最多{cap // 10_000}万像素，当前7070×7070），请压缩后重新上传"
    assert err.value.detail == {"max_pixels": cap, "width": 7070, "height": 7070}
    assert all_files(local.root) == []


def test_pixel_caps_per_purpose() -> None:
    assert max_pixels_for("signature") == 4_000_000
    assert max_pixels_for("licence") == max_pixels_for("case_image") == 40_000_000
    # Every purpose that takes images has its own cap, and Pillow refuses anything beyond the largest.
    assert {p for p, types in UPLOAD_PURPOSES.items() if any(t.kind is MediaKind.IMAGE for t in types)} \
        == set(UPLOAD_MAX_PIXELS)
    assert Image.MAX_IMAGE_PIXELS == max(UPLOAD_MAX_PIXELS.values())


def test_images_at_the_cap_pass_and_just_over_it_do_not(local: LocalStorage) -> None:
    signature = io.BytesIO()
    Image.new("RGBA", (2000, 2000), (0, 0, 0, 0)).save(signature, "PNG")  # exactly 4 MP
    photo = image_bytes("JPEG", (8000, 5000))  # exactly 40 MP (decoded at 1/8 scale: JPEG draft)
    for purpose, data, just_over in (("signature", signature.getvalue(), (2001, 2000)),
                                     ("licence", photo, (8001, 5000)), ("case_image", photo, (8000, 5001))):
        stored = store_media(local, data, prefix=purpose, private=True, max_pixels=max_pixels_for(purpose))
        assert stored.thumbnail_key and max(stored.thumbnail_width or 0, stored.thumbnail_height or 0) == 480
        assert local.exists(stored.key) and local.exists(stored.thumbnail_key)
        files = all_files(local.root)
        with pytest.raises(ImageTooLarge):
            store_media(local, png_claiming(*just_over), prefix=purpose, private=True,
                        max_pixels=max_pixels_for(purpose))
        assert all_files(local.root) == files


def test_decodes_are_bounded_per_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    storage_from_settings(Settings(data_dir=tmp_path, jwt_secret="j", image_decodes_per_process=3, _env_file=None))
    running, peak, lock = 0, 0, threading.Lock()
    real_thumbnail = Image.Image.thumbnail

    def slow_thumbnail(self: Image.Image, *args: Any, **kwargs: Any) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        real_thumbnail(self, *args, **kwargs)
        with lock:
            running -= 1

    monkeypatch.setattr(Image.Image, "thumbnail", slow_thumbnail)
    try:
        with ThreadPoolExecutor(8) as pool:
            thumbs = list(pool.map(make_thumbnail, [image_bytes("PNG", (600, 400))] * 8))
    finally:
        limit_concurrent_decodes(2)
    assert peak == 3 and all(t.width == 480 for t in thumbs)


def test_failed_thumbnail_write_removes_the_original(local: LocalStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    real_put = local.put

    def flaky_put(key: str, data: bytes, content_type: str, *, private: bool) -> None:
        if key.endswith(".thumb.webp"):
            raise OSError("disk full")
        real_put(key, data, content_type, private=private)

    monkeypatch.setattr(local, "put", flaky_put)
    with pytest.raises(OSError):
        store_media(local, image_bytes("PNG"), prefix="cases/6", private=False)
    assert all_files(local.root) == []


def test_factory_chooses_backend_from_settings(tmp_path: Path) -> None:
    local = storage_from_settings(Settings(data_dir=tmp_path, jwt_secret="j", _env_file=None))
    assert isinstance(local, LocalStorage) and local.root == tmp_path / "storage"
    url = local.download_url("public/a.png", expires=timedelta(minutes=1))
    # Same settings -> same secret -> links survive a restart.
    again = storage_from_settings(Settings(data_dir=tmp_path, jwt_secret="j", _env_file=None))
    assert isinstance(again, LocalStorage)
    q = dict(p.split("=") for p in url.split("?")[1].split("&"))
    again.verify_download("public/a.png", q["exp"], q["sig"])
    s3 = storage_from_settings(Settings(data_dir=tmp_path, s3_endpoint="http://127.0.0.1:9000", s3_access_key="a",
                                        s3_secret_key="b", _env_file=None))
    assert isinstance(s3, S3Storage) and s3.endpoint == "127.0.0.1:9000" and not s3.secure


def test_big_video_from_a_file_is_streamed_not_read_whole(local: LocalStorage, tmp_path: Path) -> None:
    src = mp4_file(tmp_path / "v.mp4", 12 * MB)
    with src.open("rb") as fh:
        spy = ReadSpy(fh)
        stored = store_media(local, spy, prefix="case_video/1", private=True,  # type: ignore[arg-type]
                             allowed=[MediaKind.VIDEO])
    assert stored.size == 12 * MB and stored.content_type == "video/mp4" and stored.thumbnail_key is None
    assert max(spy.reads) <= MB
    assert local.stat(stored.key).size == 12 * MB and local.get(stored.key, length=len(MP4_HEAD)) == MP4_HEAD


def test_oversize_file_is_rejected_from_its_head_and_size_alone(local: LocalStorage, tmp_path: Path) -> None:
    src = mp4_file(tmp_path / "big.mp4", 200 * MB + 1)
    with src.open("rb") as fh:
        spy = ReadSpy(fh)
        with pytest.raises(MediaRejected) as err:
            store_media(local, spy, prefix="case_video/1", private=True, allowed=[MediaKind.VIDEO])  # type: ignore[arg-type]
    assert err.value.status == 413 and err.value.message == "视频不能超过200MB"
    assert sum(spy.reads) <= SNIFF_BYTES
    assert all_files(local.root) == []


def test_image_file_gets_its_thumbnail(local: LocalStorage) -> None:
    stored = store_media(local, io.BytesIO(image_bytes("PNG", (960, 480))), prefix="cases/7", private=True)
    assert stored.thumbnail_key and (stored.thumbnail_width, stored.thumbnail_height) == (480, 240)
    assert local.get(stored.key)[:8] == b"\x89PNG\r\n\x1a\n"
