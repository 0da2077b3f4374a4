/** Page URLs used from several places. */

export function artistDetailUrl(id: number | string, options: { favorite?: boolean } = {}): string {
  return `/pages/artist/detail?id=${encodeURIComponent(String(id))}${options.favorite ? '&fav=1' : ''}`
}

export function openArtist(id: number | string): void {
  uni.navigateTo({ url: artistDetailUrl(id) })
}
