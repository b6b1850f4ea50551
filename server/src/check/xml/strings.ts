/**
 * Returns a copy of `value` that shares no memory with the text it was sliced from. V8 keeps
 * a substring of 13 or more characters as a view into its parent string, so a kept node or a
 * table entry would otherwise keep the whole text of the version it was parsed in.
 */
export function detach(value: string): string {
  return value.length < 13 ? value : (' ' + value).slice(1);
}
