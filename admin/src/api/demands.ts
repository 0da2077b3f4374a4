// 需求审核: api/routers/discovery.py (operator endpoints).
import { http } from '@/utils/request'
import type { PageQuery, PageResult, Schemas } from './types'
import type { ReviewStatus } from './profiles'

export type Demand = Schemas['DemandOut']

export interface DemandQuery extends PageQuery {
  moderation_status: ReviewStatus
}

export const getDemandsApi = (query: DemandQuery) => http.get<PageResult<Demand>>('/admin/demands', { ...query })

/** One endpoint for both decisions; a rejection needs a reason of at least 2 characters. */
export const reviewDemandApi = (id: number, status: 'approved' | 'rejected', reason = '') =>
  http.post<Demand>(`/admin/demands/${id}/review`, { status, reason })
