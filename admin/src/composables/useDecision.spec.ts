import { beforeEach, describe, expect, it, vi } from 'vitest'
import { shallowRef } from 'vue'
import { ElMessage, ElMessageBox, type MessageBoxData } from 'element-plus'
import { confirmed, useDecision, useDialogTarget, type DecisionList } from './useDecision'

vi.mock('element-plus', () => ({
  ElMessage: { success: vi.fn() },
  ElMessageBox: { confirm: vi.fn() },
}))
const confirm = vi.mocked(ElMessageBox.confirm)
// what ElMessageBox.confirm resolves to when the operator confirms
const CONFIRMED = 'confirm' as unknown as MessageBoxData
const success = vi.mocked(ElMessage.success)

interface Item {
  id: number
  title: string
  version: string
}

/** The usePagedList surface a decision uses, over a plain array. */
function fakeList(items: Item[]) {
  const rows = shallowRef(items)
  const list = {
    rows,
    load: vi.fn(() => {}),
    replaceRow: (match, next) => {
      rows.value = rows.value.flatMap((r) => (match(r) ? (next ? [next] : []) : [r]))
    },
  } satisfies DecisionList<Item>
  return list
}

function setup(items: Item[]) {
  const list = fakeList(items)
  const api = { approve: vi.fn(async (_item: Item) => {}), reject: vi.fn(async (_item: Item, _reason: string) => {}) }
  const decision = useDecision(list, {
    key: (item) => item.id,
    confirmApprove: (item) => ({ message: `通过「${item.title}」？`, title: '通过测试' }),
    approve: api.approve,
    approvedMessage: (item) => `已通过「${item.title}」`,
    reject: api.reject,
    rejectedMessage: () => '已驳回',
  })
  return { list, api, decision }
}

const a: Item = { id: 1, title: '甲', version: 'v1' }
const b: Item = { id: 2, title: '乙', version: 'v2' }

beforeEach(() => {
  confirm.mockReset()
  success.mockReset()
})

describe('confirmed', () => {
  it('resolves true on confirm and false on cancel, with 取消 and the given wording', async () => {
    confirm.mockResolvedValueOnce(CONFIRMED)
    expect(await confirmed({ message: '删除？', title: '删除标签', confirmText: '删除', type: 'warning' })).toBe(true)
    expect(confirm).toHaveBeenCalledWith('删除？', '删除标签', {
      confirmButtonText: '删除',
      cancelButtonText: '取消',
      type: 'warning',
    })
    confirm.mockRejectedValueOnce('cancel')
    expect(await confirmed({ message: 'm', title: 't' })).toBe(false)
    expect(confirm).toHaveBeenLastCalledWith('m', 't', { confirmButtonText: '确定', cancelButtonText: '取消', type: 'info' })
  })
})

describe('useDialogTarget', () => {
  it('remembers the item and opens', () => {
    const dialog = useDialogTarget<Item>()
    expect(dialog.visible.value).toBe(false)
    dialog.open(a)
    expect(dialog.target.value).toBe(a)
    expect(dialog.visible.value).toBe(true)
  })
})

describe('useDecision', () => {
  it('approves after confirmation (button 通过), tells the operator and drops the row', async () => {
    const { list, api, decision } = setup([a, b])
    confirm.mockResolvedValueOnce(CONFIRMED)
    await decision.approve(a)
    expect(confirm).toHaveBeenCalledWith('通过「甲」？', '通过测试', expect.objectContaining({ confirmButtonText: '通过' }))
    expect(api.approve).toHaveBeenCalledWith(a)
    expect(success).toHaveBeenCalledWith('已通过「甲」')
    expect(list.rows.value).toEqual([b])
    expect(list.load).not.toHaveBeenCalled()
  })

  it('does nothing when the confirmation is cancelled', async () => {
    const { list, api, decision } = setup([a])
    confirm.mockRejectedValueOnce('cancel')
    await decision.approve(a)
    expect(api.approve).not.toHaveBeenCalled()
    expect(list.rows.value).toEqual([a])
  })

  it('refreshes the queue when the server refuses (e.g. a newer version was submitted)', async () => {
    const { list, api, decision } = setup([a])
    confirm.mockResolvedValueOnce(CONFIRMED)
    api.approve.mockRejectedValueOnce(new Error('409'))
    await decision.approve(a)
    expect(success).not.toHaveBeenCalled()
    expect(list.rows.value).toEqual([a])
    expect(list.load).toHaveBeenCalledOnce()
  })

  it('reloads once the page is emptied', async () => {
    const { list, decision } = setup([a])
    confirm.mockResolvedValueOnce(CONFIRMED)
    await decision.approve(a)
    expect(list.rows.value).toEqual([])
    expect(list.load).toHaveBeenCalledOnce()
  })

  it('rejects the item the dialog was opened for, with the reason', async () => {
    const { list, api, decision } = setup([a, b])
    decision.openReject(b)
    expect(decision.rejecting.value).toBe(b)
    expect(decision.rejectVisible.value).toBe(true)
    await decision.reject('图片不清晰')
    expect(api.reject).toHaveBeenCalledWith(b, '图片不清晰')
    expect(success).toHaveBeenCalledWith('已驳回')
    expect(list.rows.value).toEqual([a])
  })

  it('lets a refused rejection through so the reason dialog stays open', async () => {
    const { list, api, decision } = setup([a])
    api.reject.mockRejectedValueOnce(new Error('409'))
    decision.openReject(a)
    await expect(decision.reject('原因')).rejects.toThrow('409')
    expect(success).not.toHaveBeenCalled()
    expect(list.rows.value).toEqual([a])
  })

  it('ignores a rejection without an item', async () => {
    const { api, decision } = setup([a])
    await decision.reject('原因')
    expect(api.reject).not.toHaveBeenCalled()
  })
})
