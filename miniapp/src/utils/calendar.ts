/**
 * Month-calendar helpers. Slots arrive as UTC instants; days are Asia/Shanghai dates, computed with a fixed
 * +8 h offset because some mini-program runtimes lack Intl time zones (China has no DST).
 */
import type { ArtistMonthCalendar, CalendarSlot } from '@/api/types'

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000
const DAY_MS = 24 * 3600 * 1000

/** free: bookable; busy: has an unavailable stretch; past: before today; unknown: outside the data we have. */
export type DayStatus = 'free' | 'busy' | 'past' | 'unknown'

export function shanghaiDate(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}

export function todayShanghai(): string {
  return shanghaiDate(Date.now())
}

/** '2026-12' */
export function monthOf(date: string): string {
  return date.slice(0, 7)
}

export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number)
  const idx = y * 12 + (m - 1) + delta
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`
}

export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number)
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

/** 0 = Sunday, for the first day of the month. */
export function firstWeekday(month: string): number {
  const [y, m] = month.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, 1)).getUTCDay()
}

/** Shanghai dates an unavailable slot touches (an end at midnight doesn't touch the next day). */
function busyDates(slot: CalendarSlot): string[] {
  const start = Date.parse(slot.start)
  const end = Date.parse(slot.end)
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) return []
  const out: string[] = []
  for (let t = start; t < end; t += DAY_MS) out.push(shanghaiDate(t))
  const last = shanghaiDate(end - 1)
  if (!out.includes(last)) out.push(last)
  return out
}

/**
 * Status of every day of `month`. `known` says which dates the data covers (the detail page only carries
 * the next 60 days); days outside it are 'unknown' rather than wrongly 'free'. `data` is the detail's slots or the
 * month endpoint's days.
 */
export function monthDayStatus(
  month: string,
  data: { slots?: CalendarSlot[]; days?: ArtistMonthCalendar['days'] },
  known: (date: string) => boolean = () => true,
): Record<string, DayStatus> {
  const busy = new Set<string>()
  const explicit: Record<string, string> = {}
  for (const slot of data.slots ?? []) {
    if (slot.status !== 'available') busyDates(slot).forEach((d) => busy.add(d))
  }
  for (const d of data.days ?? []) explicit[d.date] = d.status
  const today = todayShanghai()
  const out: Record<string, DayStatus> = {}
  for (let day = 1; day <= daysInMonth(month); day++) {
    const date = `${month}-${String(day).padStart(2, '0')}`
    if (date < today) out[date] = 'past'
    else if (explicit[date]) out[date] = explicit[date] === 'available' ? 'free' : 'busy'
    else if (!known(date)) out[date] = 'unknown'
    else out[date] = busy.has(date) ? 'busy' : 'free'
  }
  return out
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}
