import { request } from '@/utils/request'
import type { MetaOptions } from './types'

let cached: Promise<MetaOptions> | null = null

/** Options change rarely; one fetch per app launch is enough (a failed fetch is retried next call). */
export function getMetaOptionsApi(): Promise<MetaOptions> {
  if (!cached) {
    cached = request<MetaOptions>('/meta/options').catch((e) => {
      cached = null
      throw e
    })
  }
  return cached
}
