import {
  type BudgetCharge,
  type BudgetLimits,
  type BudgetRefused,
  type BudgetReservation,
  type BudgetReserved,
  type BudgetStore,
  type LeaseFence,
  roundUsd,
} from '@roadmap/core';
import { budgetFit } from '@roadmap/core/internal';
import type BetterSqlite3 from 'better-sqlite3';
import { createStatementCache } from './connection.js';
import { fenceParameters, held } from './statements.js';
import { guard } from './storageError.js';

/** The sums a charge query answers: `NULL` when nothing matched. */
interface ChargeRow {
  spent_usd: number | null;
  reserved_usd: number | null;
}

const chargeOf = (row: ChargeRow | undefined): BudgetCharge => ({
  spent_usd: roundUsd(row?.spent_usd ?? 0),
  reserved_usd: roundUsd(row?.reserved_usd ?? 0),
});

/** Settled reservations count their cost, open ones their worst case. */
const chargeColumns = `SUM(spent_usd) AS spent_usd, SUM(CASE WHEN spent_usd IS NULL THEN reserved_usd END) AS reserved_usd`;

/**
 * The budget ledger ({@link BudgetStore}) on SQLite: a reservation is checked against the user's period charge and
 * the task's charge and inserted in one `BEGIN IMMEDIATE` transaction, so reservations from every connection and
 * process sharing the file are serialized by the write lock and can never pass a limit together.
 */
export function createBudgetStore(database: BetterSqlite3.Database): BudgetStore {
  const prepare = createStatementCache(database);
  const holds = prepare(`SELECT 1 AS held FROM tasks WHERE ${held}`);
  const userCharge = prepare(
    `SELECT ${chargeColumns} FROM budget_reservations WHERE user_id = @userId AND period_start = @periodStart`,
  );
  const taskCharge = prepare(`SELECT ${chargeColumns} FROM budget_reservations WHERE task_id = @taskId`);
  const insertReservation = prepare(
    `INSERT INTO budget_reservations (reservation_id, task_id, user_id, period_start, reserved_usd, spent_usd, created_at)
     VALUES (@reservation_id, @task_id, @user_id, @period_start, @reserved_usd, NULL, @created_at)`,
  );
  const settle = prepare(
    'UPDATE budget_reservations SET spent_usd = @spentUsd WHERE reservation_id = @reservationId AND spent_usd IS NULL',
  );
  const closeOpen = prepare(
    'UPDATE budget_reservations SET spent_usd = reserved_usd WHERE task_id = @taskId AND spent_usd IS NULL',
  );

  const reserveTransaction = database.transaction(
    (
      fence: LeaseFence,
      reservation: BudgetReservation,
      limits: BudgetLimits,
    ): BudgetReserved | BudgetRefused | null => {
      if (fence.taskId !== reservation.task_id || !holds.get(fenceParameters(fence))) return null;
      if (limits.user_usd !== null) {
        const charge = chargeOf(
          userCharge.get({ userId: reservation.user_id, periodStart: reservation.period_start }) as ChargeRow,
        );
        const user = budgetFit(limits.user_usd, charge, reservation.reserved_usd);
        if (!user.fits) return { reserved: false, scope: 'user', available_usd: user.availableUsd };
      }
      if (limits.task_usd !== null) {
        const charge = chargeOf(taskCharge.get({ taskId: reservation.task_id }) as ChargeRow);
        const task = budgetFit(limits.task_usd, charge, reservation.reserved_usd);
        if (!task.fits) return { reserved: false, scope: 'task', available_usd: task.availableUsd };
      }
      insertReservation.run(reservation);
      return { reserved: true };
    },
  );

  return {
    async reserveBudget(fence, reservation, limits) {
      return guard('reserveBudget', () => reserveTransaction.immediate(fence, reservation, limits));
    },

    async settleBudget(reservationId, spentUsd) {
      return guard('settleBudget', () => settle.run({ reservationId, spentUsd }).changes === 1);
    },

    async closeOpenReservations(taskId) {
      return guard('closeOpenReservations', () => closeOpen.run({ taskId }).changes);
    },

    async userBudgetCharge(userId, periodStart) {
      return guard('userBudgetCharge', () => chargeOf(userCharge.get({ userId, periodStart }) as ChargeRow));
    },

    async taskBudgetCharge(taskId) {
      return guard('taskBudgetCharge', () => chargeOf(taskCharge.get({ taskId }) as ChargeRow));
    },
  };
}
