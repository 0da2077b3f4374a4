// 评价管理: api/routers/reviews.py (operator endpoints).
import { http } from '@/utils/request'
import type { PageQuery, PageResult } from './types'

export type ReviewVisibility = 'visible' | 'hidden'

export interface ReviewDetail {
  id: number
  booking_id: number
  artist_id: number
  artist_name: string
  client_label: string
  client_org: string | null
  effect_score: number
  attitude_score: number
  punctuality_score: number
  average: number
  text: string
  photo_urls: string[]
  photo_upload_ids: string[]
  reply: string | null
  replied_at: string | null
  status: ReviewVisibility
  status_label: string
  hidden_reason: string | null
  hidden_at: string | null
  created_at: string
}

export interface ReviewQuery extends PageQuery {
  status?: ReviewVisibility | ''
  artist_id?: number | null
}

export const getReviewsApi = (query: ReviewQuery) =>
  http.get<PageResult<ReviewDetail>>('/admin/reviews', { ...query })
export const hideReviewApi = (id: number, reason: string) =>
  http.post<ReviewDetail>(`/admin/reviews/${id}/hide`, { reason })
export const unhideReviewApi = (id: number) => http.post<ReviewDetail>(`/admin/reviews/${id}/unhide`)
