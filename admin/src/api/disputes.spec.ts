import { describe, expect, it } from 'vitest'
import { disputeParams } from './disputes'

describe('disputeParams', () => {
  it('sends the state, the trimmed keyword and both ends of the opened range', () => {
    expect(disputeParams({ state: 'open', keyword: ' 声场 ', opened: ['2026-12-01', '2026-12-04'] })).toEqual({
      state: 'open',
      keyword: '声场',
      opened_from: '2026-12-01',
      opened_to: '2026-12-04',
    })
  })

  it('leaves out what is not set (the request wrapper drops empty values)', () => {
    expect(disputeParams({ state: '', keyword: '', opened: null })).toEqual({
      state: '',
      keyword: '',
      opened_from: '',
      opened_to: '',
    })
  })
})
