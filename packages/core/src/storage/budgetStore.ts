import type { LeaseFence } from './taskStore.js';

/**
 * One model call's claim on the budgets of its task (SPEC §7 budgets): its worst case, reserved before the call
 * starts and settled with what the call really cost once it ends. Reservations are the ledger budgets are enforced
 * from: a user's charge in a period is the sum over its reservations of that period, a task's over its own — each
 * reservation counting its `spent_usd` once settled and its `reserved_usd` while open.
 */
export interface BudgetReservation {
  /** Unique id of the reservation (one per call attempt). */
  reservation_id: string;
  task_id: string;
  user_id: string;
  /**
   * Start (ISO-8601 UTC) of the user's budget period the call falls in: the user's limit counts the reservations of
   * this period only.
   */
  period_start: string;
  /** The call's worst case in US dollars: its prompt's tokens and the model's most output tokens, at its price. */
  reserved_usd: number;
  /** When the reservation was made (ISO-8601 UTC). */
  created_at: string;
}

/**
 * How far a sum of charges may pass a limit and still count as within it: a nano-dollar, so the rounding of float
 * sums (in any database) never refuses the call that spends a budget exactly.
 */
export const budgetToleranceUsd = 1e-9;

/** The limits a reservation must fit under; `null`: none of that kind applies. */
export interface BudgetLimits {
  /** What the user may be charged in the reservation's period, in US dollars. */
  user_usd: number | null;
  /** What the task may be charged over all its calls, in US dollars. */
  task_usd: number | null;
}

/** A reservation that fit: it is stored, open, and counts at `reserved_usd` until settled. */
export interface BudgetReserved {
  reserved: true;
}

/**
 * A reservation that would exceed a limit: nothing was stored. `scope` names the limit (the user's when both would
 * be exceeded) and `available_usd` what that limit had left (0 or more).
 */
export interface BudgetRefused {
  reserved: false;
  scope: 'user' | 'task';
  available_usd: number;
}

/** What is charged against a budget: settled calls at their cost, open reservations at their worst case. */
export interface BudgetCharge {
  /** Sum of the settled reservations' real costs. */
  spent_usd: number;
  /** Sum of the open reservations' worst cases. */
  reserved_usd: number;
}

/**
 * The budget ledger (SPEC §7 budgets): a reservation per model call, made before the call in one atomic step with the
 * check of every limit, so concurrent workers in any process can never reserve past a budget together.
 *
 * Atomicity (checked by `runBudgetStoreConformance` through `runStorageConformance`, from `@roadmap/core/testing`):
 * - `reserveBudget` reads the user's charge in the period and the task's charge, compares them with the limits and
 *   stores the reservation in one atomic step: of concurrent reservations for the last dollars, only those that fit
 *   together are stored;
 * - it is fenced ({@link LeaseFence}): a worker that lost its task reserves nothing;
 * - `settleBudget` settles an open reservation once; settling it again changes nothing.
 *
 * Reservations are kept once settled (they are the record of what each period was charged) and are deleted with
 * their task.
 */
export interface BudgetStore {
  /**
   * Stores `reservation` if, with it, the user's charge in `reservation.period_start`'s period stays within
   * `limits.user_usd` and the task's charge within `limits.task_usd` (each a sum of settled costs and open worst
   * cases); otherwise stores nothing and says which limit it would exceed. `null` when the fence failed (the task
   * is no longer `processing` or `paused` under that lease).
   */
  reserveBudget(
    fence: LeaseFence,
    reservation: BudgetReservation,
    limits: BudgetLimits,
  ): Promise<BudgetReserved | BudgetRefused | null>;
  /**
   * Settles an open reservation with the call's real cost (0 or more, in US dollars): from now on it counts at
   * `spentUsd`. False when the reservation is unknown or was settled already (nothing changes).
   */
  settleBudget(reservationId: string, spentUsd: number): Promise<boolean>;
  /**
   * Settles every open reservation of the task at its worst case — the calls of a run that ended without settling
   * them (its worker died): what they cost is unknown, so they keep what they reserved. Returns how many.
   */
  closeOpenReservations(taskId: string): Promise<number>;
  /** What the user's reservations of the period starting at `periodStart` charge. */
  userBudgetCharge(userId: string, periodStart: string): Promise<BudgetCharge>;
  /** What the task's reservations charge, over all periods. */
  taskBudgetCharge(taskId: string): Promise<BudgetCharge>;
}

/**
 * Whether `amountUsd` fits under `limitUsd` after `charge` (within {@link budgetToleranceUsd}), and what the limit has
 * left (0 or more, rounded to a nano-dollar): the comparison every storage makes in `reserveBudget`.
 */
export function budgetFit(
  limitUsd: number,
  charge: BudgetCharge,
  amountUsd: number,
): { fits: boolean; availableUsd: number } {
  const available = limitUsd - charge.spent_usd - charge.reserved_usd;
  return {
    fits: amountUsd <= available + budgetToleranceUsd,
    availableUsd: Math.max(0, Math.round(available * 1e9) / 1e9),
  };
}
