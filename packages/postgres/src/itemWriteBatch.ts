import type { LeaseFence } from '@roadmap/core';
import type { PatchColumn } from '@roadmap/core/internal';
import pg from 'pg';
import { storageError } from './database.js';

/** SQL text with `$n` parameters and their values. */
export interface BoundStatement {
  text: string;
  values: unknown[];
}

/** One queued item write: how it runs alone and in a batch, and how to read its result (the same for both). */
export interface ItemWrite<Result> {
  operation: string;
  /** Alone: a named prepared statement that checks the fence, writes, patches the task and appends the event. */
  statement: BoundStatement & { name: string };
  /**
   * In a batch (the task row already locked): the fenced item write and event only; the task patch's columns are
   * applied once for the batch.
   */
  batched: BoundStatement & { fence: LeaseFence; patchColumns: readonly PatchColumn[] };
  read: (result: pg.QueryResult) => Result;
}

/** The statements a batch adds around its writes. */
export interface BatchStatements {
  /** Takes the event log's advisory lock. */
  eventLock: string;
  /** Locks a task row (`FOR UPDATE`), `$1` the task id. */
  lockTask: string;
  /** Applies patch columns to the task a fence holds. */
  patchTask: (fence: LeaseFence, columns: readonly PatchColumn[]) => BoundStatement;
}

interface QueuedWrite {
  write: ItemWrite<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Runs item writes with group commit; see {@link createItemWriteBatch}. */
export interface ItemWriteBatch {
  /** Queues a write; resolves with its result once the transaction holding it committed. */
  run<Result>(write: ItemWrite<Result>): Promise<Result>;
}

/**
 * Whether `error` is a statement's `ERROR` the server answered on a live connection (so it rolled the transaction
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

/** A value bound into SQL text as a literal (pg's `escapeLiteral` for text: quotes and backslashes escaped). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return pg.escapeLiteral(String(value));
}

/** A statement's `$n` parameters replaced by their values as literals (item writes use no other `$`). */
function inlined({ text, values }: BoundStatement): string {
  return text.replace(/\$(\d+)/g, (_, position: string) => literal(values[Number(position) - 1]));
}

/**
 * Group commit of content-item writes: the writes queued while the previous batch was being written (or during one
 * turn of the event loop) go to PostgreSQL together, in one round trip: one simple-protocol query holding `BEGIN`,
 * the event log's advisory lock (taken first, the order every appender uses, so a batch never deadlocks with a
 * status change), a `FOR UPDATE` lock of each task row written for (so a cancel waits for the batch), each write's
 * fenced item write and event with its values as escaped literals, each task's patch once (its writes' columns
 * merged in order), and `COMMIT` — one commit, one lock acquisition, one task-row update and one round trip for
 * many writes instead of one each. A lone write runs as its own prepared
 * statement. A batch whose statement fails (an `ERROR`: rolled back, nothing stored) runs its writes again one by
 * one, so a write fails only for its own reason; a batch whose connection breaks fails every write of it, as a lone
 * write would — the commit may have happened, so nothing is run twice. A write's promise settles after the commit
 * that stored it.
 */
export function createItemWriteBatch(pool: pg.Pool, statements: BatchStatements): ItemWriteBatch {
  let queue: QueuedWrite[] = [];
  let scheduled = false;
  let inFlight = 0;

  const runAlone = async (queued: QueuedWrite) => {
    const { operation, statement, read } = queued.write;
    try {
      queued.resolve(read(await pool.query(statement)));
    } catch (error) {
      queued.reject(storageError(operation, error));
    }
  };

  /**
   * The batch in one transaction and one round trip: each write's result; `{ rolledBack }` when one of its statements
   * failed (an `ERROR`: the server rolled the transaction back, nothing was stored, the connection lives on); or
   * `{ failed }` when the connection could not be had or broke — then whether the commit happened is unknown, and
   * the writes must not run again (their events would be stored twice): they fail, as a lone write would.
   */
  const runTogether = async (
    batch: QueuedWrite[],
  ): Promise<{ results: unknown[] } | { rolledBack: true } | { failed: unknown }> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      return { failed: error };
    }
    let broken = false;
    const onError = () => {
      broken = true;
    };
    // As in `inTransaction`: a connection that dies while held must not emit an unhandled 'error'.
    client.on('error', onError);
    try {
      // The patch columns of each task, in write order (a later write's value of a column wins).
      const patches = new Map<string, { fence: LeaseFence; columns: Map<string, PatchColumn> }>();
      for (const { write } of batch) {
        const { fence, patchColumns } = write.batched;
        const key = `${fence.taskId}\u0000${fence.leaseToken}`;
        let patch = patches.get(key);
        if (!patch) {
          patch = { fence, columns: new Map() };
          patches.set(key, patch);
        }
        for (const column of patchColumns) patch.columns.set(column.column, column);
      }
      const taskIds = [...new Set(batch.map(({ write }) => write.batched.fence.taskId))];
      const text = [
        'BEGIN',
        statements.eventLock,
        ...taskIds.map((taskId) => inlined({ text: statements.lockTask, values: [taskId] })),
        ...batch.map(({ write }) => inlined(write.batched)),
        ...[...patches.values()]
          .filter((patch) => patch.columns.size > 0)
          .map((patch) => inlined(statements.patchTask(patch.fence, [...patch.columns.values()]))),
        'COMMIT',
      ].join(';\n');
      const answers = (await client.query(text)) as unknown as pg.QueryResult[];
      const first = 2 + taskIds.length;
      return { results: batch.map(({ write }, index) => write.read(answers[first + index] as pg.QueryResult)) };
    } catch (error) {
      if (broken || !isStatementError(error)) {
        broken = true;
        return { failed: error };
      }
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      return { rolledBack: true };
    } finally {
      // A broken client keeps the listener: the server's FATAL can arrive after the query failed.
      if (!broken) client.off('error', onError);
      client.release(broken);
    }
  };

  /** Writes one batch: alone, or together (and one by one again if a statement of it failed). */
  const write = async (batch: QueuedWrite[]) => {
    if (batch.length === 1) return runAlone(batch[0] as QueuedWrite);
    const outcome = await runTogether(batch);
    if ('results' in outcome) {
      for (const [index, queued] of batch.entries()) queued.resolve(outcome.results[index]);
    } else if ('rolledBack' in outcome) {
      // Nothing was stored: each write again on its own, so each settles with its own outcome.
      await Promise.all(batch.map(runAlone));
    } else {
      for (const queued of batch) queued.reject(storageError(queued.write.operation, outcome.failed));
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
