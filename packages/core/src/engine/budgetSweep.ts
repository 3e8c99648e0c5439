import { type BudgetPeriod, periodAt } from '../domain/budgetPeriod.js';
import type { TaskRecord } from '../domain/task.js';
import { type Clock, isoTime } from '../shared/clock.js';
import { RoadmapError } from '../shared/errors.js';
import { budgetToleranceUsd } from '../storage/budgetStore.js';
import type { Storage } from '../storage/storage.js';
import { budgetPauseCheckpointKey, budgetPauseOf } from './budgetPause.js';

export interface BudgetSweepOptions {
  storage: Storage;
  clock: Clock;
  budgetPeriod: BudgetPeriod;
  /** The user's budget per period, `null` for none. */
  userBudgetUsd(userId: string): number | null | Promise<number | null>;
  /** Resumes a paused task (`resumed` event, queued); throws `task_not_paused` when it changed meanwhile. */
  resume(taskId: string): Promise<unknown>;
}

/** Paused tasks read per page. */
const pageSize = 100;

/**
 * How much a budget has left for a task: the room under the user's period budget and under the task's own, the
 * smaller of the two (`Infinity` when neither applies). One query per budget that applies.
 */
export async function budgetRoom(
  options: Pick<BudgetSweepOptions, 'storage' | 'clock' | 'budgetPeriod' | 'userBudgetUsd'>,
  task: Pick<TaskRecord, 'task_id' | 'user_id' | 'budget_usd'>,
): Promise<number> {
  let room = Number.POSITIVE_INFINITY;
  const userBudget = await options.userBudgetUsd(task.user_id);
  if (userBudget !== null) {
    const periodStart = isoTime(periodAt(options.clock.now(), options.budgetPeriod).startMs);
    const charge = await options.storage.userBudgetCharge(task.user_id, periodStart);
    room = Math.min(room, userBudget - charge.spent_usd - charge.reserved_usd);
  }
  if (task.budget_usd !== null) {
    const charge = await options.storage.taskBudgetCharge(task.task_id);
    room = Math.min(room, task.budget_usd - charge.spent_usd - charge.reserved_usd);
  }
  return room;
}

/**
 * Resumes the tasks paused on budget (SPEC §7: "resumes when budget is freed or raised") that have room again for
 * the call that was refused: a new period began, the user's budget was raised, reservations settled for less than
 * they held. Run by the engine with its recovery sweep (one process at a time) and when it starts.
 */
export class BudgetSweep {
  constructor(private readonly options: BudgetSweepOptions) {}

  /**
   * One sweep now: resolves with how many tasks it resumed. It reads the tasks paused on budget only, by a keyset on
   * `task_id` in pages of 100, so it costs what is paused, never what was ever stored; a task resumed leaves the
   * paused set behind the keyset, so the next page shifts nothing.
   */
  async sweep(): Promise<number> {
    const { storage } = this.options;
    let resumed = 0;
    let afterTaskId: string | undefined;
    for (;;) {
      const page = await storage.listPausedTasks({ pauseReason: 'budget', afterTaskId, limit: pageSize });
      for (const task of page) {
        if (await this.resumeWithRoom(task)) resumed += 1;
      }
      if (page.length < pageSize) return resumed;
      afterTaskId = page[page.length - 1]?.task_id;
    }
  }

  /** Resumes `task` when its budgets have room; false when they have none or it left `paused` meanwhile. */
  private async resumeWithRoom(task: TaskRecord): Promise<boolean> {
    if (!(await this.hasRoom(task))) return false;
    try {
      await this.options.resume(task.task_id);
      return true;
    } catch (error) {
      // Resumed or cancelled meanwhile (by its user, or another process's sweep).
      if (!RoadmapError.isInstance(error) || error.code !== 'task_not_paused') throw error;
      return false;
    }
  }

  /** Whether the budgets of `task` have room for the call it paused on (any room when that is unknown). */
  private async hasRoom(task: TaskRecord): Promise<boolean> {
    const checkpoints = await this.options.storage.getCheckpoints(task.task_id);
    const needed = budgetPauseOf(checkpoints[budgetPauseCheckpointKey])?.needed_usd ?? budgetToleranceUsd;
    return (await budgetRoom(this.options, task)) + budgetToleranceUsd >= needed;
  }
}
