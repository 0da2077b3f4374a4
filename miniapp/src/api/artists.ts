import { request } from '@/utils/request'
import type { ArtistDetail, ArtistMonthCalendar, ArtistPage, ArtistQuery } from './types'

export function getArtistListApi(query: ArtistQuery = {}) {
  return request<ArtistPage>('/artists', { query: { ...query } })
}

/** Sent with the token when logged in, so `favorited` reflects the viewer. */
export function getArtistDetailApi(id: number | string, options: { toast?: boolean } = {}) {
  return request<ArtistDetail>(`/artists/${encodeURIComponent(String(id))}`, options)
}

/** Public month view (档期): one status per day. Failures are the caller's to show (no toast). */
export function getArtistMonthCalendarApi(id: number | string, month: string) {
  return request<ArtistMonthCalendar>(`/artists/${encodeURIComponent(String(id))}/calendar`,
    { query: { month }, toast: false })
}
