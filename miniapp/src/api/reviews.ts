import { request } from '@/utils/request'
import type { MyReview, Page } from './types'

/** 评价管理 (artist: received reviews; client: the reviews they wrote). */
export function getMyReviewsApi(page = 1, pageSize = 20, options: { toast?: boolean } = {}) {
  return request<Page<MyReview>>('/me/reviews', { query: { page, page_size: pageSize }, ...options })
}

/** The artist's one reply to a review; sending again edits it. */
export function replyReviewApi(reviewId: number, reply: string) {
  return request<MyReview>(`/reviews/${encodeURIComponent(String(reviewId))}/reply`, { method: 'PUT', data: { reply } })
}
