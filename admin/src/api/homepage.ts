// 首页推荐, banners and 公告: api/routers/homepage.py (the mini-program home reads GET /home).
import { http } from '@/utils/request'
import type { PageQuery, Schemas } from './types'

export type Recommendation = Schemas['RecommendationOut']
export type ArtistOption = Schemas['ArtistOption']
export type Banner = Schemas['BannerOut']
export type BannerInput = Schemas['BannerIn']
export type BannerImage = Schemas['BannerImageOut']
export type BannerLinkType = Banner['link_type']
export type Announcement = Schemas['AnnouncementOut']
export type AnnouncementInput = Schemas['AnnouncementIn']
export type AnnouncementPage = Schemas['Page_AnnouncementOut_']

export const getRecommendationsApi = () => http.get<Recommendation[]>('/admin/homepage/recommendations')
export const setRecommendationsApi = (artistIds: number[]) =>
  http.put<Recommendation[]>('/admin/homepage/recommendations', { artist_ids: artistIds })
export const getArtistOptionsApi = (q: string) => http.get<ArtistOption[]>('/admin/homepage/artist-options', { q })

export const getBannersApi = () => http.get<Banner[]>('/admin/homepage/banners')
export function uploadBannerImageApi(file: File) {
  const form = new FormData()
  form.append('file', file)
  return http.post<BannerImage>('/admin/homepage/banner-images', form)
}
export const createBannerApi = (body: BannerInput) => http.post<Banner>('/admin/homepage/banners', body)
export const updateBannerApi = (id: number, body: BannerInput) => http.put<Banner>(`/admin/homepage/banners/${id}`, body)
export const deleteBannerApi = (id: number) => http.delete<void>(`/admin/homepage/banners/${id}`)
export const reorderBannersApi = (ids: number[]) => http.put<Banner[]>('/admin/homepage/banners/order', { ids })

export const getAnnouncementsApi = (query: PageQuery) =>
  http.get<AnnouncementPage>('/admin/announcements', { ...query })
export const createAnnouncementApi = (body: AnnouncementInput) => http.post<Announcement>('/admin/announcements', body)
export const updateAnnouncementApi = (id: number, body: AnnouncementInput) =>
  http.put<Announcement>(`/admin/announcements/${id}`, body)
export const deleteAnnouncementApi = (id: number) => http.delete<void>(`/admin/announcements/${id}`)
