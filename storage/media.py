"""Upload validation by content (magic bytes, never the file name), thumbnails, and storing media safely.

A rejected upload leaves nothing behind: checks run before anything is written, and a failure while
writing the original + thumbnail pair removes whatever part was written.

Files are handled as binary file objects (bytes callers are wrapped in BytesIO): the type comes from the
first SNIFF_BYTES and the size from seek/tell, so a 200 MB video is copied to storage in chunks and never
held in memory. Only images (at most 10 MB) are decoded, for their thumbnail, and only after their header has
shown a pixel count within the upload purpose's cap (`UPLOAD_MAX_PIXELS`), a few at a time per process.
"""

from __future__ import annotations

import io
import os
import struct
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

import mutagen
import mutagen.aac
import mutagen.mp3
import mutagen.mp4
from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

from domain.errors import AppError
from storage.base import ObjectNotFound, ObjectStorage, check_private_flag, is_private, new_key

MB = 1024 * 1024
THUMB_MAX_SIDE = 480
# Pixels, not bytes, are what decoding costs (3-4 bytes each): a 160 KB single-colour PNG of 7070×7070 decodes
# to 200 MB. So each image purpose has a pixel cap, checked from the header before anything is decoded:
# - signature: drawn on a canvas; a full-screen landscape pad at 3x pixel ratio is ~2436×1125 (2.7 MP).
# - licence: an A4 scan at 600 dpi is 4960×7016 (35 MP); a 40 MP phone photo is 7296×5472.
# - case_image (also avatars and review photos, uploaded under this purpose): phones save 12 MP by default and
#   40 MP in their largest common mode; a full-resolution 50 MP+ JPEG is over the 10 MB limit anyway.
# - evidence (photos attached to a booking dispute): phone photos, the same cap as case images.
UPLOAD_MAX_PIXELS: dict[str, int] = {"licence": 40_000_000, "signature": 4_000_000, "case_image": 40_000_000,
                                     "evidence": 40_000_000, "chat_image": 40_000_000}
MAX_IMAGE_PIXELS = max(UPLOAD_MAX_PIXELS.values())
# Pillow's own guard (a warning above it, an error above twice it, both at open) set to the same largest cap,
# so no decode anywhere in the process (seed data, a future caller) goes beyond it.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


def max_pixels_for(purpose: str) -> int:
    """The pixel cap of an upload purpose's images (the largest cap for a purpose without its own)."""
    return UPLOAD_MAX_PIXELS.get(purpose, MAX_IMAGE_PIXELS)
# Enough bytes to recognise every type below (the ftyp box with its compatible brands).
SNIFF_BYTES = 64


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    DOCUMENT = "document"
    AUDIO = "audio"


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
# Chat voice as the mini-program's RecorderManager writes it (mp3, or aac: ADTS on Android, M4A on iOS): 60 s fit.
MP3 = MediaType(MediaKind.AUDIO, "audio/mpeg", ".mp3", 2 * MB)
AAC = MediaType(MediaKind.AUDIO, "audio/aac", ".aac", 2 * MB)
M4A = MediaType(MediaKind.AUDIO, "audio/mp4", ".m4a", 2 * MB)
# Office files: the container (OLE2 or ZIP) is sniffed from the head, the application from inside (office_type).
DOC = MediaType(MediaKind.DOCUMENT, "application/msword", ".doc", 20 * MB)
XLS = MediaType(MediaKind.DOCUMENT, "application/vnd.ms-excel", ".xls", 20 * MB)
DOCX = MediaType(MediaKind.DOCUMENT, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ".docx", 20 * MB)
XLSX = MediaType(MediaKind.DOCUMENT, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ".xlsx", 20 * MB)
ALL_KINDS = frozenset(MediaKind)
# What each upload purpose accepts, judged by content. Keys of uploads are
# `private/<purpose>/<user_id>/<upload_id><ext>` (domain.uploads.service), which domain.uploads.cleanup relies on.
UPLOAD_PURPOSES: dict[str, tuple[MediaType, ...]] = {
    "licence": (JPEG, PNG, WEBP),
    "signature": (PNG,),
    "case_image": (JPEG, PNG, WEBP),
    "case_video": (MP4,),
    "document": (PDF,),
    "evidence": (JPEG, PNG, WEBP),
    "chat_image": (JPEG, PNG, WEBP),
    "chat_voice": (MP3, AAC, M4A),
    "chat_file": (PDF, DOC, DOCX, XLS, XLSX),
}
MAX_BYTES = {kind: max(t.max_bytes for t in (JPEG, PNG, WEBP, MP4, PDF, MP3, AAC, M4A, DOC, DOCX, XLS, XLSX)
                       if t.kind == kind) for kind in MediaKind}

# ISO-BMFF brands that mean MP4. QuickTime (`qt  `), HEIF/AVIF (`heic`, `mif1`, `avif`) and 3GP share
# the ftyp box and are deliberately not here.
_MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41", b"mp42",
               b"avc1", b"hvc1", b"M4V ", b"dash", b"mmp4", b"MSNV", b"f4v "}
_NOT_MP4_BRANDS = {b"qt  ", b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif", b"avis", b"3gp4", b"3gp5", b"3g2a"}

_KIND_NOUN = {MediaKind.IMAGE: "图片", MediaKind.VIDEO: "视频", MediaKind.DOCUMENT: "文档", MediaKind.AUDIO: "语音"}
_KIND_LABEL = {MediaKind.IMAGE: "JPG、PNG、WebP 图片", MediaKind.VIDEO: "MP4 视频", MediaKind.DOCUMENT: "PDF 文档",
               MediaKind.AUDIO: "MP3、AAC、M4A 语音"}
_M4A_BRANDS = {b"M4A ", b"M4B "}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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


class ImageTooLarge(MediaTooLarge):
    """Too many pixels for its purpose (a MediaTooLarge, so callers that pass on size messages show this one)."""
    status, code = 422, "image_too_large"

    def __init__(self, max_pixels: int, size: tuple[int, int] | None = None):
        now = f"，当前{size[0]}×{size[1]}" if size else ""
        MediaRejected.__init__(self, f"图片尺寸过大（最多{max_pixels // 10_000}万像素{now}），请压缩后重新上传",
                               detail={"max_pixels": max_pixels, "width": size[0] if size else None,
                                       "height": size[1] if size else None})


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
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        # An MPEG frame sync: layer bits 00 is ADTS (AAC), anything else MPEG audio (mp3)
        return AAC if head[1:2] and head[1] & 0x06 == 0 and not head.startswith(b"ID3") else MP3
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return M4A
    if _is_mp4(head):
        return MP4
    if head.startswith(_OLE2):
        return DOC  # or XLS: office_type looks inside
    if head.startswith(b"PK\x03\x04"):
        return DOCX  # or XLSX, or no office file at all: office_type looks inside
    return None


# Voice messages are at most 60 s (the RecorderManager's limit); a second of slack for how encoders round.
MAX_AUDIO_SECONDS = 61.0


class AudioTooLong(MediaRejected):
    status, code = 422, "audio_too_long"

    def __init__(self, seconds: float):
        super().__init__(f"语音不能超过60秒（当前约{seconds:.0f}秒）", detail={"max_seconds": 60,
                                                                    "seconds": round(seconds, 1)})


def check_audio(fileobj: BinaryIO, media: MediaType) -> float:
    """The length in seconds of an MP3 / ADTS AAC / M4A file, read from its frames by mutagen; refuses a file that is
    not really one (no frame to sync to) or is longer than MAX_AUDIO_SECONDS. Leaves `fileobj` at 0."""
    kind = {MP3.mime: mutagen.mp3.MP3, AAC.mime: mutagen.aac.AAC, M4A.mime: mutagen.mp4.MP4}[media.mime]
    try:
        fileobj.seek(0)
        seconds = float(getattr(kind(fileobj).info, "length", 0) or 0)
    except (mutagen.MutagenError, OSError, ValueError, struct.error, EOFError) as exc:
        raise UnsupportedMediaType([MediaKind.AUDIO], "语音文件已损坏或无法识别，请重新录制") from exc
    finally:
        fileobj.seek(0)
    if not seconds > 0:
        raise UnsupportedMediaType([MediaKind.AUDIO], "语音文件已损坏或无法识别，请重新录制")
    if seconds > MAX_AUDIO_SECONDS:
        raise AudioTooLong(seconds)
    return seconds


def office_type(fileobj: BinaryIO, media: MediaType) -> MediaType:
    """Which office file an OLE2 / ZIP container is (its head only names the container): a Word or Excel file,
    or refused. Leaves `fileobj` at 0."""
    try:
        if media is DOCX:
            with zipfile.ZipFile(fileobj) as z:
                names = set(z.namelist())
            found = DOCX if "word/document.xml" in names else XLSX if "xl/workbook.xml" in names else None
        else:  # OLE2: the directory names its streams in UTF-16LE
            fileobj.seek(0)
            data = fileobj.read()
            found = (DOC if "WordDocument".encode("utf-16-le") in data else
                     XLS if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data else None)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsupportedMediaType([MediaKind.DOCUMENT], "文件已损坏或无法识别，请重新选择") from exc
    finally:
        fileobj.seek(0)
    if found is None:
        raise UnsupportedMediaType([MediaKind.DOCUMENT], "不支持的文件类型，请上传 PDF、Word 或 Excel 文件")
    return found


def file_size(fileobj: BinaryIO) -> int:
    """Size of a seekable file (e.g. the request's spooled upload) without reading it; leaves it at 0."""
    size = fileobj.seek(0, os.SEEK_END)
    fileobj.seek(0)
    return size


def read_head(fileobj: BinaryIO) -> bytes:
    """The first SNIFF_BYTES of a seekable file; leaves it at 0."""
    fileobj.seek(0)
    head = fileobj.read(SNIFF_BYTES)
    fileobj.seek(0)
    return head


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


# Decoding is the memory-hungry step (up to ~160 MB for an RGBA image at the 40 MP cap): at most this many at
# once per process, whatever the thread pool's size (Settings.image_decodes_per_process, via storage.factory).
_decode_slots = threading.BoundedSemaphore(2)
# Modes Pillow resamples properly; palette and 1-bit images are converted first (they would resize nearest-neighbour).
_RESAMPLED_MODES = {"RGB", "RGBA", "L", "LA"}


def limit_concurrent_decodes(slots: int) -> None:
    global _decode_slots
    _decode_slots = threading.BoundedSemaphore(max(1, slots))


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in {"RGBA", "LA", "PA"} or (img.mode == "P" and "transparency" in img.info)


def make_thumbnail(data: bytes | BinaryIO, max_side: int = THUMB_MAX_SIDE, *,
                   max_pixels: int = MAX_IMAGE_PIXELS) -> Thumbnail:
    """A WebP no larger than `max_side` on its longer side, EXIF orientation applied, metadata dropped.

    Refuses (ImageTooLarge) an image of more than `max_pixels` from its header alone, before decoding it.
    Pass a file object to decode straight from it (call only after `validate`: it reads the whole file)."""
    try:
        with Image.open(io.BytesIO(data) if isinstance(data, bytes | bytearray) else data) as img:
            if img.format not in {"JPEG", "PNG", "WEBP"}:
                raise UnsupportedMediaType([MediaKind.IMAGE])
            # open() has read only the header: a tiny file can claim a gigantic canvas.
            if img.width * img.height > max_pixels:
                raise ImageTooLarge(max_pixels, img.size)
            with _decode_slots:
                img.draft("RGB", (max_side * 2, max_side * 2))  # JPEG only: decode at a reduced scale
                small = img if img.mode in _RESAMPLED_MODES else img.convert("RGBA" if _has_alpha(img) else "RGB")
                # In place, before any full-size copy (exif_transpose and convert each make one).
                small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                oriented = ImageOps.exif_transpose(small)
                out_img = oriented.convert("RGBA" if _has_alpha(oriented) else "RGB")
                buf = io.BytesIO()
                out_img.save(buf, "WEBP", quality=80, method=4)
    except MediaRejected:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's guard at open: over twice the largest cap
        raise ImageTooLarge(max_pixels) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error, EOFError) as exc:
        raise UnsupportedMediaType([MediaKind.IMAGE], "图片已损坏或无法识别，请重新选择") from exc
    return Thumbnail(buf.getvalue(), out_img.width, out_img.height)


def has_ink(data: bytes, *, min_pixels: int = 50, max_pixels: int = MAX_IMAGE_PIXELS) -> bool:
    """Whether a drawn signature shows strokes: at least `min_pixels` dark, visible pixels (a blank canvas
    exported as a transparent or white PNG has none). An image that can't be read counts as inked, so the
    content validation that follows refuses it with its own message."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > max_pixels:
                return True
            with _decode_slots:
                luminance, alpha = img.convert("LA").split()
                visible = alpha.point(lambda v: 255 if v > 32 else 0)
                dark = luminance.point(lambda v: 255 if v < 200 else 0)
                return ImageChops.multiply(visible, dark).histogram()[255] >= min_pixels
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error, EOFError,
            Image.DecompressionBombError):
        return True


_THUMB_SUFFIX = ".thumb.webp"


def thumbnail_key(key: str) -> str:
    return f"{key}{_THUMB_SUFFIX}"


def original_key(key: str) -> str | None:
    """The key a thumbnail key was made from (`thumbnail_key`), or None for anything else."""
    return key[:-len(_THUMB_SUFFIX)] if key.endswith(_THUMB_SUFFIX) else None


def upload_id_of(key: str) -> str:
    """The `uploads` row id an upload's key carries: its file name without extension."""
    return key.rsplit("/", 1)[-1].split(".", 1)[0]


@dataclass(frozen=True)
class StoredMedia:
    key: str
    kind: MediaKind
    content_type: str
    size: int
    thumbnail_key: str | None = None
    thumbnail_width: int | None = None
    thumbnail_height: int | None = None


# Judges an upload from its first bytes and its size: `validate` by default, or a caller's stricter check
# built on it (domain.uploads.service.check_for_purpose), so every upload path shares one validation.
MediaCheck = Callable[[bytes, int], MediaType]


def store_media(storage: ObjectStorage, data: bytes | BinaryIO, *, prefix: str, private: bool,
                allowed: Iterable[MediaKind] = ALL_KINDS, key: str | None = None,
                max_bytes: int | None = None, check: MediaCheck | None = None,
                max_pixels: int = MAX_IMAGE_PIXELS) -> StoredMedia:
    """Validate an upload by content, then store it (and a thumbnail for images of at most `max_pixels`).

    `data` is bytes or a seekable binary file (the request's spooled upload): it is streamed to storage, not
    read into memory. `key` is given when the upload was announced earlier (the local upload endpoint's token
    names it); otherwise a fresh key under `prefix` is made with the extension of the detected type.
    """
    fileobj: BinaryIO = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    size = file_size(fileobj)
    head = read_head(fileobj)
    media = check(head, size) if check else validate(head, size, allowed, max_bytes=max_bytes)
    if media in (DOC, DOCX):
        media = office_type(fileobj, media)
    if media.kind is MediaKind.AUDIO:
        check_audio(fileobj, media)
    thumb = (make_thumbnail(fileobj, max_pixels=max_pixels)  # may reject: before any write
             if media.kind is MediaKind.IMAGE else None)
    if key is None:
        key = new_key(prefix, media.ext, private=private)
    else:
        check_private_flag(key, private)
    written: list[str] = []
    try:
        fileobj.seek(0)
        storage.put_file(key, fileobj, size, media.mime, private=private)
        written.append(key)
        if thumb:
            storage.put(thumbnail_key(key), thumb.data, thumb.mime, private=private)
            written.append(thumbnail_key(key))
    except BaseException:
        for k in written:
            storage.delete(k)
        raise
    return StoredMedia(key, media.kind, media.mime, size, thumbnail_key(key) if thumb else None,
                       thumb.width if thumb else None, thumb.height if thumb else None)


def confirm_direct_upload(storage: ObjectStorage, key: str, *, allowed: Iterable[MediaKind] = ALL_KINDS,
                          max_bytes: int | None = None, check: MediaCheck | None = None,
                          max_pixels: int = MAX_IMAGE_PIXELS) -> StoredMedia:
    """Check an object a client uploaded straight to storage (presigned POST) and add its thumbnail.

    The POST policy only pins the declared content type and size; the bytes themselves are judged here,
    and anything rejected is deleted. Only the first SNIFF_BYTES are fetched, plus the whole file for
    images (at most 10 MB by then) to make the thumbnail: a video never passes through this process.
    """
    info = storage.stat(key)
    private = is_private(info.key)
    try:
        head = storage.get(key, length=SNIFF_BYTES)
        media = check(head, info.size) if check else validate(head, info.size, allowed, max_bytes=max_bytes)
        if media in (DOC, DOCX):  # documents are at most 20 MB: fetched whole to look inside
            media = office_type(io.BytesIO(storage.get(key)), media)
        if media.kind is MediaKind.AUDIO:  # at most 2 MB
            check_audio(io.BytesIO(storage.get(key)), media)
        thumb = make_thumbnail(storage.get(key), max_pixels=max_pixels) if media.kind is MediaKind.IMAGE else None
        if thumb:
            storage.put(thumbnail_key(key), thumb.data, thumb.mime, private=private)
    except (MediaRejected, ObjectNotFound):
        storage.delete(key)
        raise
    if info.content_type != media.mime:  # declared type was a lie or generic: store the true one
        storage.set_content_type(key, media.mime)
    return StoredMedia(key, media.kind, media.mime, info.size, thumbnail_key(key) if thumb else None,
                       thumb.width if thumb else None, thumb.height if thumb else None)
