/**
 * Booking helpers shared by the order list, the order detail and the action pages: stages and the
 * 预约—签约—支付—演出—结算 progress, deadlines with countdowns, Chinese labels for actions and timeline events,
 * and the page each action opens. Nothing here calls the API.
 */
import type { Booking, BookingEvent } from '@/api/types'

/** A booking's stage: the progress bar 预约—签约—支付—演出—结算, or done / closed (GET /bookings?stage=…). */
export type Stage = Booking['stage']

/** The order list's tabs, in order. */
export const STAGES: Stage[] = ['booking', 'contract', 'payment', 'show', 'settlement', 'done', 'closed']

/** Tab texts; the API's `stage_label` says the same for a booking. */
export const STAGE_LABELS: Record<Stage, string> = {
  booking: '预约',
  contract: '签约',
  payment: '支付',
  show: '演出',
  settlement: '结算',
  done: '已完成',
  closed: '已关闭',
}

/** The five steps of the progress bar, in order; `done` and `closed` are not steps. */
export const PROGRESS_STEPS: Stage[] = ['booking', 'contract', 'payment', 'show', 'settlement']

export function stageOf(b: Pick<Booking, 'stage'>): Stage {
  return b.stage
}

export const STATUS_BADGES: Record<Stage, string> = {
  booking: 'badge-info',
  contract: 'badge-info',
  payment: 'badge-warning',
  show: 'badge-info',
  settlement: 'badge-info',
  done: 'badge-success',
  closed: 'badge-muted',
}

export function statusBadge(b: Booking): string {
  if (b.status === 'DISPUTED') return 'badge-danger'
  return STATUS_BADGES[b.stage]
}

// --- deadlines

export interface Deadline {
  key: 'deadline' | 'balance'
  label: string
  /** UTC ISO */
  at: string
  /** ms left (≤ 0: passed) */
  left: number
}

/** Every deadline the booking has now (`deadline_at` and the balance due date), soonest first. */
export function deadlinesOf(b: Booking, now = Date.now()): Deadline[] {
  const out: Deadline[] = []
  // deadline_label null: no deadline runs in this state (deadline_at may still hold a passed one).
  if (b.deadline_at && b.deadline_label) {
    out.push({ key: 'deadline', label: b.deadline_label, at: b.deadline_at, left: Date.parse(b.deadline_at) - now })
  }
  // The balance is only due while it is unpaid.
  if (b.balance_due_at && b.status === 'DEPOSIT_PAID') {
    out.push({ key: 'balance', label: '尾款截止', at: b.balance_due_at, left: Date.parse(b.balance_due_at) - now })
  }
  return out.sort((x, y) => x.left - y.left)
}

/** The deadline to show on a card: the soonest one still ahead, else none. */
export function nextDeadline(b: Booking, now = Date.now()): Deadline | null {
  return deadlinesOf(b, now).find((d) => d.left > 0) ?? null
}

/** wd-count-down `format` for a remaining time: days while more than a day is left, else to the second. */
export function countdownFormat(ms: number): string {
  return ms >= 86_400_000 ? 'DD天HH时mm分' : 'HH:mm:ss'
}

/** "2天3小时" / "5小时12分" / "8分钟" — a countdown as text for lists that shouldn't tick. */
export function formatLeft(ms: number): string {
  if (ms <= 0) return '已截止'
  const min = Math.floor(ms / 60_000)
  const d = Math.floor(min / 1440)
  const h = Math.floor((min % 1440) / 60)
  const m = min % 60
  if (d > 0) return `${d}天${h}小时`
  if (h > 0) return `${h}小时${m}分`
  return `${Math.max(1, m)}分钟`
}

// --- times (Asia/Shanghai without Intl time zones, like utils/format.ts)

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000
const pad = (n: number) => String(n).padStart(2, '0')

function shanghai(iso: string): Date | null {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? null : new Date(t + SHANGHAI_OFFSET_MS)
}

/** "12月3日 19:30" */
export function formatShanghaiDateTime(iso: string | null | undefined): string {
  const d = iso ? shanghai(iso) : null
  if (!d) return ''
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}

/** "19:30" */
export function formatShanghaiTime(iso: string): string {
  const d = shanghai(iso)
  return d ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : ''
}

/** A show's time: "2026年12月3日 周四 19:30–21:00" (end date added when it ends on another day). */
export function formatShowTime(b: Pick<Booking, 'start_at' | 'end_at'>): string {
  const s = shanghai(b.start_at)
  const e = shanghai(b.end_at)
  if (!s || !e) return ''
  const week = '日一二三四五六'[s.getUTCDay()]
  const day = `${s.getUTCFullYear()}年${s.getUTCMonth() + 1}月${s.getUTCDate()}日 周${week}`
  const sameDay = s.getUTCFullYear() === e.getUTCFullYear() && s.getUTCMonth() === e.getUTCMonth() &&
    s.getUTCDate() === e.getUTCDate()
  const end = sameDay ? formatShanghaiTime(b.end_at) : formatShanghaiDateTime(b.end_at)
  return `${day} ${formatShanghaiTime(b.start_at)}–${end}`
}

// --- actions and the timeline

/** Button texts of the booking actions (the API's ACTION_LABELS in domain/bookings/states.py). */
export const ACTION_LABELS: Record<string, string> = {
  confirm: '确认并报价',
  reject: '拒绝',
  send_contract: '发送合同',
  sign: '签署合同',
  countersign: '会签合同',
  pay_deposit: '支付定金',
  pay_balance: '支付尾款',
  confirm_performance: '确认已演出',
  request_settlement: '申请结算',
  cancel: '取消预约',
  dispute: '发起纠纷',
  resolve_dispute: '处理纠纷',
  extend_deadline: '延长期限',
  withdraw: '撤回',
}

/** Where an action is done: its own page, or null for the ones the order page runs after a confirm modal. */
export function actionUrl(bookingId: number | string, action: string): string | null {
  const id = encodeURIComponent(String(bookingId))
  switch (action) {
    case 'confirm':
      return `/subpkg/booking/quote?id=${id}`
    case 'reject':
      return `/subpkg/booking/quote?id=${id}&mode=reject`
    case 'sign':
    case 'countersign':
      return `/subpkg/booking/contract?id=${id}`
    case 'pay_deposit':
    case 'pay_balance':
      return `/subpkg/booking/pay?id=${id}&action=${action}`
    case 'cancel':
      return `/subpkg/booking/cancel?id=${id}`
    case 'dispute':
      return `/subpkg/booking/dispute?id=${id}`
    default:
      return null
  }
}

/** The actions run in place (POST …/actions/{action}, then reload), with the confirm modal's text. */
export const INLINE_ACTIONS: Record<string, { title: string; content: string }> = {
  send_contract: { title: '发送合同', content: '合同将按报价条款生成并发给需求方签署，确定发送吗？' },
  confirm_performance: { title: '确认已演出', content: '确认演出已按约完成？确认后艺人可申请结算。' },
  request_settlement: { title: '申请结算', content: '确定申请结算吗？平台将扣除佣金后向您打款。' },
  withdraw: { title: '撤回预约', content: '撤回后该艺人将不再处理这条预约，确定撤回吗？' },
}

export const orderUrl = (bookingId: number | string) =>
  `/subpkg/booking/order?id=${encodeURIComponent(String(bookingId))}`

/** Where the bar stopped for a closed booking: the stage of the last status before it closed. */
export function stoppedStage(events: BookingEvent[]): Stage | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const from = events[i].from_stage
    if (from) return from as Stage
  }
  return null
}
