/**
 * @internal The selection after a row's checkbox was clicked: toggles `taskId`, or with `range` (shift-click) sets
 * every row from the last clicked one (`anchor`) to `taskId` to the clicked row's new state, as file lists do.
 * Rows are in `ids` order; an anchor no longer shown counts as none.
 */
export function nextSelection(
  selected: ReadonlySet<string>,
  ids: readonly string[],
  taskId: string,
  anchor: string | null,
  range: boolean,
): Set<string> {
  const next = new Set(selected);
  const checked = !selected.has(taskId);
  const to = ids.indexOf(taskId);
  const from = range && anchor !== null ? ids.indexOf(anchor) : -1;
  const span = from === -1 ? [taskId] : ids.slice(Math.min(from, to), Math.max(from, to) + 1);
  for (const id of span) {
    if (checked) next.add(id);
    else next.delete(id);
  }
  return next;
}
