/**
 * What every booking action page (quote / contract / pay / cancel / dispute / review) shares: the booking id
 * from the query, GET /bookings/{id}, whether the viewer may take the page's action now (and if not, why),
 * and the way back to the order detail once the action went through.
 */
import { computed, ref, watch, type Ref } from 'vue'
import { onPullDownRefresh } from '@dcloudio/uni-app'
import { getBookingApi } from '@/api/bookings'
import type { BookingDetail, BookingQuote, CancellationTier } from '@/api/types'
import { session } from '@/stores/session'
import { acting } from '@/stores/acting'
import { ACTION_LABELS, orderUrl } from '@/utils/bookings'
import { formatShanghaiDay } from '@/utils/format'
import type { PendingUpload } from '@/utils/media'
import { ApiError } from '@/utils/request'

export const ORDER_ROUTE = 'subpkg/booking/order'

/** Who may take each action at all (the rest depends on the booking's state). */
const ACTION_ROLES: Record<string, 'client' | 'artist' | 'both'> = {
  confirm: 'artist',
  reject: 'artist',
  send_contract: 'artist',
  sign: 'client',
  countersign: 'artist',
  pay_deposit: 'client',
  pay_balance: 'client',
  confirm_performance: 'client',
  request_settlement: 'artist',
  cancel: 'both',
  dispute: 'both',
  withdraw: 'client',
  review: 'client',
}

const CLOSED = ['REJECTED', 'EXPIRED', 'WITHDRAWN', 'CANCELLED', 'COMPLETED']

/** Back to the order detail: pop this page when the order is right under it, otherwise replace this page. */
export function backToOrder(id: number | string): void {
  const pages = getCurrentPages()
  const prev = pages[pages.length - 2] as unknown as { route?: string; options?: Record<string, string> } | undefined
  const route = (prev?.route || '').replace(/^\//, '')
  if (route === ORDER_ROUTE && String(prev?.options?.id ?? '') === String(id)) {
    uni.navigateBack({ delta: 1 })
  } else {
    uni.redirectTo({ url: orderUrl(id) })
  }
}

/** The viewer's side of this booking: the client, or the artist (also when a manager acts for the artist). */
export function viewerRole(d: BookingDetail): 'client' | 'artist' | '' {
  const me = session.me
  if (acting.artist && String(acting.artist.artistId) === String(d.artist_id)) return 'artist'
  if (!me) return ''
  if (String(me.id) === String(d.client_id)) return 'client'
  if (String(me.id) === String(d.artist_id)) return 'artist'
  return ''
}

/** Why the viewer can't take `action` on `d` now (Chinese, for the page's "not allowed" state). */
export function notAllowedReason(d: BookingDetail, action: string): string {
  const label = ACTION_LABELS[action] || (action === 'review' ? '评价演出' : '进行此操作')
  const who = ACTION_ROLES[action]
  const mine = viewerRole(d)
  if (who && who !== 'both' && mine && who !== mine) return `只有${who === 'client' ? '需求方' : '艺人'}可以${label}`
  if (CLOSED.includes(d.status) && action !== 'review') return `订单${d.status_label}，不能再${label}`
  if (action === 'review' && d.status !== 'COMPLETED') return `订单完成后才能评价（当前：${d.status_label}）`
  if (action === 'review') return '这笔订单已经评价过了'
  return `订单当前状态为「${d.status_label}」，现在不能${label}`
}

/** "12月3日 周三 19:30" in Asia/Shanghai. */
export function formatShanghaiTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return ''
  const d = new Date(t + 8 * 3600 * 1000)
  const hm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`
  return `${formatShanghaiDay(iso)} ${hm}`
}

/** "12月3日 周三 19:30–21:30" (the end's day is repeated only when it differs). */
export function formatShowTime(start: string, end: string): string {
  const a = formatShanghaiTime(start)
  const b = formatShanghaiTime(end)
  if (!a) return ''
  const [dayA] = a.split(' ', 1)
  return b.startsWith(dayA) ? `${a}–${b.slice(b.lastIndexOf(' ') + 1)}` : `${a} – ${b}`
}

/** Whole days from now until `iso` (negative once it passed). */
export function daysUntil(iso: string): number {
  return Math.floor((Date.parse(iso) - Date.now()) / 86400000)
}

export type Tier = CancellationTier

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback
}

/** The booking's quote with its tiers from the most days before the show down. */
export function quoteOf(d: BookingDetail): BookingQuote | null {
  const q = d.quote
  if (!q) return null
  return { ...q, cancellation_tiers: [...q.cancellation_tiers].sort((x, y) => y.days_before - x.days_before) }
}

/**
 * The quote inside a contract's terms snapshot (`terms` is a free-form dict in the API): read field by field,
 * the fee split from the terms themselves.
 */
export function quoteFromTerms(terms: Record<string, unknown>): BookingQuote | null {
  const q = terms.quote
  if (!q || typeof q !== 'object') return null
  const r = q as Record<string, unknown>
  const tiers = Array.isArray(r.cancellation_tiers) ? (r.cancellation_tiers as Record<string, unknown>[]) : []
  return {
    fee_amount: num(r.fee_amount, num(terms.fee_amount)),
    deposit_percent: num(r.deposit_percent, 30),
    deposit_amount: num(terms.deposit_amount),
    balance_amount: num(terms.balance_amount),
    balance_due_days: num(r.balance_due_days, 3),
    cancellation_tiers: tiers
      .map((t) => ({ days_before: num(t.days_before), refund_percent: num(t.refund_percent) }))
      .sort((x, y) => y.days_before - x.days_before),
    rider: Array.isArray(r.rider) ? r.rider.filter((x): x is string => typeof x === 'string' && !!x) : [],
    note: typeof r.note === 'string' ? r.note : '',
  }
}

/** "距演出 ≥30 天：退 100%" lines of the cancellation tiers. */
export function tierLines(tiers: Tier[]): string[] {
  const sorted = [...tiers].sort((x, y) => y.days_before - x.days_before)
  return sorted.map((t, i) => {
    const range = t.days_before > 0 ? `距演出 ≥${t.days_before} 天` : i > 0 ? `距演出 <${sorted[i - 1].days_before} 天` : '任何时间'
    return `${range}：退还定金 ${t.refund_percent}%`
  })
}

/**
 * The loaded booking of an action page, reloaded quietly on pull-down (or by `refresh` when the page has its
 * own way), and `send` for the page's action: one at a time, then a toast and back to the order; on a refusal
 * (the request wrapper already showed the API's message) the booking is reloaded, it may have moved on.
 */
export function useBookingPage(options: { refresh?: () => Promise<unknown> } = {}) {
  const id = ref('')
  const detail = ref<BookingDetail | null>(null)
  const loading = ref(true)
  const loadError = ref('')

  /** Load (or reload) the booking; `quiet` keeps the current view while refreshing. */
  async function load(quiet = false): Promise<BookingDetail | null> {
    if (!id.value) {
      loading.value = false
      loadError.value = '订单不存在'
      return null
    }
    if (!quiet) loading.value = true
    try {
      const d = await getBookingApi(id.value, { toast: false })
      detail.value = d
      loadError.value = ''
      return d
    } catch (e) {
      if (!quiet || !detail.value) loadError.value = e instanceof ApiError ? e.message : '加载失败，请重试'
      return null
    } finally {
      loading.value = false
    }
  }

  function allowed(action: string): boolean {
    return !!detail.value && detail.value.allowed_actions.includes(action)
  }

  function start(query: Record<string, string | undefined> | undefined): void {
    id.value = String(query?.id || '').trim()
    void load()
  }

  const submitting = ref(false)

  async function send(request: () => Promise<unknown>, done: string, icon: 'success' | 'none' = 'success', delay = 600) {
    submitting.value = true
    try {
      await request()
      uni.showToast({ title: done, icon })
      setTimeout(() => backToOrder(id.value), delay)
    } catch {
      void load(true)
    } finally {
      submitting.value = false
    }
  }

  onPullDownRefresh(async () => {
    await (options.refresh ? options.refresh() : load(true))
    uni.stopPullDownRefresh()
  })

  return { id, detail, loading, loadError, load, allowed, start, submitting, send }
}

/** A required reason (取消 / 婉拒 / 纠纷 …): at least 2 characters; the error clears once it is long enough. */
export function useReason(what: string) {
  const text = ref('')
  const error = ref('')
  watch(text, (v) => {
    if (error.value && v.trim().length >= 2) error.value = ''
  })
  /** The trimmed reason, or null (and `error` set) when it is too short. */
  function check(): string | null {
    const t = text.value.trim()
    error.value = t.length < 2 ? `请填写${what}原因（至少 2 个字）` : ''
    return error.value ? null : t
  }
  return { text, error, check }
}

/** The state of a PhotoPicker's items: counts, the finished upload ids, and what still blocks sending. */
export function usePhotoUploads(photos: Ref<PendingUpload[]>) {
  const uploading = computed(() => photos.value.filter((p) => p.state === 'uploading').length)
  const failed = computed(() => photos.value.filter((p) => p.state === 'failed').length)
  const done = computed(() => photos.value.filter((p) => p.state === 'done'))
  function problem(): string {
    if (uploading.value) return '照片还在上传，请稍候'
    if (failed.value) return '有照片上传失败，请重试或删除'
    return ''
  }
  return { uploading, failed, done, doneIds: () => done.value.map((p) => p.uploadId), problem }
}

/** uni.showModal as a promise of "confirmed". */
export function confirmModal(title: string, content: string, confirmText = '确定', danger = false): Promise<boolean> {
  return new Promise((resolve) => {
    uni.showModal({
      title,
      content,
      confirmText,
      confirmColor: danger ? '#ee0a24' : '#4d80f0',
      cancelText: '再想想',
      success: (res) => resolve(!!res.confirm),
      fail: () => resolve(false),
    })
  })
}
