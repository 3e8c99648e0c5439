import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryQueue, RoadmapEngine, RoadmapError, type RoadmapEvent, type Storage } from '@roadmap/core';
import { auditStoredCalls, createScriptedModel } from '@roadmap/core/testing';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStorage, type SqliteStorage } from './sqliteStorage.js';

// SPEC §2: a storage error is an infrastructure fault, not a task failure. Another connection holds the database
// file's write lock (`BEGIN EXCLUSIVE`) while tasks run: their writes wait out the storage's busy timeout and fail
// with SQLITE_BUSY (a retryable `storage_error`), the tasks are given back and taken again, and every one completes
// without asking the model for anything already stored.

const busyTimeoutMs = 50;

/** Polls `condition` every `intervalMs` until it holds; throws after `timeoutMs`. */
async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `storage` whose failed calls are told to `onFailure` before their caller sees them. */
function observeFailures(storage: Storage, onFailure: (error: unknown) => void): Storage {
  return new Proxy(storage, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...callArgs: unknown[]) => unknown).apply(target, args);
        // Only the asynchronous calls (the storage contract); `defaultBlobStore()` answers at once.
        if (!(result instanceof Promise)) return result;
        return result.catch((error: unknown) => {
          onFailure(error);
          throw error;
        });
      };
    },
  });
}

const isBusy = (error: unknown) =>
  RoadmapError.isInstance(error) &&
  error.code === 'storage_error' &&
  error.retryable &&
  /busy|locked/i.test(error.message);

describe('a database file locked by another connection in the middle of a run', () => {
  let directory: string | undefined;
  let storage: SqliteStorage | undefined;
  let engine: RoadmapEngine | undefined;
  let locker: Database.Database | undefined;

  afterEach(async () => {
    await engine?.stop();
    if (locker?.inTransaction) locker.exec('ROLLBACK');
    locker?.close();
    storage?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  /**
   * Runs three tasks; once six items are stored, another connection takes the file's write lock, and `unlock`
   * decides when it commits (it is also told each failed storage call). Returns the figures of the run.
   */
  async function runWithLock(unlock: (commit: () => void, failures: readonly unknown[]) => Promise<void> | void) {
    directory = mkdtempSync(join(tmpdir(), 'roadmap-locked-'));
    const filename = join(directory, 'roadmap.db');
    const opened = createSqliteStorage({ filename, busyTimeoutMs });
    storage = opened;
    const failures: unknown[] = [];
    let commit = () => {};
    const observed = observeFailures(opened, (error) => {
      failures.push(error);
      void unlock(commit, failures);
    });
    const audit = auditStoredCalls(createScriptedModel({ latencyMs: 10 }), opened);
    engine = new RoadmapEngine({
      storage: observed,
      queue: createMemoryQueue(),
      model: audit.model,
      leaseMs: 1_000,
      recoveryIntervalMs: 200,
      concurrency: 2,
      taskConcurrency: 3,
      faultBackoff: { minDelayMs: 100, maxDelayMs: 800 },
      onError: () => {},
    });
    const events: RoadmapEvent[] = [];
    engine.subscribe((event) => events.push(event));
    await engine.start();
    const taskIds: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const goal = `Learn Haskell ${index}`;
      const { task } = await engine.generate({ userId: 'u1', request: { preferences: { learning_goal: goal } } });
      audit.track({ taskId: task.task_id, goal });
      taskIds.push(task.task_id);
    }
    const stored = () => events.filter((event) => event.type === 'concept_complete').length;
    await waitFor(() => stored() >= 6, '6 stored items before the lock');

    const lockedBy = new Database(filename);
    locker = lockedBy;
    lockedBy.exec('BEGIN EXCLUSIVE');
    const lockedAt = Date.now();
    let lockHeldMs = 0;
    commit = () => {
      if (!lockedBy.inTransaction) return;
      lockedBy.exec('COMMIT');
      lockHeldMs = Date.now() - lockedAt;
    };
    await unlock(commit, failures);

    // Read from storage, not from events: a terminal event whose write met the lock must not hang the test.
    const readTasks = () => Promise.all(taskIds.map((taskId) => opened.getTask(taskId)));
    const terminal = ['completed', 'partial_failure', 'failed', 'cancelled'];
    await waitFor(
      async () => (await readTasks()).every((task) => task !== null && terminal.includes(task.status)),
      'every task to end',
      60_000,
    );
    const tasks = await readTasks();
    const figures = {
      completed: tasks.filter((task) => task?.status === 'completed').length,
      askedAgain: audit.repeated.length,
      busyFailures: failures.filter(isBusy).length,
      givenBack: events.filter((event) => event.type === 'progress' && event.step === 'queued').length - taskIds.length,
      lockHeldMs,
    };
    console.info(
      `[sqlite lock held ${figures.lockHeldMs} ms] tasks completed: ${figures.completed}/${taskIds.length}; stored ` +
        `items asked again: ${figures.askedAgain}; SQLITE_BUSY failures: ${figures.busyFailures}; tasks given back: ` +
        `${figures.givenBack}; attempts: ${tasks.map((task) => task?.attempts).join(', ')}`,
    );
    return { ...figures, statuses: tasks.map((task) => task?.status), audit };
  }

  it('a lock held until the engine’s writes fail on it: the tasks are given back, then complete', async () => {
    // Held until a content-item write (the write whose failure stops a run) failed on it: a heartbeat that fails
    // first only misses a renewal, so releasing on it would leave no run to give back.
    const run = await runWithLock((commit, failures) => {
      if (failures.some((error) => isBusy(error) && /setItemStatus|saveItem/.test(String((error as Error).message)))) {
        commit();
      }
    });

    expect(run.statuses).toEqual(['completed', 'completed', 'completed']);
    expect(run.askedAgain).toBe(0);
    expect(run.busyFailures).toBeGreaterThan(0);
    expect(run.givenBack).toBeGreaterThan(0);
  }, 90_000);

  it('a lock held for 1.5 s or more, longer than the lease: every task completes', async () => {
    const run = await runWithLock(async (commit, failures) => {
      if (failures.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      commit();
    });

    expect(run.statuses).toEqual(['completed', 'completed', 'completed']);
    expect(run.askedAgain).toBe(0);
    expect(run.busyFailures).toBeGreaterThan(0);
  }, 90_000);
});
