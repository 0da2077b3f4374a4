/**
 * The artist's agent team (经纪人/助理). The team is the artist's own: these calls never carry
 * `X-Artist-Id`, so in acting mode they are not offered at all. The artist invites by phone; the invited user
 * accepts or declines; a member lists and leaves artists.
 */
import { request } from '@/utils/request'
import type { ManagedArtist, ManagerRole, ReceivedInvitation, TeamInvitation, TeamInvite, TeamManager } from './types'

export function getTeamApi() {
  return request<TeamManager[]>('/me/artist/team', { toast: false })
}

/**
 * Invite by phone; the person joins only by accepting. The answer is the same whether or not the phone has an
 * account. Errors come back to the page (toast off) so it can show the server's Chinese message inline.
 */
export function inviteTeamMemberApi(phone: string, role: ManagerRole) {
  return request<TeamInvite>('/me/artist/team', { method: 'POST', data: { phone, role }, toast: false })
}

export function getTeamInvitationsApi() {
  return request<TeamInvitation[]>('/me/artist/team/invitations', { toast: false })
}

export function cancelTeamInvitationApi(id: number | string) {
  return request<void>(`/me/artist/team/invitations/${encodeURIComponent(String(id))}`, { method: 'DELETE' })
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

/** Invitations to the user's phone (also those sent before the phone registered). */
export function getReceivedInvitationsApi(options: { toast?: boolean } = {}) {
  return request<ReceivedInvitation[]>('/me/team-invitations', { toast: false, ...options })
}

export function acceptInvitationApi(id: number | string) {
  return request<ManagedArtist>(`/me/team-invitations/${encodeURIComponent(String(id))}/accept`, { method: 'POST' })
}

export function declineInvitationApi(id: number | string) {
  return request<void>(`/me/team-invitations/${encodeURIComponent(String(id))}/decline`, { method: 'POST' })
}
