import pg from 'pg';
import { storageError } from './database.js';

/**
 * One item write as the schema's `write_items` function takes it (migration 7): the fence, the item's key and new
 * column values, and optionally the task patch and the event stored with it.
 */
export interface ItemWriteEntry {
  task_id: string;
  lease_token: string;
  roadmap_id: string;
  concept_id: string;
  kind: string;
  status: string;
  error: string | null;
  updated_at: string;
  /** The item's new content; absent: the content is left as it is. */
  content?: unknown;
  /** Task columns to set (merged per task over a batch, later values win), applied only when the item was written. */
  patch?: Record<string, unknown>;
  /** The event appended when the item was written. */
  event?: unknown;
}

/** One queued item write: what to write and how to read its outcome. */
export interface ItemWrite<Result> {
  operation: string;
  entry: ItemWriteEntry;
  /** Reads the outcome: the event's `seq`, `0` when written without an event, `null` when the fence failed. */
  read: (outcome: number | null) => Result;
}

interface QueuedWrite {
  write: ItemWrite<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Runs item writes with group commit; see {@link createItemWriteBatch}. */
export interface ItemWriteBatch {
  /** Queues a write; resolves with its result once the statement holding it committed. */
  run<Result>(write: ItemWrite<Result>): Promise<Result>;
}

/**
 * Whether `error` is a statement's `ERROR` the server answered on a live connection (so it rolled the statement
 * back and nothing was committed), not a broken connection (`FATAL`, a reset socket), whose outcome is unknown.
 */
function isStatementError(error: unknown): boolean {
  return error instanceof pg.DatabaseError && error.severity === 'ERROR';
}

/**
 * Batches written at once. Two: while one is being written the next is sent and waits for the event log's lock at
 * the server, so the lock never idles for a round trip between batches.
 */
const maxInFlight = 2;

/** The real `setImmediate`, taken when this module loads: test fake timers installed later do not hold writes back. */
const nextTurn = globalThis.setImmediate;

/**
 * Group commit of content-item writes: the writes queued while the previous batch was being written (or during one
 * turn of the event loop) go to PostgreSQL together as one call of the schema's `write_items` function — one
 * prepared statement, so one round trip, one transaction, one acquisition of the event log's lock, one commit and
 * one update of each task row for many writes, with plans PL/pgSQL keeps per connection instead of statements
 * planned on every run. A batch whose statement fails (an `ERROR`: rolled back, nothing stored) runs its writes
 * again one by one, so a write fails only for its own reason; a batch whose connection breaks fails every write of
 * it — the commit may have happened, so nothing is run twice. A write's promise settles after the commit that
 * stored it.
 */
export function createItemWriteBatch(pool: pg.Pool, statement: { name: string; text: string }): ItemWriteBatch {
  let queue: QueuedWrite[] = [];
  let scheduled = false;
  let inFlight = 0;

  const call = async (batch: QueuedWrite[]): Promise<(number | null)[]> => {
    const values = [JSON.stringify(batch.map(({ write }) => write.entry))];
    const result = await pool.query<{ results: (string | null)[] }>({ ...statement, values });
    const outcomes = result.rows[0]?.results ?? [];
    return batch.map((_, index) => {
      const outcome = outcomes[index];
      return outcome === null || outcome === undefined ? null : Number(outcome);
    });
  };

  const settle = (batch: QueuedWrite[], outcomes: (number | null)[]) => {
    for (const [index, queued] of batch.entries()) {
      try {
        queued.resolve(queued.write.read(outcomes[index] ?? null));
      } catch (error) {
        queued.reject(error);
      }
    }
  };

  const runAlone = async (queued: QueuedWrite) => {
    try {
      settle([queued], await call([queued]));
    } catch (error) {
      queued.reject(storageError(queued.write.operation, error));
    }
  };

  /** Writes one batch together, and one by one again if a statement of it failed. */
  const write = async (batch: QueuedWrite[]) => {
    if (batch.length === 1) return runAlone(batch[0] as QueuedWrite);
    try {
      settle(batch, await call(batch));
    } catch (error) {
      if (isStatementError(error)) {
        // Nothing was stored: each write again on its own, in order (their events keep it), so each settles with
        // its own outcome.
        for (const queued of batch) await runAlone(queued);
      } else {
        for (const queued of batch) queued.reject(storageError(queued.write.operation, error));
      }
    }
  };

  /**
   * Starts a batch of what is queued on the next turn, unless one is waiting to start or `maxInFlight` are being
   * written: a batch finishing starts the next. While batches are in flight, writes gather into the next one.
   */
  const start = () => {
    if (scheduled || inFlight >= maxInFlight || queue.length === 0) return;
    scheduled = true;
    nextTurn(() => {
      scheduled = false;
      if (inFlight >= maxInFlight || queue.length === 0) return;
      const batch = queue;
      queue = [];
      inFlight += 1;
      void write(batch).finally(() => {
        inFlight -= 1;
        start();
      });
      start();
    });
  };

  return {
    run<Result>(write: ItemWrite<Result>): Promise<Result> {
      return new Promise<Result>((resolve, reject) => {
        queue.push({ write: write as ItemWrite<unknown>, resolve: resolve as (value: unknown) => void, reject });
        start();
      });
    },
  };
}
