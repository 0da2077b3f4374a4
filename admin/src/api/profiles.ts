// 资料审核, 标签, 资质审核: api/routers/profiles.py (operator endpoints).
import { http } from '@/utils/request'
import type { PageQuery, PageResult, Schemas } from './types'

export type ReviewStatus = 'pending' | 'approved' | 'rejected'
export type DraftStatus = Schemas['ReviewItemOut']['status']

export type TeamMember = Schemas['TeamMemberOut']

export type PriceLine = Schemas['PriceLineOut']

/** ProfileDataOut: what the public artist page shows (draft or current). */
export type ProfileData = Schemas['ProfileDataOut']

/** One submission in the queue: the draft next to what the public sees now. */
export type ProfileReviewItem = Schemas['ReviewItemOut']

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

export type Tag = Schemas['TagOut']

export type ArtistTags = Schemas['ArtistTagsOut']

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

export type Qualification = Schemas['QualificationOut']

export type FileUrl = Schemas['UrlOut']

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
