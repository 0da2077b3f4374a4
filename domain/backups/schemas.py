"""Response shapes of the backups page."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain.pages import Page

BackupStatus = Literal["running", "succeeded", "failed", "expired"]
BackupTrigger = Literal["schedule", "manual"]
STATUS_LABELS = {"running": "进行中", "succeeded": "成功", "failed": "失败", "expired": "已过期删除"}
TRIGGER_LABELS = {"schedule": "每日定时", "manual": "手动"}


class BackupOut(BaseModel):
    id: int
    status: BackupStatus
    status_label: str
    trigger: BackupTrigger
    trigger_label: str
    requested_by: int | None = Field(description="手动备份的运营人员 ID")
    key: str | None = Field(description="对象存储中的备份文件（private/backups/…）")
    size: int | None = Field(description="文件大小（字节）")
    sha256: str | None
    server_version: str | None = Field(description="备份时数据库服务器版本")
    error: str | None
    started_at: datetime
    finished_at: datetime | None
    expired_at: datetime | None


class BackupPolicyOut(BaseModel):
    hour: int = Field(description="每日备份时刻（北京时间，点）")
    retention_days: int = Field(description="保留天数：更早的备份文件自动删除（最新一份成功备份始终保留）")
    next_run_at: datetime
    storage: str = Field(description="对象存储后端：local / s3")


class BackupList(Page[BackupOut]):
    policy: BackupPolicyOut


class BackupStartOut(BaseModel):
    workflow_id: str
    status: Literal["running", "succeeded", "failed"]
    backup: BackupOut | None = Field(description="已完成时的备份记录；仍在进行时为空（稍后刷新列表）")


class BackupLinkOut(BaseModel):
    url: str
    expires_at: datetime
    key: str
    size: int
    sha256: str
