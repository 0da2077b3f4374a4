"""Uploads through object storage — the one place uploads are validated.

Flow: an upload intent names the purpose and declared type and gets an upload target (a presigned POST for S3;
the API's `POST /uploads` with a signed token for local disk). Either way the bytes are judged by content
(`storage.media`), never by file name or declared type, and each accepted file gets an `uploads` row owned by
the uploader. Files go back out only as short-lived signed URLs.

Keys are `private/<purpose>/<user_id>/<upload_id><ext>`, so the key itself says whose upload it is.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial
from typing import BinaryIO

from sqlalchemy.orm import Session

from domain.errors import NotFound
from domain.models import Upload
from domain.uploads.schemas import IntentOut, UploadDoneOut, UrlOut
from storage.base import ObjectNotFound, ObjectStorage, UploadTokenInvalid, check_key, new_key
from storage.local import LocalStorage
from storage.media import (
    JPEG,
    MP4,
    PDF,
    PNG,
    UPLOAD_PURPOSES,
    WEBP,
    MediaKind,
    MediaType,
    StoredMedia,
    UnsupportedMediaType,
    confirm_direct_upload,
    max_pixels_for,
    store_media,
    thumbnail_key,
    upload_id_of,
    validate,
)

# What each purpose accepts, judged by content. Everything is private for now (case media may go public later).
# Defined next to the media checks, where domain.uploads.cleanup finds the upload prefixes too.
PURPOSE_TYPES: dict[str, tuple[MediaType, ...]] = UPLOAD_PURPOSES
_TYPE_LABELS = {"image/jpeg": "JPG", "image/png": "PNG", "image/webp": "WebP", "video/mp4": "MP4",
                "application/pdf": "PDF", "audio/mpeg": "MP3", "audio/aac": "AAC", "audio/mp4": "M4A",
                "application/msword": "Word（doc）", "application/vnd.ms-excel": "Excel（xls）",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word（docx）",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel（xlsx）"}
UPLOAD_TTL = timedelta(minutes=15)
DOWNLOAD_TTL = timedelta(minutes=5)
# The largest request body POST /uploads can need (the biggest file type plus multipart overhead).
MAX_UPLOAD_BODY = max(t.max_bytes for types in PURPOSE_TYPES.values() for t in types) + 1024 * 1024
_UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")


class UploadNotFound(NotFound):
    code, message = "upload_not_found", "文件不存在或已删除"


# --- validation shared by every upload path (the uploads routes, the licence route, contract signatures)
def purpose_kinds(purpose: str) -> frozenset[MediaKind]:
    return frozenset(t.kind for t in PURPOSE_TYPES[purpose])


def purpose_max_bytes(purpose: str) -> int:
    return max(t.max_bytes for t in PURPOSE_TYPES[purpose])


def unsupported(purpose: str) -> UnsupportedMediaType:
    types = PURPOSE_TYPES[purpose]
    kinds = purpose_kinds(purpose)
    if {t.mime for t in types} == {t.mime for t in (JPEG, PNG, WEBP, MP4, PDF) if t.kind in kinds}:
        return UnsupportedMediaType(kinds)  # every type of the kind: the standard message
    labels = "、".join(_TYPE_LABELS[t.mime] for t in types)
    return UnsupportedMediaType(kinds, f"不支持的文件类型，请上传 {labels} 文件")


def check_for_purpose(head: bytes, size: int, purpose: str, *, max_bytes: int | None = None) -> MediaType:
    """The type of a file (its first SNIFF_BYTES and its size) if `purpose` accepts it (by content, then
    size); raises MediaRejected (415/413)."""
    media = validate(head, size, purpose_kinds(purpose), max_bytes=max_bytes)
    if media not in PURPOSE_TYPES[purpose]:
        raise unsupported(purpose)
    return media


def store_for_purpose(storage: ObjectStorage, data: bytes | BinaryIO, purpose: str, *, prefix: str | None = None,
                      key: str | None = None, max_bytes: int | None = None) -> StoredMedia:
    """Validate `data` (bytes, or a seekable file such as the request's spooled upload, which is streamed)
    for `purpose` and store it privately (with a thumbnail for images).

    Either `key` (announced by an upload intent) or `prefix` (a fresh key is made under `private/<prefix>/`).
    Nothing is written when the file is rejected.
    """
    return store_media(storage, data, prefix=prefix or purpose, private=True, key=key,
                       check=partial(check_for_purpose, purpose=purpose, max_bytes=max_bytes),
                       max_pixels=max_pixels_for(purpose))


def remove_stored(storage: ObjectStorage, key: str) -> None:
    """Delete a stored file and its thumbnail if it has one (deleting a missing key is a no-op on both backends)."""
    for k in (key, thumbnail_key(key)):
        storage.delete(k)


def record_upload(db: Session, storage: ObjectStorage, user_id: int, purpose: str, stored: StoredMedia) -> Upload:
    """The `uploads` row for a stored file; if it cannot be written, the stored objects are removed."""
    row = Upload(id=upload_id_of(stored.key), user_id=user_id, purpose=purpose, object_key=stored.key,
                 content_type=stored.content_type, size=stored.size)
    try:
        db.add(row)
        db.flush()
    except BaseException:
        remove_stored(storage, stored.key)
        raise
    return row


def file_links(storage: ObjectStorage, row: Upload) -> UrlOut:
    """Short-lived links to an upload and, for an image, its thumbnail. Callers have checked who may look."""
    thumb = thumbnail_key(row.object_key)
    thumb_url = (storage.download_url(thumb, expires=DOWNLOAD_TTL)
                 if row.content_type.startswith("image/") and storage.exists(thumb) else None)
    return UrlOut(url=storage.download_url(row.object_key, expires=DOWNLOAD_TTL), thumbnail_url=thumb_url,
                  expires_in=int(DOWNLOAD_TTL.total_seconds()))


def _owned_key(key: str, user_id: int) -> tuple[str, str]:
    """(purpose, upload_id) of a key made by the intent route for this user; anything else is not found."""
    try:
        check_key(key)
    except ValueError as exc:
        raise UploadNotFound() from exc
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != "private" or parts[1] not in PURPOSE_TYPES or parts[2] != str(user_id):
        raise UploadNotFound()
    upload_id = upload_id_of(key)
    if not _UPLOAD_ID_RE.match(upload_id):
        raise UploadNotFound()
    return parts[1], upload_id


def _done(row: Upload, thumb: str | None) -> UploadDoneOut:
    return UploadDoneOut(upload_id=row.id, key=row.object_key, purpose=row.purpose, content_type=row.content_type,
                         size=row.size, thumbnail_key=thumb)


# --- the upload flow
def intent(storage: ObjectStorage, user_id: int, purpose: str, content_type: str) -> IntentOut:
    media = next((t for t in PURPOSE_TYPES[purpose] if t.mime == content_type), None)
    if media is None:
        raise unsupported(purpose)
    key = new_key(f"{purpose}/{user_id}", media.ext, private=True)
    target = storage.upload_target(key, media.mime, media.max_bytes, expires=UPLOAD_TTL)
    return IntentOut(upload_id=upload_id_of(key), key=target.key, url=target.url, method=target.method,
                     fields=target.fields, file_field=target.file_field, content_type=target.content_type,
                     max_bytes=target.max_bytes, expires_at=target.expires_at)


def upload_with_token(db: Session, storage: LocalStorage, user_id: int, token: str, file: BinaryIO) -> UploadDoneOut:
    """Local disk: the bytes of an intent's signed token, judged by their first bytes and size, then copied in
    chunks (`file` may be the request's spooled temp file)."""
    key, _declared, max_bytes = storage.verify_upload_token(token)
    try:
        purpose, upload_id = _owned_key(key, user_id)
    except UploadNotFound as exc:
        raise UploadTokenInvalid() from exc
    if db.get(Upload, upload_id) is not None or storage.exists(key):
        raise UploadTokenInvalid()  # each token uploads once
    stored = store_for_purpose(storage, file, purpose, key=key, max_bytes=max_bytes)
    return _done(record_upload(db, storage, user_id, purpose, stored), stored.thumbnail_key)


def complete(db: Session, storage: ObjectStorage, user_id: int, upload_id: str, key: str) -> UploadDoneOut:
    """S3: confirm a direct upload once the client has posted it; idempotent."""
    purpose, key_upload_id = _owned_key(key, user_id)
    if key_upload_id != upload_id:
        raise UploadNotFound()
    row = db.get(Upload, upload_id)
    if row is not None:  # already confirmed (or uploaded through the local endpoint)
        if row.user_id != user_id:
            raise UploadNotFound()
        return _done(row, thumbnail_key(row.object_key) if row.content_type.startswith("image/") else None)
    try:
        stored = confirm_direct_upload(storage, key, check=partial(
            check_for_purpose, purpose=purpose, max_bytes=purpose_max_bytes(purpose)),
            max_pixels=max_pixels_for(purpose))
    except ObjectNotFound as exc:
        raise UploadNotFound("文件尚未上传或已被删除，请重新上传") from exc
    return _done(record_upload(db, storage, user_id, purpose, stored), stored.thumbnail_key)


def own_upload_links(db: Session, storage: ObjectStorage, user_id: int, upload_id: str) -> UrlOut:
    row = db.get(Upload, upload_id) if _UPLOAD_ID_RE.match(upload_id) else None
    if row is None or row.user_id != user_id:
        raise UploadNotFound()
    return file_links(storage, row)
