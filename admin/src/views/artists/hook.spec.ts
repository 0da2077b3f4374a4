import { describe, expect, it } from 'vitest'
import { artistParams } from '@/api/artists'
import { userExportParams } from '../users/hook'
import { shanghaiDay } from './hook'

describe('artist list filters', () => {
  it('sends only the filters that are set, the sort always', () => {
    const params = artistParams({
      start: '2026-10-01',
      end: '',
      keyword: '  统计甲 ',
      city: '',
      artist_type: 'singer',
      status: '',
      listed: 'pending',
      sort: 'revenue',
    })
    expect(params).toEqual({
      start: '2026-10-01',
      end: undefined,
      keyword: '统计甲',
      city: undefined,
      artist_type: 'singer',
      status: undefined,
      listed: 'pending',
      sort: 'revenue',
    })
  })

  it('counts the period in Beijing days', () => {
    expect(shanghaiDay(0)).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    const days = (Date.parse(shanghaiDay(0)) - Date.parse(shanghaiDay(29))) / 86_400_000
    expect(days).toBe(29)
  })
})

describe('user export filters', () => {
  it('takes the list filters, digits only for the phone', () => {
    expect(userExportParams({ phone: '138-0000', role: 'client', status: '' })).toEqual({
      phone: '1380000',
      role: 'client',
      status: undefined,
    })
  })
})
