// Value → label + tag colour tables, shared by every page that shows a state as an <el-tag>.
export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

export interface Option<V extends string> {
  value: V
  label: string
  tag: TagType
}

/** The option for `value`, or a grey tag showing the raw value ('-' when empty) for one the table lacks. */
export function lookup<V extends string>(options: Option<V>[], value: V | string | null | undefined): Option<string> {
  return options.find((o) => o.value === value) ?? { value: value ?? '', label: value || '-', tag: 'info' }
}
