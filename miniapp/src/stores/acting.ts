/**
 * 代为管理 (acting mode): an agent or assistant working on an artist they manage. While set, the request
 * wrapper adds `X-Artist-Id` to the artist-workspace endpoints (profile draft, qualifications, cases,
 * calendar) only; team management, privacy and bookings always stay the user's own.
 *
 * Persisted in uni storage like the login; cleared on leaving acting mode, on logout and when another
 * account logs in. Imports nothing from the API layer, so utils/request.ts can read it.
 */
import { reactive } from 'vue'

const ACTING_KEY = 'yanyue.acting'

export interface ActingArtist {
  artistId: number | string
  stageName: string
  /** 经纪人 / 助理 */
  roleLabel: string
  /** The logged-in user who entered acting mode: another account never inherits it. */
  userId: number | string | null
}

function load(): ActingArtist | null {
  const raw = uni.getStorageSync(ACTING_KEY) as ActingArtist | ''
  return raw && raw.artistId ? raw : null
}

export const acting = reactive<{ artist: ActingArtist | null }>({ artist: load() })

export function enterActing(artist: ActingArtist): void {
  acting.artist = { ...artist }
  uni.setStorageSync(ACTING_KEY, acting.artist)
}

export function exitActing(): void {
  acting.artist = null
  uni.removeStorageSync(ACTING_KEY)
}

/** 退出代管, after the user confirms; `then` runs once it is done (e.g. leave the artist's page). */
export function confirmExitActing(then?: () => void): void {
  uni.showModal({
    title: '退出代管',
    content: `退出后将不再代为管理「${acting.artist?.stageName ?? ''}」，可随时在「我管理的艺人」中重新进入。`,
    confirmText: '退出代管',
    cancelText: '取消',
    success: (res) => {
      if (!res.confirm) return
      exitActing()
      uni.showToast({ title: '已退出代管', icon: 'none' })
      then?.()
    },
  })
}

/** The artist acted for, read fresh (the wrapper runs outside components). */
export function actingArtistId(): string {
  return acting.artist ? String(acting.artist.artistId) : ''
}

/** Paths (after /api/v1) that act for the artist when the header is present. */
const ACTING_PATHS = [
  /^\/me\/artist\/profile(\/submit)?$/, // the draft; not …/privacy (the artist's own)
  /^\/me\/artist\/qualifications(\/|$)/,
  /^\/me\/artist\/cases(\/|$)/,
  /^\/calendar\/me(\/|$)/,
]

export function isActingPath(path: string): boolean {
  const bare = path.split('?')[0]
  return ACTING_PATHS.some((re) => re.test(bare))
}

/** Errors meaning the acting mode no longer holds (removed from the team, or the artist is gone). */
export const ACTING_LOST_CODES = ['not_artist_manager', 'artist_not_found']
