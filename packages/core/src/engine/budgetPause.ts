/** The task checkpoint a pause on budget keeps: which limit refused the call, and what the call needed. */
export const budgetPauseCheckpointKey = 'budget_pause';

/** Why a task paused on budget, kept for the sweep that resumes it once the budget has room again. */
export interface BudgetPause {
  /** The limit that refused the call: the user's period budget or the task's own. */
  scope: 'user' | 'task';
  /** The worst case of the refused call, in US dollars: the room the task needs to continue. */
  needed_usd: number;
}

/** A stored {@link BudgetPause}, or `undefined` when `value` is not one. */
export function budgetPauseOf(value: unknown): BudgetPause | undefined {
  const pause = value as Partial<BudgetPause> | null | undefined;
  if (!pause || (pause.scope !== 'user' && pause.scope !== 'task') || typeof pause.needed_usd !== 'number') {
    return undefined;
  }
  return { scope: pause.scope, needed_usd: pause.needed_usd };
}
