import type BetterSqlite3 from 'better-sqlite3';
import { toStorageError } from './storageError.js';

/** What one group commit held, for monitoring (the `onWriteBatch` option of `createSqliteStorage`). */
export interface WriteBatch {
  /** Writes committed (or refused) together. */
  writes: number;
  /** Time the batch's transaction took, in milliseconds, from `BEGIN IMMEDIATE` to `COMMIT`. */
  durationMs: number;
}

/** Runs writes in shared transactions; see {@link createGroupCommit}. */
export interface GroupCommit {
  /**
   * Queues `work` (synchronous better-sqlite3 calls) for the next group commit; resolves with its result once the
   * transaction holding it committed, or rejects with a `storage_error` naming `operation`.
   */
  write<Result>(operation: string, work: () => Result): Promise<Result>;
  /** Commits what is queued now (before the connection closes). */
  flush(): void;
}

interface QueuedWrite {
  operation: string;
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  outcome?: { value: unknown } | { error: unknown };
}

/**
 * The real `setImmediate`, taken when this module loads: test fake timers installed later do not hold commits back.
 */
const nextTurn = globalThis.setImmediate;

/**
 * Group commit: writes queued during one turn of the event loop are committed together, in one `BEGIN IMMEDIATE`
 * transaction, at the start of the next turn — one commit (one WAL append) for many writes, where a commit costs
 * more than the statements of a write. Each write runs in its own savepoint, so one that fails (its fence, a
 * constraint) is rolled back alone and rejects alone; the others commit. A write's promise settles only after the
 * commit: what resolved is durable, and a crash before the commit loses only writes that never resolved. Writes
 * keep their order.
 */
export function createGroupCommit(
  database: BetterSqlite3.Database,
  onBatch: ((batch: WriteBatch) => void) | undefined,
): GroupCommit {
  let queue: QueuedWrite[] = [];
  let scheduled = false;
  const inSavepoint = database.transaction((work: () => unknown) => work());
  const commitAll = database.transaction((batch: QueuedWrite[]) => {
    for (const write of batch) {
      try {
        write.outcome = { value: inSavepoint(write.work) };
      } catch (error) {
        write.outcome = { error: toStorageError(write.operation, error) };
      }
    }
  });

  const flush = () => {
    scheduled = false;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    const startedAt = performance.now();
    try {
      commitAll.immediate(batch);
    } catch (error) {
      // BEGIN or COMMIT failed (the file is locked past the busy timeout, the disk is full): nothing was stored.
      for (const write of batch) write.reject(toStorageError(write.operation, error));
      return;
    }
    onBatch?.({ writes: batch.length, durationMs: performance.now() - startedAt });
    for (const write of batch) {
      const outcome = write.outcome;
      if (outcome && 'value' in outcome) write.resolve(outcome.value);
      else write.reject(outcome?.error);
    }
  };

  return {
    write<Result>(operation: string, work: () => Result): Promise<Result> {
      return new Promise<Result>((resolve, reject) => {
        queue.push({ operation, work, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          nextTurn(flush);
        }
      });
    },
    flush,
  };
}
