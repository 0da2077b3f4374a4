/**
 * The artist's agent team (经纪人/助理). The team is the artist's own: these calls never carry
 * `X-Artist-Id`, so in acting mode they are not offered at all. A member lists and leaves artists.
 */
import { request } from '@/utils/request'
import type { ManagedArtist, ManagerRole, TeamManager } from './types'

export function getTeamApi() {
  return request<TeamManager[]>('/me/artist/team', { toast: false })
}

/** Errors come back to the page (toast off) so it can show the server's Chinese message inline. */
export function addTeamMemberApi(phone: string, role: ManagerRole) {
  return request<TeamManager>('/me/artist/team', { method: 'POST', data: { phone, role }, toast: false })
}

export function removeTeamMemberApi(userId: number | string) {
  return request<void>(`/me/artist/team/${encodeURIComponent(String(userId))}`, { method: 'DELETE' })
}

export function getManagedArtistsApi(options: { toast?: boolean } = {}) {
  return request<ManagedArtist[]>('/me/managed-artists', { toast: false, ...options })
}

export function leaveArtistTeamApi(artistId: number | string) {
  return request<void>(`/me/managed-artists/${encodeURIComponent(String(artistId))}`, { method: 'DELETE' })
}
