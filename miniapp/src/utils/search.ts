/** Filters of the artist search as the UI edits them (the query is built from these in pages/index). */
export interface SearchFilters {
  artistTypes: string[]
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
