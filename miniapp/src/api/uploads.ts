import { ApiError, NETWORK_ERROR_MESSAGE, request, uploadToTarget } from '@/utils/request'
import type { UploadDone, UploadIntent, UploadPurpose, UploadUrl } from './types'

export function createUploadIntentApi(purpose: UploadPurpose, contentType: string) {
  return request<UploadIntent>('/uploads/intent', {
    method: 'POST',
    data: { purpose, content_type: contentType },
    toast: false,
  })
}

export function completeUploadApi(uploadId: string, key: string) {
  return request<UploadDone>(`/uploads/${encodeURIComponent(uploadId)}/complete`, {
    method: 'POST',
    data: { key },
    toast: false,
  })
}

/** Signed links to one of the viewer's own uploads (thumbnail for images), e.g. to preview a new avatar. */
export function getUploadUrlApi(uploadId: string) {
  return request<UploadUrl>(`/uploads/${encodeURIComponent(uploadId)}/url`, { toast: false })
}

const EXT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  mp4: 'video/mp4',
}

/** The declared type of a chosen file (the server judges the bytes anyway). */
export function guessContentType(path: string, fallback = 'image/jpeg'): string {
  const m = /\.([a-z0-9]+)(?:\?|#|$)/i.exec(path)
  return (m && EXT_TYPES[m[1].toLowerCase()]) || fallback
}

/**
 * Intent → upload to the returned target → (for direct storage uploads) confirm. Returns the upload id to
 * reference from a case. Errors are ApiError with a Chinese message; nothing is toasted here.
 */
export async function uploadFileApi(purpose: UploadPurpose, filePath: string, contentType: string): Promise<string> {
  const intent = await createUploadIntentApi(purpose, contentType)
  let done: UploadDone | null = null
  try {
    const res = await uploadToTarget<UploadDone>(intent.url, filePath, intent.fields, intent.file_field || 'file')
    done = res.body && typeof res.body === 'object' && 'upload_id' in res.body ? res.body : null
  } catch (e) {
    throw e instanceof ApiError ? e : new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE)
  }
  // Our local endpoint answers with the upload row; a presigned S3 POST answers 204 and needs confirming.
  if (!done) done = await completeUploadApi(intent.upload_id, intent.key)
  return done.upload_id
}
