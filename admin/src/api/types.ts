/** List envelope used by every paginated endpoint. */
export interface PageResult<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface PageQuery {
  page: number
  page_size: number
}
