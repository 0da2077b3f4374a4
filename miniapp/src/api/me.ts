import { request, upload } from '@/utils/request'
import type {
  ArtistProfileInput,
  ClientProfileInput,
  Me,
  Role,
  Verification,
  VerificationInput,
} from './types'

export function getMeApi(options: { toast?: boolean } = {}) {
  return request<Me>('/me', options)
}

export function switchRoleApi(role: Role) {
  return request<Me>('/me/role', { method: 'POST', data: { role } })
}

export function saveClientProfileApi(data: ClientProfileInput) {
  return request<Me>('/me/client-profile', { method: 'PUT', data })
}

export function saveArtistProfileApi(data: ArtistProfileInput) {
  return request<Me>('/me/artist-profile', { method: 'PUT', data })
}

export function submitVerificationApi(data: VerificationInput) {
  return request<Verification>('/me/verification', { method: 'POST', data })
}

export function uploadLicenceApi(filePath: string) {
  return upload<{ upload_id: string }>('/uploads/licence', filePath)
}
