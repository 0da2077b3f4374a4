/** Add `value` to a multi-select list, or take it out when it is already there (in place). */
export function toggleIn<T>(list: T[], value: T): void {
  const i = list.indexOf(value)
  if (i >= 0) list.splice(i, 1)
  else list.push(value)
}
