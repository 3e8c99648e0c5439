import type { Task } from '@roadmap/core/client';
import { type ComponentProps, type FormEvent, useId, useState } from 'react';
import { Button } from './button.js';
import { cn } from './cn.js';
import { PlayIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';

export interface BudgetPausePanelProps extends Omit<ComponentProps<'section'>, 'children' | 'onSubmit'> {
  /** The task paused on budget (`status: "paused"`, `pause_reason: "budget"`). */
  task: Pick<Task, 'budget_usd' | 'usage'>;
  /** Raises the task's budget to `budgetUsd` and resumes it (`POST …/resume` with `{ budget_usd }`). */
  onRaise: (budgetUsd: number) => Promise<void>;
}

/** The budget the field offers first: twice the task's, and at least a cent more than it spent. */
function suggestedBudget(task: BudgetPausePanelProps['task']): number {
  const budget = task.budget_usd ?? 0;
  const spent = task.usage?.cost_usd ?? 0;
  return Math.ceil(Math.max(budget * 2, spent + 0.01) * 100) / 100;
}

/**
 * Why a task is paused on budget (SPEC §7: a call that could exceed a budget is not made), and, for a task with its
 * own `budget_usd`, a field to raise it with "Raise budget and resume". A task stopped by its user's period budget
 * resumes by itself once that budget has room (the server checks with each recovery sweep).
 *
 * @example
 * {task.pause_reason === 'budget' && <BudgetPausePanel task={task} onRaise={(budgetUsd) => resume({ budgetUsd })} />}
 */
export function BudgetPausePanel({ task, onRaise, className, ...props }: BudgetPausePanelProps) {
  const labels = useRoadmapLabels();
  const id = useId();
  const [budget, setBudget] = useState(() => String(suggestedBudget(task)));
  const [busy, setBusy] = useState(false);
  const amount = Number(budget);
  const valid = budget.trim() !== '' && Number.isFinite(amount) && amount > (task.budget_usd ?? 0);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!valid) return;
    setBusy(true);
    try {
      await onRaise(amount);
    } catch {
      // The task's error shows the server's answer.
    } finally {
      setBusy(false);
    }
  };
  return (
    <section
      data-slot="budget-pause-panel"
      aria-labelledby={`${id}-title`}
      className={cn('roadmap-budget-pause', className)}
      {...props}
    >
      <h3 id={`${id}-title`} className="roadmap-subheading">
        {labels.budgetPaused}
      </h3>
      <p className="roadmap-muted">
        {labels.budgetPausedHelp(task.budget_usd === null ? null : labels.formatUsd(task.budget_usd))}
      </p>
      {task.budget_usd !== null && (
        <form className="roadmap-toolbar" onSubmit={(event) => void submit(event)}>
          <label className="roadmap-field">
            <span className="roadmap-label">{labels.newBudget}</span>
            <input
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              value={budget}
              aria-invalid={!valid}
              onChange={(event) => setBudget(event.target.value)}
            />
          </label>
          <Button type="submit" size="sm" disabled={busy || !valid}>
            <PlayIcon />
            {labels.raiseBudget}
          </Button>
        </form>
      )}
    </section>
  );
}
