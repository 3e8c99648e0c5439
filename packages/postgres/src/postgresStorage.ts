import type { Storage } from '@roadmap/core';
import pg from 'pg';
import { createBudgetStore } from './budgetQueries.js';
import { createCheckpointStore } from './checkpointQueries.js';
import { createCoverStore } from './coverQueries.js';
import { quoteSchema } from './database.js';
import { createEventStore } from './eventQueries.js';
import type { LeaseClock } from './leaseClock.js';
import { createLifecycleStore } from './lifecycleQueries.js';
import { applyMigrations } from './migrations.js';
import { createTaskStore } from './taskQueries.js';

/** Settings of the pool the storage creates (ignored when you pass `pool`). */
export interface PostgresPoolOptions {
  /** Most connections open at once. Default: 10 (pg's default). */
  max?: number;
  /** Milliseconds an idle connection stays open before it is closed. Default: 10 000 (pg's default). */
  idleTimeoutMillis?: number;
  /** Milliseconds to wait for a connection before a query fails; 0 waits forever. Default: 0 (pg's default). */
  connectionTimeoutMillis?: number;
  /** Server-side limit of every statement in milliseconds (PostgreSQL `statement_timeout`). Default: none. */
  statement_timeout?: number;
}

export interface PostgresStorageOptions {
  /**
   * Where the database is, e.g. `postgres://user:password@host:5432/database` (usually `DATABASE_URL`).
   * Default: `process.env.DATABASE_URL`, then pg's `PG*` environment variables. Ignored when `pool` is given.
   */
  connectionString?: string;
  /** Bring your own pool; `close()` then leaves it open (you end it). Default: a pool the storage creates and owns. */
  pool?: pg.Pool;
  /** Settings of the pool the storage creates. Default: pg's defaults. */
  poolOptions?: PostgresPoolOptions;
  /** Schema holding the tables; several independent stores can share a database under different schemas. Default: `roadmap`. */
  schema?: string;
  /** Whether to apply pending migrations before the storage is returned. Default: true. */
  migrate?: boolean;
  /**
   * Clock reading used for `updated_at` of content items, and to turn a lease renewal's expiry into a duration
   * under `leaseClock: 'database'`: pass the engine's clock when it has its own. Default: `Date.now`.
   */
  now?: () => number;
  /**
   * Whose clock decides when a task's lease expires. `database`: the PostgreSQL server's, so workers whose clocks
   * are skewed can neither steal a live lease nor keep a dead one (a lease lasts what the worker asked for, counted
   * on the server). `caller`: the `now` and expiry times the engine passes, compared as they are — for tests that
   * drive leases with a manual clock. Default: `database`.
   */
  leaseClock?: LeaseClock;
}

/** A {@link Storage} on PostgreSQL, with its pool and migration control. */
export interface PostgresStorage extends Storage {
  /** The pool every query runs on. */
  readonly pool: pg.Pool;
  /** The schema holding the tables. */
  readonly schema: string;
  /** Applies pending migrations (idempotent, safe from several processes at once). */
  migrate(): Promise<void>;
  /** Ends the pool when the storage created it; a pool passed in as `pool` stays open. */
  close(): Promise<void>;
}

/**
 * Creates a `Storage` on PostgreSQL and, unless `migrate: false`, brings its schema up to date first.
 *
 * - Every status change is one compare-and-set `UPDATE … WHERE task_id = $1 AND status = ANY($2)
 *   [AND lease_token = $3] RETURNING *`; fenced writes check `status = 'processing' AND lease_token` in the same
 *   statement, locking the task row (`FOR SHARE`, or the `UPDATE` itself) so a cancel waits for them.
 * - `acquireLease` is one `UPDATE … FROM (SELECT … FOR UPDATE) RETURNING`: the CTE locks the row and reads the
 *   previous status; a concurrent claimer waits on the lock, then re-checks the condition on the committed row
 *   (READ COMMITTED), so exactly one wins and the previous status is exact.
 * - `appendEvent` serializes appends per schema with a transaction-level advisory lock taken before the `seq` is
 *   drawn: seqs become visible in increasing order, so replaying "every event after `seq`" never skips one.
 *
 * @example
 * const storage = await createPostgresStorage({ connectionString: process.env.DATABASE_URL });
 * const engine = new RoadmapEngine({ storage, queue, model });
 * // …
 * await storage.close();
 */
export async function createPostgresStorage(options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
  const schemaName = options.schema ?? 'roadmap';
  const schema = quoteSchema(schemaName);
  const now = options.now ?? Date.now;
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString ?? process.env.DATABASE_URL,
      ...options.poolOptions,
    });
  // An idle connection that breaks (server restart) is dropped by the pool; the next query reports the failure.
  if (ownsPool) pool.on('error', () => {});
  // A connection the server ends (`pg_terminate_backend`, a restart) can deliver its FATAL message after the
  // statement that was using it already failed and before the pool took it back: with no listener left on the
  // client, that 'error' would be uncaught and end the process. The failure itself reaches the caller through the
  // statement that failed, so each client of the pool keeps a listener that does nothing else.
  pool.on('connect', (client) => {
    client.on('error', ignoreConnectionError);
  });

  const storage: PostgresStorage = {
    specificationVersion: 'v1',
    pool,
    schema: schemaName,

    async migrate() {
      await applyMigrations(pool, schemaName);
    },

    async close() {
      if (ownsPool && !pool.ended) await pool.end();
    },

    ...createTaskStore(pool, schema, { clock: options.leaseClock ?? 'database', now }),
    ...createCheckpointStore(pool, schema, now),
    ...createEventStore(pool, schema),
    ...createCoverStore(pool, schema),
    ...createBudgetStore(pool, schema),
    ...createLifecycleStore(pool, schema, now),
  };

  if (options.migrate ?? true) {
    try {
      await storage.migrate();
    } catch (error) {
      await storage.close().catch(() => {});
      throw error;
    }
  }
  return storage;
}

/** See the `connect` listener in {@link createPostgresStorage}. */
function ignoreConnectionError(): void {}
