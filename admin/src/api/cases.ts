// 案例审核: api/routers/cases.py (operator endpoints).
import { http } from '@/utils/request'
import type { PageQuery, PageResult } from './types'
import type { ReviewStatus } from './profiles'

/** WeChat content-security verdict. */
export type MachineCheck = 'pending' | 'pass' | 'review' | 'risky'

export interface CaseMedia {
  kind: 'image' | 'video'
  /** Short-lived signed URL. */
  url: string
  thumbnail_url: string | null
  upload_id: string
  check_status: MachineCheck
  check_label: string
}

export interface AdminCase {
  id: number
  artist_id: number
  stage_name: string
  title: string
  event_type: string
  performed_on: string | null
  description: string
  position: number
  moderation_status: ReviewStatus
  moderation_label: string
  review_reason: string | null
  machine_check: MachineCheck
  machine_check_label: string
  created_at: string
  updated_at: string
  reviewed_at: string | null
  media: CaseMedia[]
}

export interface CaseQuery extends PageQuery {
  status: ReviewStatus
}

export const getCasesApi = (query: CaseQuery) => http.get<PageResult<AdminCase>>('/admin/cases', { ...query })
/** `updated_at`: the version the operator looked at (a case edited since is not decided blindly). */
export const approveCaseApi = (id: number, updatedAt: string) =>
  http.post<AdminCase>(`/admin/cases/${id}/approve`, { updated_at: updatedAt })
export const rejectCaseApi = (id: number, reason: string, updatedAt: string) =>
  http.post<AdminCase>(`/admin/cases/${id}/reject`, { reason, updated_at: updatedAt })
