import { type BudgetRefused, type LeaseFence, roundUsd } from '@roadmap/core';
import { fixtureEpochMs, fixtureUuid, makeTaskRecord } from '@roadmap/core/testing';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createPostgresStorage, type PostgresStorage } from './postgresStorage.js';
import { databaseUrl, describeWithDatabase, dropSchema, freshSchemaName } from './postgresTestSupport.js';

const workers = 8;
const budgetUsd = 1;
const userId = 'racer';
const periodStart = new Date(fixtureEpochMs).toISOString();
const limits = { user_usd: budgetUsd, task_usd: null };

/** Deterministic random numbers in [0, 1) (mulberry32): each worker draws its sizes from its own seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whole micro-dollars, like priced calls: a sum past the budget passes it by 1e-6 at least, far above the tolerance. */
const microUsd = (value: number) => Math.round(value * 1e6) / 1e6;

/** One worker process: its own pool on the database, holding its own `processing` task of the user. */
interface Worker {
  storage: PostgresStorage;
  fence: LeaseFence;
  random: () => number;
}

/** What one worker's race did. */
interface WorkerTally {
  /** The reservations stored, each with the cost it was settled with (`null` while left open). */
  reservations: { id: string; reservedUsd: number; spentUsd: number | null }[];
  /** The refusal that ended its race. */
  refusal: BudgetRefused & { requestedUsd: number };
}

describeWithDatabase('budget reservations on PostgreSQL: 8 pools racing for one user budget (SPEC §7)', () => {
  const adminPool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  afterAll(() => adminPool.end());

  it('stores only the reservations that fit together, open or settled, and refuses the rest', async () => {
    const schema = freshSchemaName();
    const storages: PostgresStorage[] = [];
    try {
      for (let index = 0; index < workers; index += 1) {
        storages.push(await createPostgresStorage({ connectionString: databaseUrl, schema }));
      }
      const now = Date.now();
      const crew: Worker[] = [];
      for (const [index, storage] of storages.entries()) {
        const token = `worker-${index}`;
        const { task } = await storage.createTask(makeTaskRecord({ user_id: userId }));
        const claimed = await storage.acquireLease(task.task_id, {
          token,
          now,
          expiresAt: now + 600_000,
          updatedAt: new Date(now).toISOString(),
        });
        expect(claimed).toMatchObject({ task: { status: 'processing' } });
        crew.push({ storage, fence: { taskId: task.task_id, leaseToken: token }, random: seededRandom(2026 + index) });
      }
      let reservationCount = 0;

      /**
       * Reserves $0.005–$0.05 at a time until refused. Each reservation is settled right after
       * it was stored (with a seeded cost up to what it reserved) when `settleEach`, else never (left open).
       */
      const race = async (worker: Worker, settleEach: boolean): Promise<WorkerTally> => {
        const reservations: WorkerTally['reservations'] = [];
        for (;;) {
          reservationCount += 1;
          const id = fixtureUuid(10_000 + reservationCount);
          const requestedUsd = microUsd(0.005 + worker.random() * 0.045);
          const answer = await worker.storage.reserveBudget(
            worker.fence,
            {
              reservation_id: id,
              task_id: worker.fence.taskId,
              user_id: userId,
              period_start: periodStart,
              reserved_usd: requestedUsd,
              created_at: new Date().toISOString(),
            },
            limits,
          );
          if (answer === null) throw new Error(`${worker.fence.leaseToken} lost its task`);
          if (!answer.reserved) return { reservations, refusal: { ...answer, requestedUsd } };
          const entry = { id, reservedUsd: requestedUsd, spentUsd: null as number | null };
          reservations.push(entry);
          if (settleEach) {
            entry.spentUsd = microUsd(requestedUsd * worker.random());
            expect(await worker.storage.settleBudget(id, entry.spentUsd)).toBe(true);
          }
        }
      };
      const charge = () => (storages[0] as PostgresStorage).userBudgetCharge(userId, periodStart);
      const sum = (values: number[]) => roundUsd(values.reduce((total, value) => total + value, 0));

      // Round 1: every reservation stays open, so the charge at the end is the highest it ever was.
      const first = await Promise.all(crew.map((worker) => race(worker, false)));
      const open = first.flatMap((tally) => tally.reservations);
      const peak = await charge();
      expect(peak.spent_usd).toBe(0);
      expect(peak.reserved_usd).toBe(sum(open.map((entry) => entry.reservedUsd)));
      const peakOverspend = roundUsd(Math.max(0, peak.reserved_usd - budgetUsd));

      // The calls end: each settled at a seeded cost up to what it reserved, which frees room for round 2.
      for (const [index, tally] of first.entries()) {
        const worker = crew[index] as Worker;
        for (const entry of tally.reservations) {
          entry.spentUsd = microUsd(entry.reservedUsd * worker.random());
          expect(await worker.storage.settleBudget(entry.id, entry.spentUsd)).toBe(true);
        }
      }

      // Round 2: each reservation settled as soon as it is stored, as a worker does after each call.
      const second = await Promise.all(crew.map((worker) => race(worker, true)));
      const all = [...first, ...second];
      const stored = all.flatMap((tally) => tally.reservations);
      const refusals = all.map((tally) => tally.refusal);
      const final = await charge();
      const overspend = roundUsd(Math.max(0, final.spent_usd + final.reserved_usd - budgetUsd));
      console.log(
        `[budget reservation race] ${workers} pools, budget $${budgetUsd}: round 1 ${open.length} open reservations ` +
          `peaked at $${peak.reserved_usd} (overspend $${peakOverspend}); round 2 ${second.flatMap((tally) => tally.reservations).length} ` +
          `reserved-and-settled; ${refusals.length} refusals; final spent $${final.spent_usd}, ` +
          `left $${roundUsd(budgetUsd - final.spent_usd)}, overspend $${overspend}`,
      );

      expect(peakOverspend).toBe(0);
      expect(overspend).toBe(0);
      // The ledger holds exactly the reservations answered `reserved`, at the costs they were settled with.
      expect(final).toEqual({ spent_usd: sum(stored.map((entry) => entry.spentUsd ?? Number.NaN)), reserved_usd: 0 });
      const rows = await adminPool.query(`SELECT count(*)::int AS count FROM "${schema}".budget_reservations`);
      expect(rows.rows[0].count).toBe(stored.length);
      // Every worker's race ended in a refusal that was right when it was made: what it asked for did not fit.
      expect(refusals).toHaveLength(2 * workers);
      for (const refusal of refusals) {
        expect(refusal.scope).toBe('user');
        expect(refusal.available_usd).toBeGreaterThanOrEqual(0);
        expect(refusal.requestedUsd).toBeGreaterThan(refusal.available_usd);
      }
      // The race was for the last dollars: round 1 filled the budget to within one reservation's largest size.
      expect(peak.reserved_usd).toBeGreaterThan(budgetUsd - 0.05);
    } finally {
      for (const storage of storages) await storage.close();
      await dropSchema(adminPool, schema);
    }
  }, 60_000);
});
