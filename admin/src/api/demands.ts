// 需求审核: api/routers/discovery.py (operator endpoints).
import { http } from '@/utils/request'
import type { PageQuery, PageResult } from './types'
import type { ReviewStatus } from './profiles'

export interface Demand {
  id: number
  client_org: string
  event_type: string
  start_at: string
  end_at: string
  city: string
  venue_address: string
  audience_size: number | null
  budget_min_amount: number
  budget_max_amount: number
  currency: string
  artist_types: string[]
  artist_type_labels: string[]
  description: string
  status: string
  status_label: string
  moderation_status: ReviewStatus
  moderation_label: string
  review_reason: string | null
  response_count: number
  created_at: string
}

export interface DemandQuery extends PageQuery {
  moderation_status: ReviewStatus
}

export const getDemandsApi = (query: DemandQuery) => http.get<PageResult<Demand>>('/admin/demands', { ...query })

/** One endpoint for both decisions; a rejection needs a reason of at least 2 characters. */
export const reviewDemandApi = (id: number, status: 'approved' | 'rejected', reason = '') =>
  http.post<Demand>(`/admin/demands/${id}/review`, { status, reason })
