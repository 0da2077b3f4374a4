/**
 * The artist's profile draft and cases: the user's own (acting as artist), or in 代为管理 the managed
 * artist's — utils/request.ts adds `X-Artist-Id` to these paths then (stores/acting.ts).
 */
import { ApiError, isMissingEndpoint, request } from '@/utils/request'
import type { ArtistProfileData, ArtistProfileDraft, MyCase, MyCaseInput, Page, Privacy } from './types'
export type { Privacy }

export function getMyArtistDraftApi() {
  return request<ArtistProfileDraft>('/me/artist/profile', { toast: false })
}

export function saveMyArtistDraftApi(data: ArtistProfileData) {
  return request<ArtistProfileDraft>('/me/artist/profile', { method: 'PUT', data })
}

/** Artist only (never sent for a managed artist): applies at once, no review — it only hides things. */
export function saveMyPrivacyApi(data: Privacy) {
  return request<Privacy>('/me/artist/profile/privacy', { method: 'PUT', data })
}

export function submitMyArtistDraftApi() {
  return request<ArtistProfileDraft>('/me/artist/profile/submit', { method: 'POST' })
}

/** The list may come as a page ({items,total}) or a bare array; callers get the items. */
export async function getMyCasesApi(): Promise<MyCase[]> {
  const res = await request<Page<MyCase> | MyCase[]>('/me/artist/cases', { toast: false })
  return Array.isArray(res) ? res : res.items ?? []
}

export function createMyCaseApi(data: MyCaseInput) {
  return request<MyCase>('/me/artist/cases', { method: 'POST', data })
}

/** Why the artist's own draft or cases couldn't load, in Chinese (`service`: what is not open yet). */
export function artistSelfLoadError(e: unknown, service: string): string {
  if (isMissingEndpoint(e)) return `${service}暂未开放，请稍后再试`
  if (e instanceof ApiError && e.code === 'role_required') return '请先切换为艺人身份'
  return (e as Error)?.message || '加载失败'
}
