"""Uploads and downloads through object storage — the one place uploads are validated.

Flow: `POST /uploads/intent` names the purpose and declared type and gets an upload target (a presigned POST
for S3; this API's `POST /uploads` with a signed token for local disk). Either way the bytes are judged by
content (`storage.media`), never by file name or declared type, and each accepted file gets an `uploads` row
owned by the uploader. Files go back out only as short-lived signed URLs (`GET /uploads/{id}/url`); on
local disk those point at `GET /files/{key}`.

Keys are `private/<purpose>/<user_id>/<upload_id><ext>`, so the key itself says whose upload it is.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import partial
from typing import Annotated, BinaryIO, Literal

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import FileResponse
from pydantic import AfterValidator, BaseModel, ConfigDict
from sqlalchemy.orm import Session

from api.deps import Ctx, Db, Me
from api.error_codes import raises
from domain.errors import NotFound
from domain.inputs import Text
from domain.models import Upload
from storage.base import LinkInvalid, ObjectNotFound, ObjectStorage, UploadTokenInvalid, check_key, new_key
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

router = APIRouter(tags=["files"])

Purpose = Literal["licence", "signature", "case_image", "case_video", "document"]
# What each purpose accepts, judged by content. Everything is private for now (case media may go public later).
# Defined next to the media checks, where storage.cleanup finds the upload prefixes too.
PURPOSE_TYPES: dict[str, tuple[MediaType, ...]] = UPLOAD_PURPOSES
_TYPE_LABELS = {"image/jpeg": "JPG", "image/png": "PNG", "image/webp": "WebP", "video/mp4": "MP4",
                "application/pdf": "PDF"}
UPLOAD_TTL = timedelta(minutes=15)
DOWNLOAD_TTL = timedelta(minutes=5)
# The largest request body POST /uploads can need (the biggest file type plus multipart overhead).
MAX_UPLOAD_BODY = max(t.max_bytes for types in PURPOSE_TYPES.values() for t in types) + 1024 * 1024
_UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")


class UploadNotFound(NotFound):
    code, message = "upload_not_found", "文件不存在或已删除"


class StorageUnavailable(NotFound):
    code, message = "not_found", "接口不存在"


# --- validation shared by every upload path (this router, the licence route, contract signatures)
def purpose_kinds(purpose: str) -> frozenset[MediaKind]:
    return frozenset(t.kind for t in PURPOSE_TYPES[purpose])


def purpose_max_bytes(purpose: str) -> int:
    return max(t.max_bytes for t in PURPOSE_TYPES[purpose])


def _unsupported(purpose: str) -> UnsupportedMediaType:
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
        raise _unsupported(purpose)
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


def _remove(storage: ObjectStorage, stored: StoredMedia) -> None:
    for k in (stored.key, stored.thumbnail_key):
        if k:
            storage.delete(k)


def record_upload(db: Session, storage: ObjectStorage, user_id: int, purpose: str, stored: StoredMedia) -> Upload:
    """The `uploads` row for a stored file; if it cannot be written, the stored objects are removed."""
    row = Upload(id=upload_id_of(stored.key), user_id=user_id, purpose=purpose, object_key=stored.key,
                 content_type=stored.content_type, size=stored.size)
    try:
        db.add(row)
        db.flush()
    except BaseException:
        _remove(storage, stored)
        raise
    return row


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


def _local(ctx_storage: ObjectStorage) -> LocalStorage:
    """The local backend, or 404: its upload and download routes don't exist when S3 serves files."""
    if not isinstance(ctx_storage, LocalStorage):
        raise StorageUnavailable()
    return ctx_storage


# --- schemas
class IntentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: Purpose
    content_type: Annotated[str, Text(100, min_length=1), AfterValidator(str.lower)]


class IntentOut(BaseModel):
    upload_id: str
    key: str
    url: str
    method: str
    fields: dict[str, str]
    file_field: str
    content_type: str
    max_bytes: int
    expires_at: datetime


class UploadDoneOut(BaseModel):
    upload_id: str
    key: str
    purpose: str
    content_type: str
    size: int
    thumbnail_key: str | None = None


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Annotated[str, Text(200, min_length=1)]


class UrlOut(BaseModel):
    url: str
    thumbnail_url: str | None = None
    expires_in: int


def _done(row: Upload, thumb: str | None) -> UploadDoneOut:
    return UploadDoneOut(upload_id=row.id, key=row.object_key, purpose=row.purpose, content_type=row.content_type,
                         size=row.size, thumbnail_key=thumb)


# --- routes
@router.post("/uploads/intent", response_model=IntentOut, summary="申请上传（返回上传地址与凭证）")
def upload_intent(body: IntentIn, me: Me, ctx: Ctx) -> IntentOut:
    media = next((t for t in PURPOSE_TYPES[body.purpose] if t.mime == body.content_type), None)
    if media is None:
        raise _unsupported(body.purpose)
    key = new_key(f"{body.purpose}/{me.user.id}", media.ext, private=True)
    target = ctx.storage.upload_target(key, media.mime, media.max_bytes, expires=UPLOAD_TTL)
    return IntentOut(upload_id=upload_id_of(key), key=target.key, url=target.url, method=target.method,
                     fields=target.fields, file_field=target.file_field, content_type=target.content_type,
                     max_bytes=target.max_bytes, expires_at=target.expires_at)


@router.post("/uploads", response_model=UploadDoneOut, summary="上传文件（本地存储）")
def upload_local(token: Annotated[str, Form(max_length=4000)], file: UploadFile, me: Me, db: Db,
                 ctx: Ctx) -> UploadDoneOut:
    storage = _local(ctx.storage)
    key, _declared, max_bytes = storage.verify_upload_token(token)
    try:
        purpose, upload_id = _owned_key(key, me.user.id)
    except UploadNotFound as exc:
        raise UploadTokenInvalid() from exc
    if db.get(Upload, upload_id) is not None or storage.exists(key):
        raise UploadTokenInvalid()  # each token uploads once
    # Starlette has spooled the body to a temp file: judged by its first bytes and size, then copied in chunks.
    stored = store_for_purpose(storage, file.file, purpose, key=key, max_bytes=max_bytes)
    return _done(record_upload(db, storage, me.user.id, purpose, stored), stored.thumbnail_key)


@router.post("/uploads/{upload_id}/complete", response_model=UploadDoneOut, summary="确认直传完成（S3）")
def complete_upload(upload_id: str, body: CompleteIn, me: Me, db: Db, ctx: Ctx) -> UploadDoneOut:
    purpose, key_upload_id = _owned_key(body.key, me.user.id)
    if key_upload_id != upload_id:
        raise UploadNotFound()
    row = db.get(Upload, upload_id)
    if row is not None:  # already confirmed (or uploaded through the local endpoint)
        if row.user_id != me.user.id:
            raise UploadNotFound()
        return _done(row, thumbnail_key(row.object_key) if row.content_type.startswith("image/") else None)
    try:
        stored = confirm_direct_upload(ctx.storage, body.key, check=partial(
            check_for_purpose, purpose=purpose, max_bytes=purpose_max_bytes(purpose)),
            max_pixels=max_pixels_for(purpose))
    except ObjectNotFound as exc:
        raise UploadNotFound("文件尚未上传或已被删除，请重新上传") from exc
    return _done(record_upload(db, ctx.storage, me.user.id, purpose, stored), stored.thumbnail_key)


@router.get("/uploads/{upload_id}/url", response_model=UrlOut, summary="获取文件临时访问地址（仅本人）")
def upload_url(upload_id: str, me: Me, db: Db, ctx: Ctx) -> UrlOut:
    row = db.get(Upload, upload_id) if _UPLOAD_ID_RE.match(upload_id) else None
    if row is None or row.user_id != me.user.id:
        raise UploadNotFound()
    return file_links(ctx.storage, row)


def file_links(storage: ObjectStorage, row: Upload) -> UrlOut:
    """Short-lived links to an upload and, for an image, its thumbnail. Callers have checked who may look."""
    thumb = thumbnail_key(row.object_key)
    thumb_url = (storage.download_url(thumb, expires=DOWNLOAD_TTL)
                 if row.content_type.startswith("image/") and storage.exists(thumb) else None)
    return UrlOut(url=storage.download_url(row.object_key, expires=DOWNLOAD_TTL), thumbnail_url=thumb_url,
                  expires_in=int(DOWNLOAD_TTL.total_seconds()))


@router.get("/files/{key:path}", summary="下载文件（本地存储，需签名链接）", response_class=FileResponse,
            responses={403: {"description": "链接无效或已过期"}})
@raises(ObjectNotFound)  # storage.stat on the signed key
def download_file(key: str, ctx: Ctx, exp: str = "", sig: str = "") -> FileResponse:
    storage = _local(ctx.storage)
    if not sig.isascii():
        raise LinkInvalid()
    storage.verify_download(key, exp, sig)
    info = storage.stat(key)
    return FileResponse(storage.path_for(key), media_type=info.content_type, headers={
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private",
        # User content served from the API's origin: never let it run script there.
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"})

