import { describe, expect, it } from 'vitest'
import type { ProfileData } from '@/api/profiles'
import { changedLabels, diffProfile, formatPrice, sameValue } from './diff'

function profile(over: Partial<ProfileData> = {}): ProfileData {
  return {
    stage_name: '林小满',
    avatar_upload_id: 'a'.repeat(32),
    avatar_url: '/api/v1/files/avatar-1?sig=1',
    artist_types: ['singer'],
    artist_type_labels: ['歌手'],
    styles: ['流行', '民谣'],
    city: '上海',
    regions: ['上海', '杭州'],
    active_since_year: 2015,
    bio: '独立音乐人',
    works: ['《夏夜》'],
    team: [{ name: '王乐', role: '吉他手' }],
    prices: [{ title: '商演', duration_minutes: 60, min_amount: 800000, max_amount: 1200000, negotiable: true }],
    travel_terms: '',
    ...over,
  }
}

const row = (rows: ReturnType<typeof diffProfile>, label: string) => {
  const found = rows.find((r) => r.label === label)
  if (!found) throw new Error(`no row ${label}`)
  return found
}

describe('diffProfile', () => {
  it('flags nothing when the draft equals the public profile, whatever the signed avatar URL', () => {
    const rows = diffProfile(profile({ avatar_url: '/api/v1/files/avatar-1?sig=2' }), profile())
    expect(changedLabels(rows)).toEqual([])
    expect(rows.map((r) => r.label)).toContain('个人简介')
  })

  it('flags changed text, list and avatar fields and shows both sides', () => {
    const draft = profile({ bio: '签约歌手，十年舞台经验', avatar_upload_id: 'b'.repeat(32), avatar_url: '/new.png' })
    const rows = diffProfile(draft, profile())
    expect(changedLabels(rows)).toEqual(['头像', '个人简介'])
    expect(row(rows, '个人简介')).toMatchObject({ current: '独立音乐人', draft: '签约歌手，十年舞台经验' })
    expect(row(rows, '头像')).toMatchObject({ current: '/api/v1/files/avatar-1?sig=1', draft: '/new.png' })
  })

  it('lists entries added to and removed from list fields', () => {
    const rows = diffProfile(profile({ styles: ['流行', '摇滚'] }), profile())
    expect(row(rows, '风格')).toMatchObject({ changed: true, added: ['摇滚'], removed: ['民谣'], draft: '流行、摇滚' })
  })

  it('treats a reordered list as a change (the public page shows the order)', () => {
    const rows = diffProfile(profile({ regions: ['杭州', '上海'] }), profile())
    expect(row(rows, '可演出地区')).toMatchObject({ changed: true, added: [], removed: [] })
  })

  it("follows the server's changed_fields when given", () => {
    const rows = diffProfile(profile({ bio: '新的简介' }), profile(), ['stage_name'])
    expect(changedLabels(rows)).toEqual(['艺名'])
  })

  it('shows artist type labels, prices in yuan and team members', () => {
    const rows = diffProfile(
      profile({ artist_types: ['singer', 'band'], artist_type_labels: ['歌手', '乐队'] }),
      profile(),
    )
    expect(row(rows, '艺人类型')).toMatchObject({ changed: true, added: ['乐队'], draft: '歌手、乐队' })
    expect(row(rows, '报价').current).toBe('商演 · 60分钟 · ¥8,000 – ¥12,000（可议价）')
    expect(row(rows, '团队成员').current).toBe('王乐（吉他手）')
    expect(row(rows, '从业起始年份').current).toBe('2015年')
  })
})

describe('sameValue', () => {
  it('compares JSON values deeply and treats blank as empty', () => {
    expect(sameValue({ a: [1, { b: '2' }] }, { a: [1, { b: '2' }] })).toBe(true)
    expect(sameValue({ a: [1, 2] }, { a: [2, 1] })).toBe(false)
    expect(sameValue(null, '')).toBe(true)
    expect(sameValue(null, 0)).toBe(false)
    expect(sameValue([], {})).toBe(false)
  })
})

describe('formatPrice', () => {
  it('shows a fixed price once', () => {
    expect(formatPrice({ title: '婚礼', duration_minutes: 30, min_amount: 150050, max_amount: 150050, negotiable: false }))
      .toBe('婚礼 · 30分钟 · ¥1,500.5')
  })
})
