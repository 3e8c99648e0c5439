import path from 'node:path';
import type { DefaultBlobStoreSource, Storage } from '@roadmap/core';
import { createFileBlobStore } from '@roadmap/core/node';
import type BetterSqlite3 from 'better-sqlite3';
import { createBudgetStore } from './budgetStatements.js';
import { createCheckpointStore } from './checkpointStatements.js';
import { configureDatabase, openDatabase } from './connection.js';
import { createCoverStore } from './coverStatements.js';
import { createEventStore } from './eventStatements.js';
import { createGroupCommit, type WriteBatch } from './groupCommit.js';
import { createLifecycleStore } from './lifecycleStatements.js';
import { migrate } from './migrations.js';
import { toStorageError } from './storageError.js';
import { createTaskStore } from './taskStatements.js';

/** Options of every SQLite storage, however it gets its connection. */
export interface SqliteCommonOptions {
  /** Clock reading used for `updated_at` of content items. Default: `Date.now`. */
  now?: () => number;
  /**
   * How long a write waits for another connection (or process) holding the write lock before it fails with a
   * retryable `storage_error`, in milliseconds. Default: 5000.
   */
  busyTimeoutMs?: number;
  /**
   * Called after each group commit of content-item writes (the writes of one turn of the event loop share one
   * transaction) with how many writes it held and how long its transaction took: for monitoring. Default: none.
   */
  onWriteBatch?: (batch: WriteBatch) => void;
}

export type SqliteStorageOptions = SqliteCommonOptions &
  (
    | {
        /**
         * Path of the database file, created (with its schema) when missing; `':memory:'` for a private
         * in-memory database that lives as long as the storage. The storage owns this connection: `close()`
         * closes it.
         */
        filename: string;
        database?: undefined;
      }
    | {
        /**
         * An open better-sqlite3 connection to use instead of opening a file. It is configured (WAL,
         * `synchronous = NORMAL`, busy timeout, foreign keys) and migrated like an opened one; the caller keeps
         * owning it: `close()` leaves it open.
         */
        database: BetterSqlite3.Database;
        filename?: undefined;
      }
  );

/**
 * A {@link Storage} on SQLite, plus access to its connection. On a database file it also offers the engine a blob
 * store beside it (`defaultBlobStore`), so covers survive restarts with no more configuration.
 */
export interface SqliteStorage extends Storage, Partial<DefaultBlobStoreSource> {
  /** The better-sqlite3 connection (for backups, inspection, or sharing with the application). */
  readonly database: BetterSqlite3.Database;
  /** Closes the connection when the storage opened it (from `filename`); idempotent. */
  close(): void;
}

/**
 * Creates a `Storage` on SQLite (better-sqlite3): the durable default for one machine. Several processes may
 * share one file (WAL); every status change is one compare-and-set `UPDATE`, and every fenced write checks the
 * lease in the same statement or transaction, so the guarantees hold across connections.
 *
 * @example
 * const storage = createSqliteStorage({ filename: './roadmaps.db' });
 * const engine = new RoadmapEngine({ storage, queue: createMemoryQueue(), model });
 * // …
 * await engine.stop();
 * storage.close();
 */
export function createSqliteStorage(options: SqliteStorageOptions): SqliteStorage {
  const now = options.now ?? Date.now;
  const owned = options.database === undefined;
  const database = options.database ?? openDatabase(options.filename);
  try {
    configureDatabase(database, { busyTimeoutMs: options.busyTimeoutMs ?? 5_000 });
    migrate(database);
    const storage = buildStorage(database, now, owned, options.onWriteBatch);
    const directory = coverImagesBeside(database);
    if (directory === undefined) return storage;
    // Made on first use: an engine given its own blob store never creates the folder.
    return { ...storage, defaultBlobStore: () => createFileBlobStore({ directory }) };
  } catch (error) {
    if (owned) database.close();
    throw toStorageError(`opening ${database.name}`, error);
  }
}

/** The storage: one part per contract (`taskStatements.ts`, `checkpointStatements.ts`, …) on one connection. */
function buildStorage(
  database: BetterSqlite3.Database,
  now: () => number,
  owned: boolean,
  onWriteBatch: ((batch: WriteBatch) => void) | undefined,
): SqliteStorage {
  const itemWrites = createGroupCommit(database, onWriteBatch);
  return {
    specificationVersion: 'v1',
    database,

    close() {
      // Writes already accepted are committed before the connection closes.
      if (database.open) itemWrites.flush();
      if (owned && database.open) database.close();
    },

    ...createTaskStore(database),
    ...createCheckpointStore(database, now, itemWrites),
    ...createEventStore(database),
    ...createCoverStore(database),
    ...createBudgetStore(database),
    ...createLifecycleStore(database, now),
  };
}

/**
 * The `cover-images` folder beside a database file (as the reference server lays out `ROADMAP_DATA_DIR`), or
 * `undefined` for an in-memory or temporary database, whose covers need not outlive it.
 */
function coverImagesBeside(database: BetterSqlite3.Database): string | undefined {
  if (database.memory || database.name === '' || database.name === ':memory:') return undefined;
  return path.join(path.dirname(path.resolve(database.name)), 'cover-images');
}
