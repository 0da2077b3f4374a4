"""Upload validation by content (magic bytes, never the file name), thumbnails, and storing media safely.

A rejected upload leaves nothing behind: checks run before anything is written, and a failure while
writing the original + thumbnail pair removes whatever part was written.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image, ImageOps, UnidentifiedImageError

from domain.errors import AppError
from storage.base import ObjectNotFound, ObjectStorage, check_private_flag, new_key

MB = 1024 * 1024
THUMB_MAX_SIDE = 480
# Pillow's own bomb guard is a warning up to 2x its limit; we refuse clearly and earlier.
MAX_IMAGE_PIXELS = 50_000_000
# Enough bytes to recognise every type below (the ftyp box with its compatible brands).
SNIFF_BYTES = 64


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    DOCUMENT = "document"


@dataclass(frozen=True)
class MediaType:
    kind: MediaKind
    mime: str
    ext: str
    max_bytes: int


JPEG = MediaType(MediaKind.IMAGE, "image/jpeg", ".jpg", 10 * MB)
PNG = MediaType(MediaKind.IMAGE, "image/png", ".png", 10 * MB)
WEBP = MediaType(MediaKind.IMAGE, "image/webp", ".webp", 10 * MB)
MP4 = MediaType(MediaKind.VIDEO, "video/mp4", ".mp4", 200 * MB)
PDF = MediaType(MediaKind.DOCUMENT, "application/pdf", ".pdf", 20 * MB)
ALL_KINDS = frozenset(MediaKind)
MAX_BYTES = {kind: max(t.max_bytes for t in (JPEG, PNG, WEBP, MP4, PDF) if t.kind == kind) for kind in MediaKind}

# ISO-BMFF brands that mean MP4. QuickTime (`qt  `), HEIF/AVIF (`heic`, `mif1`, `avif`) and 3GP share
# the ftyp box and are deliberately not here.
_MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41", b"mp42",
               b"avc1", b"hvc1", b"M4V ", b"dash", b"mmp4", b"MSNV", b"f4v "}
_NOT_MP4_BRANDS = {b"qt  ", b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif", b"avis", b"3gp4", b"3gp5", b"3g2a"}

_KIND_NOUN = {MediaKind.IMAGE: "图片", MediaKind.VIDEO: "视频", MediaKind.DOCUMENT: "文档"}
_KIND_LABEL = {MediaKind.IMAGE: "JPG、PNG、WebP 图片", MediaKind.VIDEO: "MP4 视频", MediaKind.DOCUMENT: "PDF 文档"}


class MediaRejected(AppError):
    status, code, message = 415, "media_rejected", "文件无法接收"


class UnsupportedMediaType(MediaRejected):
    status, code = 415, "unsupported_media_type"

    def __init__(self, allowed: Iterable[MediaKind] = ALL_KINDS, message: str | None = None):
        labels = "、".join(_KIND_LABEL[k] for k in MediaKind if k in set(allowed))
        super().__init__(message or f"不支持的文件类型，请上传{labels}", detail={"allowed": sorted(allowed)})


class MediaTooLarge(MediaRejected):
    status, code = 413, "media_too_large"

    def __init__(self, media: MediaType | None, max_bytes: int):
        what = _KIND_NOUN[media.kind] if media else "文件"
        super().__init__(f"{what}不能超过{max_bytes // MB}MB", detail={"max_bytes": max_bytes})


def _is_mp4(head: bytes) -> bool:
    """An ISO-BMFF file starts with an `ftyp` box: size, 'ftyp', major brand, minor version, compatible brands."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    box_size = struct.unpack(">I", head[:4])[0]
    if box_size < 16 or box_size % 4:
        return False
    major = head[8:12]
    if major in _NOT_MP4_BRANDS:
        return False
    compatible = [head[i:i + 4] for i in range(16, min(len(head), box_size) - 3, 4)]
    return major in _MP4_BRANDS or any(b in _MP4_BRANDS for b in compatible)


def sniff(head: bytes) -> MediaType | None:
    """The media type of a file judged from its first bytes only (pass at least SNIFF_BYTES)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if _is_mp4(head):
        return MP4
    return None


def guess_content_type(data: bytes) -> str:
    media = sniff(data[:SNIFF_BYTES])
    return media.mime if media else "application/octet-stream"


def validate(head: bytes, size: int, allowed: Iterable[MediaKind] = ALL_KINDS, *,
             max_bytes: int | None = None) -> MediaType:
    """Type from content, then size against the type's limit (and `max_bytes` if lower). Raises MediaRejected."""
    allowed = frozenset(allowed)
    media = sniff(head)
    if media is None or media.kind not in allowed:
        raise UnsupportedMediaType(allowed)
    limit = min(media.max_bytes, max_bytes) if max_bytes else media.max_bytes
    if size > limit:
        raise MediaTooLarge(media, limit)
    if size == 0:
        raise UnsupportedMediaType(allowed)
    return media


@dataclass(frozen=True)
class Thumbnail:
    data: bytes
    width: int
    height: int
    mime: str = "image/webp"
    ext: str = ".webp"


def make_thumbnail(data: bytes, max_side: int = THUMB_MAX_SIDE) -> Thumbnail:
    """A WebP no larger than `max_side` on its longer side, EXIF orientation applied, metadata dropped."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in {"JPEG", "PNG", "WEBP"}:
                raise UnsupportedMediaType([MediaKind.IMAGE])
            # Checked before any pixel is decoded: a tiny file can claim a gigantic canvas.
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise UnsupportedMediaType([MediaKind.IMAGE], "图片像素过大，请压缩后再上传")
            img.draft("RGB", (max_side * 2, max_side * 2))  # JPEG only: decode at a reduced scale
            oriented = ImageOps.exif_transpose(img)
            has_alpha = oriented.mode in {"RGBA", "LA", "PA"} or (
                oriented.mode == "P" and "transparency" in oriented.info)
            out_img = oriented.convert("RGBA" if has_alpha else "RGB")
            out_img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            buf = io.BytesIO()
            out_img.save(buf, "WEBP", quality=80, method=4)
    except MediaRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError,
            struct.error, EOFError) as exc:
        raise UnsupportedMediaType([MediaKind.IMAGE], "图片已损坏或无法识别，请重新选择") from exc
    return Thumbnail(buf.getvalue(), out_img.width, out_img.height)


def thumbnail_key(key: str) -> str:
    return f"{key}.thumb.webp"


@dataclass(frozen=True)
class StoredMedia:
    key: str
    kind: MediaKind
    content_type: str
    size: int
    thumbnail_key: str | None = None
    thumbnail_width: int | None = None
    thumbnail_height: int | None = None


def _put_all(storage: ObjectStorage, items: list[tuple[str, bytes, str]], private: bool) -> None:
    written: list[str] = []
    try:
        for key, data, mime in items:
            storage.put(key, data, mime, private=private)
            written.append(key)
    except BaseException:
        for key in written:
            storage.delete(key)
        raise


def store_media(storage: ObjectStorage, data: bytes, *, prefix: str, private: bool,
                allowed: Iterable[MediaKind] = ALL_KINDS, key: str | None = None,
                max_bytes: int | None = None) -> StoredMedia:
    """Validate an upload by content, then store it (and a thumbnail for images).

    `key` is given when the upload was announced earlier (the local upload endpoint's token names it);
    otherwise a fresh key under `prefix` is made with the extension of the detected type.
    """
    media = validate(data[:SNIFF_BYTES], len(data), allowed, max_bytes=max_bytes)
    thumb = make_thumbnail(data) if media.kind is MediaKind.IMAGE else None  # may reject: before any write
    if key is None:
        key = new_key(prefix, media.ext, private=private)
    else:
        check_private_flag(key, private)
    items = [(key, data, media.mime)]
    if thumb:
        items.append((thumbnail_key(key), thumb.data, thumb.mime))
    _put_all(storage, items, private)
    return StoredMedia(key, media.kind, media.mime, len(data), thumbnail_key(key) if thumb else None,
                       thumb.width if thumb else None, thumb.height if thumb else None)


def confirm_direct_upload(storage: ObjectStorage, key: str, *, allowed: Iterable[MediaKind] = ALL_KINDS,
                          max_bytes: int | None = None) -> StoredMedia:
    """Check an object a client uploaded straight to storage (presigned POST) and add its thumbnail.

    The POST policy only pins the declared content type and size; the bytes themselves are judged here,
    and anything rejected is deleted.
    """
    info = storage.stat(key)
    private = info.key.startswith("private/")
    try:
        media = validate(storage.get(key, length=SNIFF_BYTES), info.size, allowed, max_bytes=max_bytes)
        thumb = make_thumbnail(storage.get(key)) if media.kind is MediaKind.IMAGE else None
        if thumb:
            storage.put(thumbnail_key(key), thumb.data, thumb.mime, private=private)
    except (MediaRejected, ObjectNotFound):
        storage.delete(key)
        raise
    if info.content_type != media.mime:  # declared type was a lie or generic: store the true one
        storage.put(key, storage.get(key), media.mime, private=private)
    return StoredMedia(key, media.kind, media.mime, info.size, thumbnail_key(key) if thumb else None,
                       thumb.width if thumb else None, thumb.height if thumb else None)
