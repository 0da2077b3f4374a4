// 资料审核: the draft next to the current public profile, one row per field, changed rows flagged.
import type { PriceLine, ProfileData, TeamMember } from '@/api/profiles'
import { formatFenRange } from '@/utils/format'

/** The reviewed fields in the order the public page shows them (ProfileData in the API). */
export const PROFILE_FIELDS = [
  { key: 'avatar_upload_id', label: '头像' },
  { key: 'stage_name', label: '艺名' },
  { key: 'artist_types', label: '艺人类型' },
  { key: 'styles', label: '风格' },
  { key: 'city', label: '常驻城市' },
  { key: 'regions', label: '可演出地区' },
  { key: 'active_since_year', label: '从业起始年份' },
  { key: 'bio', label: '个人简介' },
  { key: 'works', label: '代表作品' },
  { key: 'team', label: '团队成员' },
  { key: 'prices', label: '报价' },
  { key: 'travel_terms', label: '差旅说明' },
] as const satisfies readonly { key: keyof ProfileData; label: string }[]

export type ProfileField = (typeof PROFILE_FIELDS)[number]['key']

export interface DiffRow {
  key: ProfileField
  label: string
  /** Display text (for the avatar: its signed URL, or '' when there is none). */
  current: string
  draft: string
  changed: boolean
  /** List fields: entries only in the draft / only in the current profile. */
  added: string[]
  removed: string[]
}

export function formatPrice(p: PriceLine): string {
  const amount = formatFenRange(p.min_amount, p.max_amount)
  return `${p.title} · ${p.duration_minutes}分钟 · ${amount}${p.negotiable ? '（可议价）' : ''}`
}

const formatMember = (m: TeamMember) => `${m.name}（${m.role}）`

/** The entries of a list field as the operator reads them. */
function entries(data: ProfileData, key: ProfileField): string[] | null {
  switch (key) {
    case 'artist_types':
      // Labels when the API sent them in step with the codes.
      return data.artist_type_labels.length === data.artist_types.length ? data.artist_type_labels : data.artist_types
    case 'styles':
    case 'regions':
    case 'works':
      return data[key]
    case 'team':
      return data.team.map(formatMember)
    case 'prices':
      return data.prices.map(formatPrice)
    default:
      return null
  }
}

function display(data: ProfileData, key: ProfileField): string {
  if (key === 'avatar_upload_id') return data.avatar_url ?? ''
  const list = entries(data, key)
  if (list) return list.join(key === 'prices' || key === 'team' || key === 'works' ? '\n' : '、')
  if (key === 'active_since_year') return data.active_since_year ? `${data.active_since_year}年` : ''
  return String(data[key] ?? '')
}

/** Deep equality of JSON values; lists compare in order (the public page shows them in order). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    // '' and null/undefined both mean "not filled in".
    return (a ?? '') === (b ?? '')
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]))
  }
  const ka = Object.keys(a as object)
  const kb = Object.keys(b as object)
  if (ka.length !== kb.length) return false
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

/**
 * One row per reviewed field. The server's `changed_fields` decide what is flagged when given (it compares
 * the stored data); without it the raw values are compared here. The avatar compares by upload id, never by
 * its signed URL, which differs on every request.
 */
export function diffProfile(draft: ProfileData, current: ProfileData, changedFields?: string[] | null): DiffRow[] {
  const serverChanged = changedFields ? new Set(changedFields) : null
  return PROFILE_FIELDS.map(({ key, label }) => {
    const changed = serverChanged ? serverChanged.has(key) : !sameValue(draft[key], current[key])
    const draftList = entries(draft, key)
    const currentList = entries(current, key)
    const added = changed && draftList && currentList ? draftList.filter((e) => !currentList.includes(e)) : []
    const removed = changed && draftList && currentList ? currentList.filter((e) => !draftList.includes(e)) : []
    return { key, label, current: display(current, key), draft: display(draft, key), changed, added, removed }
  })
}

export function changedLabels(rows: DiffRow[]): string[] {
  return rows.filter((r) => r.changed).map((r) => r.label)
}
