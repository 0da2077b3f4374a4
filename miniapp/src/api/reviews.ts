import { request } from '@/utils/request'
import type { MyReview, Page, ReviewDetail, ReviewInput } from './types'

/** 评价管理 (artist: received reviews; client: the reviews they wrote). */
export function getMyReviewsApi(page = 1, pageSize = 20, options: { toast?: boolean } = {}) {
  return request<Page<MyReview>>('/me/reviews', { query: { page, page_size: pageSize }, ...options })
}

/** The artist's one reply to a review; sending again edits it. */
export function replyReviewApi(reviewId: number, reply: string) {
  return request<MyReview>(`/reviews/${encodeURIComponent(String(reviewId))}/reply`, { method: 'PUT', data: { reply } })
}

/** The client's one review of a completed booking (photos: the client's own `case_image` upload ids). */
export function createReviewApi(bookingId: number | string, body: ReviewInput, options: { toast?: boolean } = {}) {
  return request<ReviewDetail>(`/bookings/${encodeURIComponent(String(bookingId))}/review`, {
    method: 'POST',
    data: body,
    ...options,
  })
}
