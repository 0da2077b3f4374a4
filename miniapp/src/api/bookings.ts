import { request } from '@/utils/request'
import type {
  ActionInput,
  ActionResult,
  Booking,
  BookingDetail,
  BookingQuery,
  Inquiry,
  InquiryInput,
  NotificationPage,
  Page,
} from './types'

const id = (v: number | string) => encodeURIComponent(String(v))

/** 发起询价: one inquiry to 1–10 artists; each artist gets its own booking. */
export function createInquiryApi(body: InquiryInput, options: { toast?: boolean } = {}) {
  return request<Inquiry>('/inquiries', { method: 'POST', data: body, ...options })
}

/** The answers of every invited artist, side by side. */
export function getInquiryApi(inquiryId: number | string, options: { toast?: boolean } = {}) {
  return request<Inquiry>(`/inquiries/${id(inquiryId)}`, options)
}

/** Go ahead with the chosen bookings; the inquiry's other open bookings are withdrawn. */
export function proceedInquiryApi(inquiryId: number | string, bookingIds: number[]) {
  return request<Inquiry>(`/inquiries/${id(inquiryId)}/proceed`, { method: 'POST', data: { booking_ids: bookingIds } })
}

/** 我的订单 (client) / 预约请求 (artist): the API picks by the current role. */
export function listBookingsApi(query: BookingQuery = {}, options: { toast?: boolean } = {}) {
  return request<Page<Booking>>('/bookings', { query, ...options })
}

export function getBookingApi(bookingId: number | string, options: { toast?: boolean } = {}) {
  return request<BookingDetail>(`/bookings/${id(bookingId)}`, options)
}

/**
 * Run one of the booking's `allowed_actions`. Payments answer with a payment order (`pay_url` for the
 * cashier); the booking's state only moves when the gateway's callback arrives.
 */
export function bookingActionApi(
  bookingId: number | string,
  action: string,
  body: Partial<ActionInput> = {},
  options: { toast?: boolean } = {},
) {
  return request<ActionResult>(`/bookings/${id(bookingId)}/actions/${encodeURIComponent(action)}`, {
    method: 'POST',
    data: body,
    ...options,
  })
}

/** 通知中心, newest first, one page at a time; `unread` on every page counts all unread notifications. */
export function listNotificationsApi(
  page = 1,
  pageSize = 20,
  options: { toast?: boolean; unreadOnly?: boolean } = {},
) {
  const { unreadOnly, ...rest } = options
  const query = { page, page_size: pageSize, ...(unreadOnly ? { unread_only: true } : {}) }
  return request<NotificationPage>('/notifications', { query, ...rest })
}

export function unreadCountApi() {
  return request<{ unread: number }>('/notifications/unread-count', { toast: false })
}

export function readNotificationApi(notificationId: number | string) {
  return request<unknown>(`/notifications/${id(notificationId)}/read`, { method: 'POST' })
}

export function readAllNotificationsApi() {
  return request<unknown>('/notifications/read-all', { method: 'POST' })
}
