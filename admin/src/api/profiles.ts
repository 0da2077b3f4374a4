// 资料审核, 标签, 资质审核: api/routers/profiles.py (operator endpoints).
import { http } from '@/utils/request'
import type { PageQuery, PageResult } from './types'

export type ReviewStatus = 'pending' | 'approved' | 'rejected'
export type DraftStatus = 'editing' | 'pending' | 'approved' | 'rejected' | 'published'

export interface TeamMember {
  name: string
  role: string
}

export interface PriceLine {
  title: string
  duration_minutes: number
  min_amount: number
  max_amount: number
  negotiable: boolean
}

/** ProfileDataOut: what the public artist page shows (draft or current). */
export interface ProfileData {
  stage_name: string
  avatar_upload_id: string | null
  /** Short-lived signed thumbnail URL. */
  avatar_url: string | null
  artist_types: string[]
  artist_type_labels: string[]
  styles: string[]
  city: string
  regions: string[]
  active_since_year: number | null
  bio: string
  works: string[]
  team: TeamMember[]
  prices: PriceLine[]
  travel_terms: string
}

/** One submission in the queue: the draft next to what the public sees now. */
export interface ProfileReviewItem {
  artist_id: number
  status: DraftStatus
  status_label: string
  submitted_at: string | null
  review_reason: string | null
  draft: ProfileData
  current: ProfileData
  /** ProfileData field names that differ between draft and current. */
  changed_fields: string[]
}

export interface ProfileReviewQuery extends PageQuery {
  status: ReviewStatus
}

export const getProfileReviewsApi = (query: ProfileReviewQuery) =>
  http.get<PageResult<ProfileReviewItem>>('/admin/profile-reviews', { ...query })

/** `submitted_at` pins the decision to the submission the operator looked at. */
export const approveProfileApi = (artistId: number, submittedAt: string | null) =>
  http.post<unknown>(`/admin/profile-reviews/${artistId}/approve`, { submitted_at: submittedAt })

export const rejectProfileApi = (artistId: number, reason: string, submittedAt: string | null) =>
  http.post<unknown>(`/admin/profile-reviews/${artistId}/reject`, { reason, submitted_at: submittedAt })

// --- tags

export interface Tag {
  id: number
  name: string
  artist_count: number
}

export interface ArtistTags {
  artist_id: number
  tags: Tag[]
}

export const getTagsApi = () => http.get<Tag[]>('/admin/tags')
export const getArtistTagsApi = (artistId: number) => http.get<ArtistTags>(`/admin/artists/${artistId}/tags`)
export const createTagApi = (name: string) => http.post<Tag>('/admin/tags', { name })
export const renameTagApi = (id: number, name: string) => http.patch<Tag>(`/admin/tags/${id}`, { name })
export const deleteTagApi = (id: number) => http.delete<{ id: number; deleted: boolean }>(`/admin/tags/${id}`)
export const assignTagApi = (artistId: number, tagId: number) =>
  http.put<ArtistTags>(`/admin/artists/${artistId}/tags/${tagId}`)
export const unassignTagApi = (artistId: number, tagId: number) =>
  http.delete<ArtistTags>(`/admin/artists/${artistId}/tags/${tagId}`)

// --- qualifications

export interface Qualification {
  id: number
  artist_id: number
  stage_name: string
  kind: string
  kind_label: string
  title: string
  upload_id: string
  content_type: string
  status: ReviewStatus
  status_label: string
  review_reason: string | null
  created_at: string
  reviewed_at: string | null
}

export interface FileUrl {
  url: string
  thumbnail_url: string | null
  expires_in: number
}

export interface QualificationQuery extends PageQuery {
  status: ReviewStatus | 'all'
}

export const getQualificationsApi = (query: QualificationQuery) =>
  http.get<PageResult<Qualification>>('/admin/qualifications', { ...query })
export const approveQualificationApi = (id: number) => http.post<Qualification>(`/admin/qualifications/${id}/approve`)
export const rejectQualificationApi = (id: number, reason: string) =>
  http.post<Qualification>(`/admin/qualifications/${id}/reject`, { reason })
/** A signed link valid for a few minutes: fetch it when the operator opens the file, not with the list. */
export const getQualificationUrlApi = (id: number) => http.get<FileUrl>(`/admin/qualifications/${id}/url`)
