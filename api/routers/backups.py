"""Database backups: the list of dumps in object storage (taken daily by a Temporal Schedule), a backup now, and
a short-lived signed download link (each link handed out is in the audit log: a dump holds everyone's data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api.deps import Ctx, Db, Page, PageSize, PathId, client_ip, require_permission
from domain import audit
from domain.accounts.permissions import Permission
from domain.backups import commands, service
from domain.backups.errors import BackupNotDownloadable, BackupNotFound
from domain.backups.schemas import BackupLinkOut, BackupList, BackupOut, BackupStartOut
from domain.db import session_factory
from domain.errors import raises
from domain.models import Operator

router = APIRouter(prefix="/admin/backups", tags=["admin"])
BackupOp = Annotated[Operator, Depends(require_permission(Permission.SYSTEM_BACKUP))]


@router.get("", response_model=BackupList, summary="数据库备份列表（含每日备份时刻与保留天数）")
def list_backups(op: BackupOp, db: Db, ctx: Ctx, page: Page = 1, page_size: PageSize = 20) -> BackupList:
    return service.list_backups(db, ctx.settings, ctx.storage, page=page, page_size=page_size)


@router.post("", response_model=BackupStartOut, summary="立即备份数据库")
async def start_backup(op: BackupOp, db: Db, ctx: Ctx) -> BackupStartOut:
    return await commands.start_now(ctx, session_factory(ctx.database_url), op.id)


@router.get("/{backup_id}", response_model=BackupOut, summary="一次备份的详情")
@raises(BackupNotFound)
def get_backup(backup_id: PathId, op: BackupOp, db: Db) -> BackupOut:
    return service.get_backup(db, backup_id)


@router.get("/{backup_id}/download", response_model=BackupLinkOut, summary="备份文件下载链接（10 分钟有效）")
@raises(BackupNotFound, BackupNotDownloadable)
def download_backup(backup_id: PathId, op: BackupOp, db: Db, ctx: Ctx, request: Request) -> BackupLinkOut:
    link = service.download_link(db, ctx.storage, backup_id)
    audit.record(db, operator_id=op.id, action="GET /admin/backups/{backup_id}/download", summary="下载数据库备份",
                 target_type="backups", target_id=str(backup_id), request={"path": {"backup_id": backup_id}},
                 ip=client_ip(request))
    return link
