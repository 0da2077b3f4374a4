import { describe, expect, it } from 'vitest'
import { fromBeijing, toBeijing, windowLabel } from './window'

describe('publish windows in Beijing time', () => {
  it('shows a UTC instant as Beijing wall-clock time and sends it back with +08:00', () => {
    expect(toBeijing('2030-12-31T16:00:00Z')).toBe('2031-01-01 00:00:00')
    expect(fromBeijing('2031-01-01 00:00:00')).toBe('2031-01-01T00:00:00+08:00')
    expect(new Date(fromBeijing(toBeijing('2030-12-31T16:00:00Z'))!).toISOString()).toBe('2030-12-31T16:00:00.000Z')
  })

  it('leaves open ends open', () => {
    expect(toBeijing(null)).toBeNull()
    expect(fromBeijing('')).toBeNull()
    expect(windowLabel(null, '2031-01-01T16:00:00Z')).toBe('立即 至 2031-01-02 00:00')
    expect(windowLabel('2030-12-31T16:00:00Z', null)).toBe('2031-01-01 00:00 至 长期')
  })
})
