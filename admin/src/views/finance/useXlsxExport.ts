// The 导出 Excel button of the 资金 lists: busy while the file downloads, a refusal shown as a message.
import { ref } from 'vue'
import { ElMessage } from 'element-plus'
import { ApiError } from '@/utils/request'

export function useXlsxExport(download: () => Promise<void>) {
  const exporting = ref(false)

  async function onExport() {
    exporting.value = true
    try {
      await download()
    } catch (e) {
      ElMessage.error(e instanceof ApiError ? e.message : '导出失败，请稍后重试')
    } finally {
      exporting.value = false
    }
  }

  return { exporting, onExport }
}
