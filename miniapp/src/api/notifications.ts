import { request } from '@/utils/request'
import type { components } from './schema'

type S = components['schemas']
export type NotificationSettings = S['NotificationSettings']
export type NotificationKindSetting = S['KindSetting']
export type NotificationSettingChange = S['NotificationSettingChange']
export type SubscribeTemplates = S['SubscribeTemplates']

/** 通知设置: every kind with its channels (站内通知 always on; 短信 only for urgent kinds). */
export function getNotificationSettingsApi() {
  return request<NotificationSettings>('/me/notification-settings')
}

export function saveNotificationSettingsApi(changes: NotificationSettingChange[]) {
  return request<NotificationSettings>('/me/notification-settings', { method: 'PUT', data: { changes } })
}

/** The templates the user accepted in uni.requestSubscribeMessage: each allows one WeChat message. */
export function addSubscriptionsApi(accepted: string[]) {
  return request<NotificationSettings>('/me/notification-settings/subscriptions', {
    method: 'POST',
    data: { accepted },
    toast: false,
  })
}

let cached: Promise<SubscribeTemplates> | null = null

/** Template ids per kind and which to ask for after booking / paying (public; one fetch per launch). */
export function getSubscribeTemplatesApi(): Promise<SubscribeTemplates> {
  if (!cached) {
    cached = request<SubscribeTemplates>('/meta/subscribe-templates', { toast: false }).catch((e) => {
      cached = null
      throw e
    })
  }
  return cached
}
