import { RoadmapError } from '@roadmap/core';
import type BetterSqlite3 from 'better-sqlite3';

/** One step of the schema, applied once per database file. */
export interface Migration {
  /** The schema version after this migration: 1, 2, 3, … without gaps, in order. */
  version: number;
  /** What the migration does, for error messages. */
  name: string;
  /** SQL statements run in one transaction. */
  sql: string;
}

/**
 * The schema of `@roadmap/sqlite`, in order. The applied version is kept in `PRAGMA user_version`. Never edit a
 * released migration: add a new one.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'tasks, checkpoints, roadmaps, content items and the event log',
    sql: `
      CREATE TABLE tasks (
        task_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        roadmap_id TEXT NOT NULL,
        title TEXT NOT NULL,
        status TEXT NOT NULL,
        current_step TEXT NOT NULL,
        progress TEXT NOT NULL,
        error_message TEXT,
        failed_concepts TEXT NOT NULL,
        cancel_reason TEXT,
        attempts INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        completed_at TEXT,
        request TEXT NOT NULL,
        idempotency_key TEXT,
        lease_token TEXT,
        lease_expires_at INTEGER,
        -- Status the task had when the current lease was taken (\`acquireLease\` reports it), set in the same UPDATE.
        lease_taken_from TEXT
      );
      -- SQLite treats NULLs as distinct: tasks without a key are never deduplicated.
      CREATE UNIQUE INDEX tasks_idempotency ON tasks (user_id, idempotency_key);
      CREATE INDEX tasks_user_newest ON tasks (user_id, created_at DESC, task_id DESC);
      CREATE INDEX tasks_newest ON tasks (created_at DESC, task_id DESC);
      CREATE INDEX tasks_roadmap ON tasks (roadmap_id);
      CREATE INDEX tasks_processing ON tasks (lease_expires_at) WHERE status = 'processing';

      CREATE TABLE checkpoints (
        task_id TEXT NOT NULL REFERENCES tasks (task_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT,
        PRIMARY KEY (task_id, key)
      );

      CREATE TABLE roadmaps (
        roadmap_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX roadmaps_user_newest ON roadmaps (user_id, created_at DESC, roadmap_id DESC);

      CREATE TABLE content_items (
        roadmap_id TEXT NOT NULL REFERENCES roadmaps (roadmap_id) ON DELETE CASCADE,
        concept_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        status TEXT NOT NULL,
        content TEXT,
        error TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (roadmap_id, concept_id, kind)
      );
      CREATE UNIQUE INDEX content_items_planned ON content_items (roadmap_id, ordinal);

      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        type TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE INDEX events_task ON events (task_id, seq);
      CREATE INDEX events_user ON events (user_id, seq);
    `,
  },
  {
    version: 2,
    name: 'cover images',
    sql: `
      -- One cover per roadmap. No foreign key: a cover may be ensured before (or without) its roadmap row.
      CREATE TABLE covers (
        roadmap_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        cover_image_url TEXT,
        status TEXT NOT NULL,
        error TEXT,
        retry_count INTEGER NOT NULL,
        provider TEXT,
        -- JSON text of the ImageAttribution, or NULL.
        attribution TEXT,
        blob_key TEXT,
        -- Milliseconds since the epoch.
        next_attempt_at INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      -- listDueCovers: the statuses a sweeper acts on, oldest first.
      CREATE INDEX covers_due ON covers (updated_at) WHERE status IN ('failed', 'pending', 'generating');
    `,
  },
  {
    version: 3,
    name: 'one task per roadmap id',
    // Roadmap ids are unique (SPEC §2): a second task under a held id is refused, never merged. A file holding two
    // tasks of one roadmap id (a suffix collision under the old schema) stops here with a storage_error naming it.
    sql: `
      DROP INDEX tasks_roadmap;
      CREATE UNIQUE INDEX tasks_roadmap_unique ON tasks (roadmap_id);
    `,
  },
  {
    version: 4,
    name: 'bounded recovery sweeps',
    // listRecoverableTasks pages the unfinished tasks by id from an index that holds only those, so a recovery
    // sweep reads what is unfinished, never the history (it replaces tasks_processing, which only the old
    // orphan listing read); sweep_leases lets one process at a time run a sweep.
    sql: `
      DROP INDEX tasks_processing;
      CREATE INDEX tasks_unfinished ON tasks (task_id) WHERE status IN ('pending', 'processing');
      CREATE TABLE sweep_leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        -- Milliseconds since the epoch.
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'human review and pause',
    // SPEC §7: why a task is paused, and the review round it is in (the statuses themselves are plain text).
    sql: `
      ALTER TABLE tasks ADD COLUMN pause_reason TEXT;
      ALTER TABLE tasks ADD COLUMN review_round INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 6,
    name: 'content item versions',
    // SPEC §7, regenerate with feedback: every version of an item's content, the current one in content_items.
    sql: `
      CREATE TABLE content_item_versions (
        roadmap_id TEXT NOT NULL,
        concept_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        feedback TEXT,
        content TEXT,
        PRIMARY KEY (roadmap_id, concept_id, kind, version)
      );
    `,
  },
  {
    version: 7,
    name: 'task usage and budget',
    // SPEC §7: calls, tokens and cost on the task (JSON; NULL in older rows reads as none), and its own budget.
    sql: `
      ALTER TABLE tasks ADD COLUMN usage TEXT;
      ALTER TABLE tasks ADD COLUMN budget_usd REAL;
    `,
  },
  {
    version: 8,
    name: 'budget reservations',
    // SPEC §7 budgets: the ledger — one reservation per model call, open (spent_usd NULL) until settled.
    sql: `
      CREATE TABLE budget_reservations (
        reservation_id TEXT PRIMARY KEY,
        task_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        period_start TEXT NOT NULL,
        reserved_usd REAL NOT NULL,
        spent_usd REAL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX budget_reservations_by_user ON budget_reservations (user_id, period_start);
      CREATE INDEX budget_reservations_by_task ON budget_reservations (task_id);
    `,
  },
  {
    version: 9,
    name: 'bounded budget sweeps',
    // The budget sweep (with every recovery sweep) pages the tasks paused on budget by id from an index that holds
    // only paused tasks (listPausedTasks), instead of listing paused tasks with listTasks, which also counted every
    // stored task per status.
    sql: `
      CREATE INDEX tasks_paused ON tasks (pause_reason, task_id) WHERE status = 'paused';
    `,
  },
  {
    version: 10,
    name: 'data lifecycle',
    // SPEC §9: blobs to delete from the blob store, queued in the transaction that deleted the cover pointing to
    // them (an outbox: the blob store is outside the database); the reads of erasing a user (covers, reservations
    // and roadmaps by user) from indexes.
    sql: `
      CREATE TABLE blob_deletions (
        blob_key TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        queued_at TEXT NOT NULL
      );
      CREATE INDEX blob_deletions_by_user ON blob_deletions (user_id);
      CREATE INDEX covers_by_user ON covers (user_id);
      CREATE INDEX covers_by_task ON covers (task_id);
    `,
  },
];

/** The schema version this package creates and understands. */
export const latestSchemaVersion: number = migrations.at(-1)?.version ?? 0;

function schemaVersion(database: BetterSqlite3.Database): number {
  return database.pragma('user_version', { simple: true }) as number;
}

function newerSchemaError(version: number, list: readonly Migration[]): RoadmapError {
  const known = list.at(-1)?.version ?? 0;
  return new RoadmapError(
    'storage_error',
    `The database schema is at version ${version}, newer than the latest this @roadmap/sqlite knows (${known}). ` +
      'Upgrade @roadmap/sqlite; an older version must not write to this file.',
  );
}

/**
 * Brings the database's schema to the latest version: applies the migrations it has not seen, all in one
 * `BEGIN IMMEDIATE` transaction (so two processes opening a new file at once migrate it once), and records the
 * version in `PRAGMA user_version`. Does nothing when the schema is current; throws a `storage_error` when the
 * file's schema is newer than this package. Returns the versions applied.
 */
export function migrate(database: BetterSqlite3.Database, list: readonly Migration[] = migrations): number[] {
  list.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration "${migration.name}" has version ${migration.version}, expected ${index + 1}.`);
    }
  });
  const latest = list.at(-1)?.version ?? 0;
  const before = schemaVersion(database);
  if (before > latest) throw newerSchemaError(before, list);
  if (before === latest) return [];
  const apply = database.transaction(() => {
    // Read again under the write lock: another connection may have migrated since.
    const current = schemaVersion(database);
    if (current > latest) throw newerSchemaError(current, list);
    const pending = list.filter((migration) => migration.version > current);
    for (const migration of pending) {
      try {
        database.exec(migration.sql);
      } catch (error) {
        throw new RoadmapError(
          'storage_error',
          `Migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    database.pragma(`user_version = ${latest}`);
    return pending.map((migration) => migration.version);
  });
  return apply.immediate();
}
