// 评价管理: api/routers/reviews.py (operator endpoints).
import { http } from '@/utils/request'
import type { PageQuery, PageResult, Schemas } from './types'

export type ReviewVisibility = Schemas['ReviewDetail']['status']

export type ReviewDetail = Schemas['ReviewDetail']

export interface ReviewQuery extends PageQuery {
  status?: ReviewVisibility | ''
  artist_id?: number | null
}

export const getReviewsApi = (query: ReviewQuery) =>
  http.get<PageResult<ReviewDetail>>('/admin/reviews', { ...query })
export const hideReviewApi = (id: number, reason: string) =>
  http.post<ReviewDetail>(`/admin/reviews/${id}/hide`, { reason })
export const unhideReviewApi = (id: number) => http.post<ReviewDetail>(`/admin/reviews/${id}/unhide`)
