/**
 * Shapes of the API come from schema.d.ts, which `python -m api.client_types` generates from /openapi.json
 * (a test fails when it is stale): modules name them, never write them by hand.
 */
import type { components } from './schema'

export type Schemas = components['schemas']

/** List envelope of every paginated endpoint (domain/pages.py's Page[T]). */
export type PageResult<T> = Omit<Schemas['Page_AdminUserOut_'], 'items'> & { items: T[] }

export interface PageQuery {
  page: number
  page_size: number
}
