/**
 * 预约单: the artists a client collects (from search, an artist page or 我的意向艺人) to send one inquiry to
 * all of them. Kept on the device like a shopping cart; at most 10, the API's limit per inquiry.
 */
import { computed, reactive } from 'vue'

const CART_KEY = 'yanyue.cart'
export const CART_LIMIT = 10

export interface CartArtist {
  id: number
  stageName: string
  avatarUrl: string | null
  typeLabels: string[]
  city: string
}

function load(): CartArtist[] {
  const raw = uni.getStorageSync(CART_KEY) as CartArtist[] | ''
  return Array.isArray(raw) ? raw.filter((a) => a && typeof a.id === 'number') : []
}

export const cart = reactive<{ items: CartArtist[] }>({ items: load() })

export const cartCount = computed(() => cart.items.length)

function save(): void {
  uni.setStorageSync(CART_KEY, cart.items)
}

export function inCart(id: number): boolean {
  return cart.items.some((a) => a.id === id)
}

/** Add one artist; false (with a toast) when the cart is full. Adding twice keeps one entry. */
export function addToCart(artist: CartArtist): boolean {
  if (inCart(artist.id)) return true
  if (cart.items.length >= CART_LIMIT) {
    uni.showToast({ title: `预约单最多${CART_LIMIT}位艺人`, icon: 'none' })
    return false
  }
  cart.items.push({ ...artist })
  save()
  return true
}

export function removeFromCart(id: number): void {
  cart.items = cart.items.filter((a) => a.id !== id)
  save()
}

/** Add when absent, remove when present; returns whether the artist is in the cart afterwards. */
export function toggleCart(artist: CartArtist): boolean {
  if (inCart(artist.id)) {
    removeFromCart(artist.id)
    return false
  }
  return addToCart(artist)
}

export function clearCart(ids?: number[]): void {
  cart.items = ids ? cart.items.filter((a) => !ids.includes(a.id)) : []
  save()
}
