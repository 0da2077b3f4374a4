import { request } from '@/utils/request'
import type { HomeContent } from './types'

/** Banners, recommended artists and current announcements; public. Failures are the caller's (no toast):
 * the search list below works without them. */
export function getHomeContentApi() {
  return request<HomeContent>('/home', { toast: false })
}
