/**
 * Choosing, uploading and showing media, shared by the artist's 编辑资料 (avatar) and 我的案例 (case media).
 * A chosen file is uploaded right away through the intent flow (api/uploads.ts) so forms only send ids.
 */
import { reactive } from 'vue'
import type { CaseMedia, UploadPurpose } from '@/api/types'
import { guessContentType, uploadFileApi } from '@/api/uploads'
import { absoluteUrl, ApiError } from './request'

export type PendingKind = 'image' | 'video'

/** A chosen file on its way to storage. */
export interface PendingUpload {
  localPath: string
  kind: PendingKind
  contentType: string
  state: 'uploading' | 'done' | 'failed'
  uploadId: string
  error: string
}

// Avatars are images of the artist's own: the API takes them as `case_image` uploads.
const PURPOSES: Record<PendingKind, UploadPurpose> = { image: 'case_image', video: 'case_video' }

export function pendingUpload(localPath: string, kind: PendingKind, contentType: string): PendingUpload {
  return reactive({ localPath, kind, contentType, state: 'uploading', uploadId: '', error: '' })
}

/** Upload (or retry) `item`, keeping its state current; a failure is toasted. True when it worked. */
export async function runUpload(item: PendingUpload): Promise<boolean> {
  item.state = 'uploading'
  item.error = ''
  try {
    item.uploadId = await uploadFileApi(PURPOSES[item.kind], item.localPath, item.contentType)
    item.state = 'done'
    return true
  } catch (e) {
    item.state = 'failed'
    item.error = e instanceof ApiError ? e.message : '上传失败'
    uni.showToast({ title: item.error, icon: 'none' })
    return false
  }
}

/** uni.chooseImage as a promise of local paths with their declared types; [] when the user cancels. */
export function chooseImageFiles(count: number): Promise<{ path: string; type: string }[]> {
  return new Promise((resolve) => {
    uni.chooseImage({
      count,
      sizeType: ['compressed'],
      success: (res) => {
        const files = (Array.isArray(res.tempFiles) ? res.tempFiles : [res.tempFiles]) as { type?: string; name?: string }[]
        const paths = Array.isArray(res.tempFilePaths) ? res.tempFilePaths : [res.tempFilePaths]
        resolve(
          paths.map((path: string, i: number) => {
            const f = files[i] || {}
            const type = typeof f.type === 'string' && f.type.startsWith('image/') ? f.type : guessContentType(f.name || path)
            return { path, type }
          }),
        )
      },
      fail: () => resolve([]),
    })
  })
}

export function imagesOf<M extends CaseMedia>(media: M[]): M[] {
  return media.filter((m) => m.kind === 'image')
}

export function videosOf<M extends CaseMedia>(media: M[]): M[] {
  return media.filter((m) => m.kind === 'video')
}

/** Full-screen viewer over API media URLs (made absolute), opened at `index`. */
export function previewImages(urls: string[], index: number): void {
  const abs = urls.map(absoluteUrl)
  if (abs.length) uni.previewImage({ urls: abs, current: abs[index] })
}
