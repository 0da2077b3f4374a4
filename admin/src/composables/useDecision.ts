// Decisions shared by the 内容审核 queues: approve after a confirmation, reject with a written reason
// (reason-dialog), and the decided item leaves the queue. Each page keeps its own wording.
import { ref, shallowRef, type Ref } from 'vue'
import { ElMessage, ElMessageBox } from 'element-plus'

export interface Confirmation {
  message: string
  title: string
  /** Text of the confirm button; '确定' unless given. */
  confirmText?: string
  type?: 'info' | 'warning'
}

/** Ask before acting. Resolves false when the operator cancelled or closed the box. */
export async function confirmed({ message, title, confirmText = '确定', type = 'info' }: Confirmation): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, { confirmButtonText: confirmText, cancelButtonText: '取消', type })
    return true
  } catch {
    return false
  }
}

/** The item a dialog (驳回, 隐藏, 打标签) is about, and whether the dialog is open. */
export function useDialogTarget<T>() {
  const target = shallowRef<T | null>(null)
  const visible = ref(false)
  function open(item: T) {
    target.value = item
    visible.value = true
  }
  return { target, visible, open }
}

/** The part of usePagedList a decision touches. */
export interface DecisionList<T> {
  rows: Readonly<Ref<readonly T[]>>
  load: () => unknown
  replaceRow: (match: (row: T) => boolean, next: T | null) => void
}

export interface DecisionOptions<T> {
  /** Identity of a queue item (the row that leaves the list once decided). */
  key: (item: T) => unknown
  /** The confirmation shown before approving; its button reads 通过 unless told otherwise. */
  confirmApprove: (item: T) => Confirmation
  /** Sends the approval, with the version the operator looked at where the API checks one. */
  approve: (item: T) => Promise<unknown>
  approvedMessage: (item: T) => string
  /** Sends the rejection; a failure keeps the reason dialog open. */
  reject: (item: T, reason: string) => Promise<unknown>
  rejectedMessage: (item: T) => string
}

export function useDecision<T>(list: DecisionList<T>, options: DecisionOptions<T>) {
  /** Decided items leave the pending queue; an emptied page reloads (usePagedList steps back if needed). */
  function decided(item: T) {
    const id = options.key(item)
    list.replaceRow((r) => options.key(r) === id, null)
    if (!list.rows.value.length) void list.load()
  }

  async function approve(item: T) {
    if (!(await confirmed({ confirmText: '通过', ...options.confirmApprove(item) }))) return
    try {
      await options.approve(item)
      ElMessage.success(options.approvedMessage(item))
      decided(item)
    } catch {
      // message shown by the wrapper (e.g. the item changed meanwhile): refresh to see the latest
      void list.load()
    }
  }

  const { target: rejecting, visible: rejectVisible, open: openReject } = useDialogTarget<T>()
  /** reason-dialog's submit: throws to keep the dialog open. */
  async function reject(reason: string) {
    const item = rejecting.value
    if (!item) return
    await options.reject(item, reason)
    ElMessage.success(options.rejectedMessage(item))
    decided(item)
  }

  return { approve, openReject, reject, rejecting, rejectVisible, decided }
}
