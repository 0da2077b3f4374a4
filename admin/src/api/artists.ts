// 艺人管理 and 入驻审核: api/routers/admin_artists.py (list with statistics, one artist's statistics, exports) and
// the profile review queue filtered to new artists' applications (api/routers/profiles.py, kind=onboarding).
import { http, type QueryParams } from '@/utils/request'
import type { PageQuery, Schemas } from './types'
import type { ProfileReviewItem, ReviewStatus } from './profiles'
import type { PageResult } from './types'

export type AdminArtist = Schemas['AdminArtistOut']
export type ArtistStats = Schemas['ArtistStats']
export type ArtistPage = Schemas['AdminArtistPage']
export type ArtistStatsDetail = Schemas['ArtistStatsOut']
export type MonthStats = Schemas['MonthStats']
export type ArtistSort = 'newest' | 'bookings' | 'completed_shows' | 'revenue' | 'rating' | 'cancellations'

/** The list's filters; the export takes the same ones. '' = not filtered. */
export interface ArtistFilters {
  start: string
  end: string
  keyword: string
  city: string
  artist_type: string
  status: '' | 'active' | 'warned' | 'banned'
  listed: '' | 'listed' | 'pending'
  sort: ArtistSort
}

export function artistParams(f: ArtistFilters): QueryParams {
  return {
    start: f.start || undefined,
    end: f.end || undefined,
    keyword: f.keyword.trim() || undefined,
    city: f.city.trim() || undefined,
    artist_type: f.artist_type || undefined,
    status: f.status || undefined,
    listed: f.listed || undefined,
    sort: f.sort,
  }
}

export const getArtistListApi = (filters: QueryParams, page: PageQuery) =>
  http.get<ArtistPage>('/admin/artists', { ...filters, ...page })

export const getArtistStatsApi = (artistId: number, start: string, end: string) =>
  http.get<ArtistStatsDetail>(`/admin/artists/${artistId}/stats`, {
    start: start || undefined,
    end: end || undefined,
  })

/** New artists' applications (入驻申请): the profile review queue's first profiles, approved or rejected there. */
export const getOnboardingApi = (query: PageQuery & { status: ReviewStatus }) =>
  http.get<PageResult<ProfileReviewItem>>('/admin/profile-reviews', { ...query, kind: 'onboarding' })
