/** The period a user's budget and `GET /usage` cover: the current UTC day or month (SPEC §7). */
export type BudgetPeriod = 'day' | 'month';

export const budgetPeriods: readonly BudgetPeriod[] = ['day', 'month'];

/** The UTC `day` or `month` holding the instant `nowMs`: start inclusive, end exclusive, in ms since the epoch. */
export function periodAt(nowMs: number, period: BudgetPeriod): { startMs: number; endMs: number } {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  if (period === 'month') return { startMs: Date.UTC(year, month, 1), endMs: Date.UTC(year, month + 1, 1) };
  const day = now.getUTCDate();
  return { startMs: Date.UTC(year, month, day), endMs: Date.UTC(year, month, day + 1) };
}
