// China calendar days as 'YYYY-MM-DD' strings: the dashboard's ranges are Beijing days whatever the
// operator's machine says.
const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
})

/** Today in Beijing, 'YYYY-MM-DD'. */
export function shanghaiToday(now: Date = new Date()): string {
  return dayFormat.format(now)
}

/** The `days` calendar days ending on `end` (inclusive): [first, end]. */
export function daysEnding(end: string, days: number): [string, string] {
  const first = new Date(`${end}T00:00:00Z`)
  first.setUTCDate(first.getUTCDate() - (days - 1))
  return [first.toISOString().slice(0, 10), end]
}
