// 数据备份: api/routers/backups.py — the daily pg_dump runs, 立即备份, and short-lived download links.
import { http } from '@/utils/request'
import type { PageQuery, Schemas } from './types'

export type Backup = Schemas['BackupOut']
export type BackupList = Schemas['BackupList']
export type BackupStart = Schemas['BackupStartOut']
export type BackupLink = Schemas['BackupLinkOut']

export const getBackupsApi = (page: PageQuery) => http.get<BackupList>('/admin/backups', { ...page })
export const startBackupApi = () => http.post<BackupStart>('/admin/backups')
export const getBackupLinkApi = (id: number) => http.get<BackupLink>(`/admin/backups/${id}/download`)
