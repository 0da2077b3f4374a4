import { request } from '@/utils/request'
import type { ArtistDetail, ArtistItem, ArtistQuery, Page } from './types'

export function getArtistListApi(query: ArtistQuery = {}) {
  return request<Page<ArtistItem>>('/artists', { query: { ...query } })
}

export function getArtistDetailApi(id: number | string) {
  return request<ArtistDetail>(`/artists/${encodeURIComponent(String(id))}`)
}
