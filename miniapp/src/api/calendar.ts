import { request } from '@/utils/request'
import type { CalendarDeleted, CalendarRangeInput, CalendarRangeResult, MyCalendar } from './types'

/**
 * 我的档期 between two Shanghai dates (YYYY-MM-DD, both included). In acting mode (代为管理) the wrapper adds
 * `X-Artist-Id`, so these read and write the managed artist's calendar.
 */
export function getMyCalendarApi(start: string, end: string, options: { toast?: boolean } = {}) {
  return request<MyCalendar>('/calendar/me', { query: { start, end }, ...options })
}

/** 批量设置: 409 with the clashing holds/bookings in `detail` when the range touches one. */
export function setCalendarRangeApi(body: CalendarRangeInput, options: { toast?: boolean } = {}) {
  return request<CalendarRangeResult>('/calendar/me/range', { method: 'PUT', data: body, ...options })
}

export function deleteCalendarSlotApi(slotId: number) {
  return request<CalendarDeleted>(`/calendar/me/slots/${encodeURIComponent(String(slotId))}`, { method: 'DELETE' })
}
