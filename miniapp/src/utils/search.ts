/** Filters of the artist search as the UI edits them (the query is built from these in pages/index). */
import type { ArtistItem, ArtistTypeValue, Facets } from '@/api/types'
import type { CartArtist } from '@/stores/cart'
import { yuanToFen } from './format'

export interface SearchFilters {
  artistTypes: ArtistTypeValue[]
  cities: string[]
  /** Yuan as typed (converted to fen when querying). */
  priceMin: string
  priceMax: string
  /** YYYY-MM-DD */
  availableOn: string
  verifiedOnly: boolean
  minRating: number
}

export function emptyFilters(): SearchFilters {
  return { artistTypes: [], cities: [], priceMin: '', priceMax: '', availableOn: '', verifiedOnly: false, minRating: 0 }
}

/** The count a facet gives a value, or null when the listing carried no count for it. */
export function facetCount(facets: Facets, facet: string, key: string): number | null {
  const n = facets[facet]?.[key]
  return typeof n === 'number' ? n : null
}

/** A typed price bound in fen for the query; blank or invalid input means no bound. */
export function priceBound(text: string): number | undefined {
  return yuanToFen(text) ?? undefined
}

/** '' when the typed range (yuan, either end may be blank) can be searched, else why not. */
export function priceRangeError(min: string, max: string): string {
  const lo = min.trim() === '' ? undefined : yuanToFen(min)
  const hi = max.trim() === '' ? undefined : yuanToFen(max)
  if (lo === null || hi === null) return '请输入有效的金额（元）'
  if (lo !== undefined && hi !== undefined && lo > hi) return '最低价不能高于最高价'
  return ''
}

/** What the 预约单 keeps of an artist card. */
export function cartEntry(a: ArtistItem): CartArtist {
  return { id: a.id, stageName: a.stage_name, avatarUrl: a.avatar_url ?? null, typeLabels: a.artist_type_labels, city: a.city }
}
