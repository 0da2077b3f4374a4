import { http } from '@/utils/request'
import type { Schemas } from './types'

/** A rule of GET /admin/settings: label, group, kind, bounds, default and the value in effect. */
export type Setting = Schemas['SettingOut']
export type SettingKind = Setting['kind']
/** One change of a rule (GET /admin/settings/{key}/history), newest first. */
export type SettingChange = Schemas['SettingChangeOut']
/** A refund tier of booking.cancellation_tiers. */
export interface Tier {
  days_before: number
  refund_percent: number
}
/** One outside service of GET /admin/system/integrations. */
export type Integration = Schemas['IntegrationOut']

export const getSettingsApi = () => http.get<Setting[]>('/admin/settings')

/** Refused values answer 422 with a Chinese message (setting_invalid) and change nothing. */
export const putSettingApi = (key: string, value: unknown) =>
  http.put<Setting>('/admin/settings', { key, value }, { silent: true })

export const getSettingHistoryApi = (key: string) =>
  http.get<SettingChange[]>(`/admin/settings/${encodeURIComponent(key)}/history`)

export const getIntegrationsApi = () => http.get<Integration[]>('/admin/system/integrations')
