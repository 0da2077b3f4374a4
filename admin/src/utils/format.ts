// Times are stored and sent in UTC; operators read them in Beijing time whatever their machine says.
const SHANGHAI = 'Asia/Shanghai'

const dateTimeFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: SHANGHAI,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** `2026-11-24T15:04:05Z` → `2026-11-24 23:04:05` (Asia/Shanghai). */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '-'
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return value
  const parts: Record<string, string> = {}
  for (const p of dateTimeFormat.formatToParts(date)) parts[p.type] = p.value
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`
}

const yuan = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 0, maximumFractionDigits: 2 })

/** Integer fen → `¥1,234.5`. Money stays in fen everywhere else; this is the display edge. */
export function formatFen(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '-'
  return `¥${yuan.format(fen / 100)}`
}

/** A fen range: one amount when both ends are equal. */
export function formatFenRange(min: number | null | undefined, max: number | null | undefined): string {
  if (min === null || min === undefined) return formatFen(max)
  if (max === null || max === undefined || max === min) return formatFen(min)
  return `${formatFen(min)} – ${formatFen(max)}`
}
