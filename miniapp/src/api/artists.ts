import { request } from '@/utils/request'
import type { ArtistDetail, ArtistMonthCalendar, ArtistPage, ArtistQuery, CalendarSlot } from './types'

export function getArtistListApi(query: ArtistQuery = {}) {
  return request<ArtistPage>('/artists', { query: { ...query } })
}

/** Sent with the token when logged in, so `favorited` reflects the viewer. */
export function getArtistDetailApi(id: number | string, options: { toast?: boolean } = {}) {
  return request<ArtistDetail>(`/artists/${encodeURIComponent(String(id))}`, options)
}

/**
 * Public month view (档期). Accepts the shapes the endpoint may take ({slots}, {days} or a bare list of
 * slots) so the page only deals with one. Failures are the caller's to show (no toast).
 */
export async function getArtistMonthCalendarApi(id: number | string, month: string): Promise<ArtistMonthCalendar> {
  const res = await request<ArtistMonthCalendar | CalendarSlot[]>(
    `/artists/${encodeURIComponent(String(id))}/calendar`,
    { query: { month }, toast: false },
  )
  return Array.isArray(res) ? { month, slots: res } : res
}
