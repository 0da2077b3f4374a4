"""One error per backup problem (stable code, Chinese message, real HTTP status)."""

from __future__ import annotations

from domain.errors import AppError, Conflict, NotFound


class BackupNotFound(NotFound):
    code, message = "backup_not_found", "备份不存在"


class BackupNotDownloadable(Conflict):
    code, message = "backup_not_downloadable", "该备份没有可下载的文件（未成功或已过保留期）"


class BackupToolMissing(AppError):
    """No pg_dump / pg_restore of the database server's major version on this machine."""

    status, code, message = 503, "backup_tool_missing", "找不到与数据库版本一致的 pg_dump / pg_restore"


class RestoreTargetNotEmpty(Conflict):
    code, message = "restore_target_not_empty", "目标数据库不是空库，拒绝恢复（请恢复到新建的空数据库）"
