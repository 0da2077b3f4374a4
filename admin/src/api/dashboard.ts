// 数据看板: GET /admin/dashboard/{overview,funnel,demand,top-artists,new-users}, each over a China-day range
// (YYYY-MM-DD, both ends included; the API defaults to the 30 days ending today). How each figure is counted:
// domain/dashboard/service.py.
import { http } from '@/utils/request'
import type { Schemas } from './types'

export type DashboardOverview = Schemas['DashboardOverviewOut']
export type DashboardFigures = Schemas['DashboardFigures']
export type DashboardFunnel = Schemas['DashboardFunnelOut']
export type DashboardDemand = Schemas['DashboardDemandOut']
export type DashboardDemandItem = Schemas['DashboardDemandItem']
export type DashboardTopArtists = Schemas['DashboardTopArtistsOut']
export type DashboardNewUsers = Schemas['DashboardNewUsersOut']

export interface DayRange {
  start: string
  end: string
}

export const getDashboardOverviewApi = (r: DayRange) => http.get<DashboardOverview>('/admin/dashboard/overview', { ...r })
export const getDashboardFunnelApi = (r: DayRange) => http.get<DashboardFunnel>('/admin/dashboard/funnel', { ...r })
export const getDashboardDemandApi = (r: DayRange) => http.get<DashboardDemand>('/admin/dashboard/demand', { ...r })
export const getDashboardTopArtistsApi = (r: DayRange, limit = 10) =>
  http.get<DashboardTopArtists>('/admin/dashboard/top-artists', { ...r, limit })
export const getDashboardNewUsersApi = (r: DayRange) =>
  http.get<DashboardNewUsers>('/admin/dashboard/new-users', { ...r })
