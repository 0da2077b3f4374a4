import { request } from '@/utils/request'
import type { ArtistItem, FavoriteResult, Page } from './types'

/** 收藏艺人 — clients only (the API answers 403 for other roles). */
export function favoriteArtistApi(id: number | string) {
  return request<FavoriteResult>(`/favorites/artists/${encodeURIComponent(String(id))}`, { method: 'POST' })
}

export function unfavoriteArtistApi(id: number | string) {
  return request<FavoriteResult>(`/favorites/artists/${encodeURIComponent(String(id))}`, { method: 'DELETE' })
}

export function getFavoriteArtistsApi(page = 1, pageSize = 20, options: { toast?: boolean } = {}) {
  return request<Page<ArtistItem>>('/favorites/artists', { query: { page, page_size: pageSize }, ...options })
}
