"""Uploads and downloads through object storage: the routes of `domain.uploads.service`, the one place uploads
are validated. `POST /uploads/intent` gives an upload target (a presigned POST for S3; `POST /uploads` with a
signed token for local disk); files go back out only as short-lived signed URLs (`GET /uploads/{id}/url`), on
local disk pointing at `GET /files/{key}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import FileResponse

from api.deps import Ctx, Db, Me
from domain.errors import NotFound, raises
from domain.uploads import service
from domain.uploads.schemas import CompleteIn, IntentIn, IntentOut, UploadDoneOut, UrlOut
from storage.base import LinkInvalid, ObjectNotFound, ObjectStorage
from storage.local import LocalStorage

router = APIRouter(tags=["files"])


class StorageUnavailable(NotFound):
    code, message = "not_found", "接口不存在"


def _local(ctx_storage: ObjectStorage) -> LocalStorage:
    """The local backend, or 404: its upload and download routes don't exist when S3 serves files."""
    if not isinstance(ctx_storage, LocalStorage):
        raise StorageUnavailable()
    return ctx_storage


@router.post("/uploads/intent", response_model=IntentOut, summary="申请上传（返回上传地址与凭证）")
def upload_intent(body: IntentIn, me: Me, ctx: Ctx) -> IntentOut:
    return service.intent(ctx.storage, me.user.id, body.purpose, body.content_type)


@router.post("/uploads", response_model=UploadDoneOut, summary="上传文件（本地存储）")
def upload_local(token: Annotated[str, Form(max_length=4000)], file: UploadFile, me: Me, db: Db,
                 ctx: Ctx) -> UploadDoneOut:
    # Starlette has spooled the body to a temp file, which is streamed to storage.
    return service.upload_with_token(db, _local(ctx.storage), me.user.id, token, file.file)


@router.post("/uploads/{upload_id}/complete", response_model=UploadDoneOut, summary="确认直传完成（S3）")
def complete_upload(upload_id: str, body: CompleteIn, me: Me, db: Db, ctx: Ctx) -> UploadDoneOut:
    return service.complete(db, ctx.storage, me.user.id, upload_id, body.key)


@router.get("/uploads/{upload_id}/url", response_model=UrlOut, summary="获取文件临时访问地址（仅本人）")
def upload_url(upload_id: str, me: Me, db: Db, ctx: Ctx) -> UrlOut:
    return service.own_upload_links(db, ctx.storage, me.user.id, upload_id)


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

