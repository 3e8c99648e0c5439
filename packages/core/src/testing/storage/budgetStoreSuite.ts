import { beforeEach, describe, expect, it } from 'vitest';
import { isoTime } from '../../shared/clock.js';
import type { BudgetReservation, BudgetStore } from '../../storage/budgetStore.js';
import type { LeaseFence, TaskStore } from '../../storage/taskStore.js';
import { fixtureEpochMs, fixtureUuid } from './fixtures.js';
import { type StorageFactory, type StorageHarness, taskSteps, useStorage } from './harness.js';

/** What the suite runs on: the budget ledger is fenced by the task part's leases. */
export type BudgetStoreUnderTest = TaskStore & BudgetStore;

const periodOf = (day: number) => isoTime(Date.UTC(2026, 0, day));

/**
 * Registers the tests of {@link BudgetStore} in the current `describe`: reservations within and past each limit,
 * settling once, closing a dead run's open reservations, the charges of a user's period and of a task, the fence,
 * and concurrent reservations racing for the last dollars of one budget.
 */
export function describeBudgetStore(harness: StorageHarness<BudgetStoreUnderTest>): void {
  let storage: BudgetStoreUnderTest;
  beforeEach(() => {
    storage = harness.storage;
  });
  const { startTask, cancel } = taskSteps(harness);
  let sequence = 0;
  const reservation = (
    task: { task_id: string; user_id: string },
    reservedUsd: number,
    periodStart = periodOf(1),
  ): BudgetReservation => {
    sequence += 1;
    return {
      reservation_id: fixtureUuid(9_000 + sequence),
      task_id: task.task_id,
      user_id: task.user_id,
      period_start: periodStart,
      reserved_usd: reservedUsd,
      created_at: isoTime(fixtureEpochMs + sequence),
    };
  };
  const noLimits = { user_usd: null, task_usd: null };

  describe('budget reservations', () => {
    it('stores a reservation that fits and charges it open, then at its real cost once settled', async () => {
      const { task, fence } = await startTask({ user_id: 'user-b1' });
      const first = reservation(task, 0.25);
      expect(await storage.reserveBudget(fence, first, { user_usd: 1, task_usd: 1 })).toEqual({ reserved: true });
      expect(await storage.userBudgetCharge('user-b1', periodOf(1))).toEqual({ spent_usd: 0, reserved_usd: 0.25 });
      expect(await storage.taskBudgetCharge(task.task_id)).toEqual({ spent_usd: 0, reserved_usd: 0.25 });
      expect(await storage.settleBudget(first.reservation_id, 0.0125)).toBe(true);
      expect(await storage.userBudgetCharge('user-b1', periodOf(1))).toEqual({ spent_usd: 0.0125, reserved_usd: 0 });
      expect(await storage.taskBudgetCharge(task.task_id)).toEqual({ spent_usd: 0.0125, reserved_usd: 0 });
    });

    it('settles once: settling again, or an unknown reservation, changes nothing', async () => {
      const { task, fence } = await startTask({ user_id: 'user-b2' });
      const first = reservation(task, 0.5);
      await storage.reserveBudget(fence, first, noLimits);
      expect(await storage.settleBudget(first.reservation_id, 0.1)).toBe(true);
      expect(await storage.settleBudget(first.reservation_id, 0.4)).toBe(false);
      expect(await storage.settleBudget(fixtureUuid(8_999), 0.4)).toBe(false);
      expect(await storage.taskBudgetCharge(task.task_id)).toEqual({ spent_usd: 0.1, reserved_usd: 0 });
    });

    it("refuses a reservation past the user's limit of its period, storing nothing, and says what was left", async () => {
      const { task, fence } = await startTask({ user_id: 'user-b3' });
      const limits = { user_usd: 1, task_usd: null };
      const spent = reservation(task, 0.6);
      expect(await storage.reserveBudget(fence, spent, limits)).toEqual({ reserved: true });
      await storage.settleBudget(spent.reservation_id, 0.5);
      expect(await storage.reserveBudget(fence, reservation(task, 0.3), limits)).toEqual({ reserved: true });
      // Charged: 0.5 spent + 0.3 open; 0.2 left.
      expect(await storage.reserveBudget(fence, reservation(task, 0.25), limits)).toEqual({
        reserved: false,
        scope: 'user',
        available_usd: 0.2,
      });
      // Exactly what is left fits.
      expect(await storage.reserveBudget(fence, reservation(task, 0.2), limits)).toEqual({ reserved: true });
      expect(await storage.userBudgetCharge('user-b3', periodOf(1))).toEqual({ spent_usd: 0.5, reserved_usd: 0.5 });
      // Another period starts from nothing; another user is not charged.
      expect(await storage.reserveBudget(fence, reservation(task, 0.9, periodOf(2)), limits)).toEqual({
        reserved: true,
      });
      expect(await storage.userBudgetCharge('user-b3', periodOf(2))).toEqual({ spent_usd: 0, reserved_usd: 0.9 });
      expect(await storage.userBudgetCharge('someone-else', periodOf(1))).toEqual({ spent_usd: 0, reserved_usd: 0 });
    });

    it("refuses a reservation past the task's limit over all its periods; the user's other tasks are not charged to it", async () => {
      const { task, fence } = await startTask({ user_id: 'user-b4' });
      const other = await startTask({ user_id: 'user-b4' }, 'lease-2');
      expect(await storage.reserveBudget(other.fence, reservation(other.task, 5), noLimits)).toEqual({
        reserved: true,
      });
      const limits = { user_usd: null, task_usd: 0.5 };
      expect(await storage.reserveBudget(fence, reservation(task, 0.3, periodOf(1)), limits)).toEqual({
        reserved: true,
      });
      expect(await storage.reserveBudget(fence, reservation(task, 0.3, periodOf(2)), limits)).toEqual({
        reserved: false,
        scope: 'task',
        available_usd: 0.2,
      });
      expect(await storage.taskBudgetCharge(task.task_id)).toEqual({ spent_usd: 0, reserved_usd: 0.3 });
    });

    it("names the user's limit when both would be exceeded", async () => {
      const { task, fence } = await startTask({ user_id: 'user-b5' });
      expect(await storage.reserveBudget(fence, reservation(task, 2), { user_usd: 1, task_usd: 1.5 })).toMatchObject({
        reserved: false,
        scope: 'user',
        available_usd: 1,
      });
    });

    it('reserves nothing for a worker that lost its task (the fence)', async () => {
      const { task, fence } = await startTask({ user_id: 'user-b6' });
      const stale: LeaseFence = { taskId: task.task_id, leaseToken: 'someone-else' };
      expect(await storage.reserveBudget(stale, reservation(task, 0.1), noLimits)).toBeNull();
      await cancel(task.task_id);
      expect(await storage.reserveBudget(fence, reservation(task, 0.1), noLimits)).toBeNull();
      expect(await storage.taskBudgetCharge(task.task_id)).toEqual({ spent_usd: 0, reserved_usd: 0 });
    });

    it("closes a dead run's open reservations at their worst case, leaving settled ones and other tasks' alone", async () => {
      const { task, fence } = await startTask({ user_id: 'user-b7' });
      const other = await startTask({ user_id: 'user-b7' }, 'lease-2');
      const settled = reservation(task, 0.4);
      await storage.reserveBudget(fence, settled, noLimits);
      await storage.settleBudget(settled.reservation_id, 0.1);
      const open = [reservation(task, 0.2), reservation(task, 0.3)];
      for (const entry of open) await storage.reserveBudget(fence, entry, noLimits);
      await storage.reserveBudget(other.fence, reservation(other.task, 0.7), noLimits);
      expect(await storage.closeOpenReservations(task.task_id)).toBe(2);
      expect(await storage.closeOpenReservations(task.task_id)).toBe(0);
      expect(await storage.taskBudgetCharge(task.task_id)).toEqual({ spent_usd: 0.6, reserved_usd: 0 });
      expect(await storage.taskBudgetCharge(other.task.task_id)).toEqual({ spent_usd: 0, reserved_usd: 0.7 });
      // A closed reservation is settled: settling it later changes nothing.
      expect(await storage.settleBudget(open[0]?.reservation_id ?? '', 0)).toBe(false);
    });

    it('of 20 concurrent reservations for the last dollars of one user, only those that fit are stored', async () => {
      const held = await Promise.all(
        Array.from({ length: 4 }, (_, index) => startTask({ user_id: 'user-race' }, `lease-race-${index}`)),
      );
      const limits = { user_usd: 1, task_usd: null };
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, index) => {
          const { task, fence } = held[index % held.length] as (typeof held)[number];
          return storage.reserveBudget(fence, reservation(task, 0.15), limits);
        }),
      );
      // 6 × 0.15 = 0.90 fits, a seventh would be 1.05.
      expect(answers.filter((answer) => answer?.reserved === true)).toHaveLength(6);
      const charge = await storage.userBudgetCharge('user-race', periodOf(1));
      expect(charge.spent_usd).toBe(0);
      expect(charge.reserved_usd).toBeCloseTo(0.9, 9);
    });
  });
}

/**
 * Registers the conformance tests of {@link BudgetStore} alone (with the task part its fence reads), one storage per
 * test; `runStorageConformance` runs them with every other part.
 */
export function runBudgetStoreConformance(name: string, createStorage: StorageFactory<BudgetStoreUnderTest>): void {
  describe(`${name}: BudgetStore conformance`, () => {
    describeBudgetStore(useStorage(createStorage));
  });
}
