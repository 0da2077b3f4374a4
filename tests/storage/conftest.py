from __future__ import annotations

import io
import struct
import uuid
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import BinaryIO

import pytest
from PIL import Image

from storage.local import LocalStorage
from storage.s3 import S3Storage

# What ffmpeg writes at the start of an H.264 .mp4: ftyp box (size 0x20, major isom, minor 0x200,
# compatible isom iso2 avc1 mp41), then a free box and the start of mdat.
MP4_HEAD = (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
            b"\x00\x00\x00\x08free\x00\x00\x10\x00mdat")


def image_bytes(fmt: str, size: tuple[int, int] = (64, 32), *, exif_orientation: int | None = None) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    buf = io.BytesIO()
    kwargs: dict[str, bytes] = {}
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif.tobytes()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def pdf_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buf, "PDF")
    return buf.getvalue()


def all_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def local(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "storage", "test-secret")


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"{host}:{port}"
    server.stop()


@pytest.fixture
def s3(moto_endpoint: str) -> S3Storage:
    # A bucket per test keeps tests independent on the one shared server.
    return S3Storage(moto_endpoint, "testing", "testing-secret", f"t-{uuid.uuid4().hex[:12]}", secure=False,
                     region="us-east-1")


class ReadSpy:
    """A binary file that records how much each read asked for (to prove uploads are streamed)."""

    def __init__(self, fileobj: BinaryIO) -> None:
        self._f = fileobj
        self.reads: list[int] = []

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        self.reads.append(len(data))
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()


def mp4_file(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.write(MP4_HEAD)
        fh.truncate(size)  # sparse: a big file costs nothing to make
    return path


@cache
def huge_png() -> bytes:
    """A real 7070×7070 PNG of one colour: ~160 KB on disk, 200 MB once decoded (the issue's bomb)."""
    buf = io.BytesIO()
    Image.new("RGB", (7070, 7070), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header (with a valid CRC) claims `width`×`height`: only the header can be read."""
    png = bytearray(image_bytes("PNG", (1, 1)))
    ihdr = png[12:29]  # chunk type + 13 data bytes
    ihdr[4:12] = struct.pack(">II", width, height)
    png[12:33] = ihdr + struct.pack(">I", zlib.crc32(ihdr))
    return bytes(png)
