// 案例审核: api/routers/cases.py (operator endpoints).
import { http } from '@/utils/request'
import type { PageQuery, PageResult, Schemas } from './types'
import type { ReviewStatus } from './profiles'

/** WeChat content-security verdict. */
export type MachineCheck = 'pending' | 'pass' | 'review' | 'risky'

export type CaseMedia = Schemas['CaseMediaDetailOut']

export type AdminCase = Schemas['AdminCaseOut']

export interface CaseQuery extends PageQuery {
  status: ReviewStatus
}

export const getCasesApi = (query: CaseQuery) => http.get<PageResult<AdminCase>>('/admin/cases', { ...query })
/** `updated_at`: the version the operator looked at (a case edited since is not decided blindly). */
export const approveCaseApi = (id: number, updatedAt: string) =>
  http.post<AdminCase>(`/admin/cases/${id}/approve`, { updated_at: updatedAt })
export const rejectCaseApi = (id: number, reason: string, updatedAt: string) =>
  http.post<AdminCase>(`/admin/cases/${id}/reject`, { reason, updated_at: updatedAt })
