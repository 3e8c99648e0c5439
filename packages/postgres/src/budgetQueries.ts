import { type BudgetCharge, type BudgetStore, type LeaseFence, roundUsd } from '@roadmap/core';
import { budgetFit } from '@roadmap/core/internal';
import type pg from 'pg';
import { inTransaction, type Queryable, queryOn, runQuery } from './database.js';
import { fenced } from './parameters.js';

/** The sums a charge query answers: `NULL` when nothing matched (numbers arrive as numbers: double precision). */
interface ChargeRow {
  spent_usd: number | null;
  reserved_usd: number | null;
}

const chargeOf = (row: ChargeRow | undefined): BudgetCharge => ({
  spent_usd: roundUsd(Number(row?.spent_usd ?? 0)),
  reserved_usd: roundUsd(Number(row?.reserved_usd ?? 0)),
});

/** Settled reservations count their cost, open ones their worst case. */
const chargeColumns = 'SUM(spent_usd) AS spent_usd, SUM(reserved_usd) FILTER (WHERE spent_usd IS NULL) AS reserved_usd';

/**
 * The budget ledger ({@link BudgetStore}) on PostgreSQL, in the `budget_reservations` table of `schema` (already
 * quoted). A reservation runs in one transaction that first takes the user's advisory lock — so every reservation of
 * one user, from any process, is serialized, and a task's (one user's) with them — then locks the task row `FOR
 * SHARE` (the fence: a cancel waits for the reservation, or the reservation sees the cancel), reads both charges
 * (READ COMMITTED: every reservation committed before the lock was granted) and inserts.
 */
export function createBudgetStore(pool: pg.Pool, schema: string): BudgetStore {
  const reservations = `${schema}.budget_reservations`;
  const query = queryOn(pool);
  const userCharge = (database: Queryable, userId: string, periodStart: string) =>
    runQuery<ChargeRow>(
      database,
      "read a user's budget charge",
      `SELECT ${chargeColumns} FROM ${reservations} WHERE user_id = $1 AND period_start = $2`,
      [userId, periodStart],
    );
  const taskCharge = (database: Queryable, taskId: string) =>
    runQuery<ChargeRow>(
      database,
      "read a task's budget charge",
      `SELECT ${chargeColumns} FROM ${reservations} WHERE task_id = $1`,
      [taskId],
    );

  return {
    async reserveBudget(fence: LeaseFence, reservation, limits) {
      if (fence.taskId !== reservation.task_id) return null;
      return inTransaction(pool, 'reserve budget', async (client) => {
        await runQuery(client, 'reserve budget', 'SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
          `roadmap_budget:${schema}`,
          reservation.user_id,
        ]);
        const holder = await runQuery(
          client,
          'reserve budget',
          `SELECT 1 FROM ${schema}.tasks WHERE task_id = $1 AND ${fenced} FOR SHARE`,
          [fence.taskId, fence.leaseToken],
        );
        if (holder.rowCount !== 1) return null;
        if (limits.user_usd !== null) {
          const charge = chargeOf((await userCharge(client, reservation.user_id, reservation.period_start)).rows[0]);
          const user = budgetFit(limits.user_usd, charge, reservation.reserved_usd);
          if (!user.fits) return { reserved: false, scope: 'user', available_usd: user.availableUsd } as const;
        }
        if (limits.task_usd !== null) {
          const charge = chargeOf((await taskCharge(client, reservation.task_id)).rows[0]);
          const task = budgetFit(limits.task_usd, charge, reservation.reserved_usd);
          if (!task.fits) return { reserved: false, scope: 'task', available_usd: task.availableUsd } as const;
        }
        await runQuery(
          client,
          'reserve budget',
          `INSERT INTO ${reservations} (reservation_id, task_id, user_id, period_start, reserved_usd, spent_usd, created_at)
           VALUES ($1, $2, $3, $4, $5, NULL, $6)`,
          [
            reservation.reservation_id,
            reservation.task_id,
            reservation.user_id,
            reservation.period_start,
            reservation.reserved_usd,
            reservation.created_at,
          ],
        );
        return { reserved: true } as const;
      });
    },

    async settleBudget(reservationId, spentUsd) {
      const result = await query(
        'settle a budget reservation',
        `UPDATE ${reservations} SET spent_usd = $2 WHERE reservation_id = $1 AND spent_usd IS NULL`,
        [reservationId, spentUsd],
      );
      return result.rowCount === 1;
    },

    async closeOpenReservations(taskId) {
      const result = await query(
        'close open budget reservations',
        `UPDATE ${reservations} SET spent_usd = reserved_usd WHERE task_id = $1 AND spent_usd IS NULL`,
        [taskId],
      );
      return result.rowCount ?? 0;
    },

    async userBudgetCharge(userId, periodStart) {
      return chargeOf((await userCharge(pool, userId, periodStart)).rows[0]);
    },

    async taskBudgetCharge(taskId) {
      return chargeOf((await taskCharge(pool, taskId)).rows[0]);
    },
  };
}
