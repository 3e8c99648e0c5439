import type { Pool } from 'pg';
import { inTransaction, quoteLiteral, quoteSchema, runQuery } from './database.js';

/** One step of the database layout, applied once per schema and recorded in `<schema>.roadmap_migrations`. */
export interface Migration {
  /** Position of the step; versions are applied in increasing order and never change once released. */
  version: number;
  /** What the step does, stored beside its version. */
  name: string;
  /** SQL of the step for a schema (already quoted, e.g. `"roadmap"`); `schemaName` is the raw name. */
  up(schema: string, schemaName: string): string;
}

/**
 * Key (two int4) of the transaction-level advisory lock that serializes `appendEvent` in one schema, so `seq`
 * increases in commit order. The migration lock uses another key so both never block each other.
 */
export const eventLockKey = (schemaName: string) => `hashtext('roadmap_events'), hashtext(${quoteLiteral(schemaName)})`;
const migrationLockKey = (schemaName: string) =>
  `hashtext('roadmap_migrations'), hashtext(${quoteLiteral(schemaName)})`;

/**
 * Every step, in order. Times are TEXT holding the ISO strings the engine writes (they come back byte for byte),
 * ids sort with the "C" collation (code-point order, as JavaScript compares them), `lease_expires_at` is BIGINT
 * milliseconds, and structured values are JSONB.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'tasks, checkpoints, roadmaps, content items, event log',
    up: (schema, schemaName) => `
      CREATE TABLE ${schema}.tasks (
        task_id text COLLATE "C" PRIMARY KEY,
        user_id text COLLATE "C" NOT NULL,
        roadmap_id text COLLATE "C" NOT NULL,
        title text NOT NULL,
        status text NOT NULL,
        current_step text NOT NULL,
        progress jsonb NOT NULL,
        error_message text,
        failed_concepts jsonb NOT NULL,
        cancel_reason text,
        attempts integer NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        updated_at text NOT NULL,
        completed_at text,
        request jsonb NOT NULL,
        idempotency_key text,
        lease_token text,
        lease_expires_at bigint,
        CONSTRAINT tasks_user_idempotency_key UNIQUE (user_id, idempotency_key)
      );
      CREATE INDEX tasks_user_newest ON ${schema}.tasks (user_id, created_at DESC, task_id DESC);
      CREATE INDEX tasks_newest ON ${schema}.tasks (created_at DESC, task_id DESC);
      CREATE INDEX tasks_roadmap ON ${schema}.tasks (roadmap_id);
      CREATE INDEX tasks_processing_lease ON ${schema}.tasks (lease_expires_at) WHERE status = 'processing';

      CREATE TABLE ${schema}.checkpoints (
        task_id text COLLATE "C" NOT NULL REFERENCES ${schema}.tasks (task_id) ON DELETE CASCADE,
        key text NOT NULL,
        value jsonb,
        PRIMARY KEY (task_id, key)
      );

      CREATE TABLE ${schema}.roadmaps (
        roadmap_id text COLLATE "C" PRIMARY KEY,
        user_id text COLLATE "C" NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        framework jsonb NOT NULL
      );
      CREATE INDEX roadmaps_user_newest ON ${schema}.roadmaps (user_id, created_at DESC, roadmap_id DESC);

      CREATE TABLE ${schema}.content_items (
        roadmap_id text COLLATE "C" NOT NULL REFERENCES ${schema}.roadmaps (roadmap_id) ON DELETE CASCADE,
        concept_id text COLLATE "C" NOT NULL,
        kind text NOT NULL,
        ordinal integer NOT NULL,
        status text NOT NULL,
        content jsonb,
        error text,
        updated_at text NOT NULL,
        PRIMARY KEY (roadmap_id, concept_id, kind)
      );
      CREATE INDEX content_items_planned_order ON ${schema}.content_items (roadmap_id, ordinal);

      CREATE SEQUENCE ${schema}.event_seq;
      CREATE TABLE ${schema}.events (
        seq bigint PRIMARY KEY,
        task_id text COLLATE "C" NOT NULL,
        user_id text COLLATE "C" NOT NULL,
        event jsonb NOT NULL
      );
      CREATE INDEX events_task ON ${schema}.events (task_id, seq);
      CREATE INDEX events_user ON ${schema}.events (user_id, seq);

      -- Appends one event. The advisory lock is taken before the seq is drawn and held until commit, so seqs
      -- become visible in increasing order: a reader that saw seq n never later finds a smaller one. With a
      -- fence, the task row is share-locked after the advisory lock (always in that order, so no deadlock), and
      -- NULL is returned when the fence fails.
      CREATE FUNCTION ${schema}.append_event(
        event_task_id text, event_user_id text, event_body jsonb, fence_task_id text, fence_lease_token text
      ) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $function$
      DECLARE
        assigned bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock(${eventLockKey(schemaName)});
        IF fence_task_id IS NOT NULL THEN
          PERFORM 1 FROM ${schema}.tasks
            WHERE task_id = fence_task_id AND status = 'processing' AND lease_token = fence_lease_token
            FOR SHARE;
          IF NOT FOUND THEN
            RETURN NULL;
          END IF;
        END IF;
        INSERT INTO ${schema}.events (seq, task_id, user_id, event)
          VALUES (nextval(${quoteLiteral(`${schema}.event_seq`)}), event_task_id, event_user_id, event_body)
          RETURNING seq INTO assigned;
        RETURN assigned;
      END
      $function$;
    `,
  },
  {
    version: 2,
    name: 'cover images',
    up: (schema) => `
      -- One cover per roadmap. No foreign key: a cover may be ensured before (or without) its roadmap row.
      CREATE TABLE ${schema}.covers (
        roadmap_id text COLLATE "C" PRIMARY KEY,
        user_id text COLLATE "C" NOT NULL,
        task_id text COLLATE "C" NOT NULL,
        cover_image_url text,
        status text NOT NULL,
        error text,
        retry_count integer NOT NULL,
        provider text,
        attribution jsonb,
        blob_key text,
        next_attempt_at bigint,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );
      -- listDueCovers: the statuses a sweeper acts on, oldest first.
      CREATE INDEX covers_due ON ${schema}.covers (updated_at) WHERE status IN ('failed', 'pending', 'generating');
    `,
  },
  {
    version: 3,
    name: 'one task per roadmap id',
    // Roadmap ids are unique (SPEC §2): a second task under a held id is refused, never merged. A schema holding
    // two tasks of one roadmap id (a suffix collision under the old layout) stops here with a storage_error.
    up: (schema) => `
      DROP INDEX ${schema}.tasks_roadmap;
      ALTER TABLE ${schema}.tasks ADD CONSTRAINT tasks_roadmap_unique UNIQUE (roadmap_id);
    `,
  },
  {
    version: 4,
    name: 'per-user status counts from an index',
    // listTasks counts a user's tasks per status on every page: an index-only scan of (user_id, status) instead of
    // reading every task row of the user from the heap (P12tasks: 100,000 stored tasks).
    up: (schema) => `
      CREATE INDEX tasks_user_status ON ${schema}.tasks (user_id, status);
    `,
  },
  {
    version: 5,
    name: 'bounded recovery sweeps',
    // listRecoverableTasks pages the unfinished tasks by id from an index that holds only those, so a recovery
    // sweep reads what is unfinished, never the history (it replaces tasks_processing_lease, which only the old
    // orphan listing read); sweep_leases lets one process at a time run a sweep.
    up: (schema) => `
      DROP INDEX ${schema}.tasks_processing_lease;
      CREATE INDEX tasks_unfinished ON ${schema}.tasks (task_id) WHERE status IN ('pending', 'processing');
      CREATE TABLE ${schema}.sweep_leases (
        name text COLLATE "C" PRIMARY KEY,
        holder text COLLATE "C" NOT NULL,
        -- Milliseconds since the epoch (on the lease clock).
        expires_at bigint NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'human review and pause',
    // SPEC §7: why a task is paused and the review round it is in. A paused task's worker still holds its lease
    // while it stores the calls that were in flight, so a fenced append accepts `paused` too.
    up: (schema, schemaName) => `
      ALTER TABLE ${schema}.tasks ADD COLUMN pause_reason text, ADD COLUMN review_round integer NOT NULL DEFAULT 0;
      CREATE OR REPLACE FUNCTION ${schema}.append_event(
        event_task_id text, event_user_id text, event_body jsonb, fence_task_id text, fence_lease_token text
      ) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $function$
      DECLARE
        assigned bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock(${eventLockKey(schemaName)});
        IF fence_task_id IS NOT NULL THEN
          PERFORM 1 FROM ${schema}.tasks
            WHERE task_id = fence_task_id AND status IN ('processing', 'paused') AND lease_token = fence_lease_token
            FOR SHARE;
          IF NOT FOUND THEN
            RETURN NULL;
          END IF;
        END IF;
        INSERT INTO ${schema}.events (seq, task_id, user_id, event)
          VALUES (nextval(${quoteLiteral(`${schema}.event_seq`)}), event_task_id, event_user_id, event_body)
          RETURNING seq INTO assigned;
        RETURN assigned;
      END
      $function$;
    `,
  },
  {
    version: 7,
    name: 'item writes in one call',
    // Item writes are the hot path (two per content item). A batch of them used to be many SQL statements, each
    // parsed and planned on every run (~0.25 ms of planning each, more than its execution); this function runs the
    // same writes with plans PL/pgSQL caches per connection, in one statement, so a batch is one round trip, one
    // transaction and one commit. A later migration that adds a patchable task column replaces the function.
    up: (schema, schemaName) => `
      -- writes: [{ task_id, lease_token, roadmap_id, concept_id, kind, status, error, updated_at,
      --            content? (set when present), patch? (task columns), event? }], in order.
      -- Returns one element per write: the event's seq, 0 when written without an event, NULL when the fence
      -- failed (or the item does not exist). Takes the event log's advisory lock first and then the task rows (the
      -- order every appender and status change uses); each task's patches of the written writes are merged in
      -- order (later columns win) and applied once, fenced.
      CREATE FUNCTION ${schema}.write_items(writes jsonb) RETURNS bigint[] LANGUAGE plpgsql VOLATILE AS $function$
      DECLARE
        entry jsonb;
        results bigint[] := '{}';
        patches jsonb := '{}';
        held boolean;
        assigned bigint;
        task_key text;
        task_patch jsonb;
        patched ${schema}.tasks;
      BEGIN
        PERFORM pg_advisory_xact_lock(${eventLockKey(schemaName)});
        PERFORM 1 FROM ${schema}.tasks
          WHERE task_id IN (SELECT DISTINCT value->>'task_id' FROM jsonb_array_elements(writes))
          ORDER BY task_id FOR UPDATE;
        FOR entry IN SELECT value FROM jsonb_array_elements(writes) LOOP
          held := EXISTS (SELECT 1 FROM ${schema}.tasks
            WHERE task_id = entry->>'task_id' AND status IN ('processing', 'paused')
              AND lease_token = entry->>'lease_token');
          IF held THEN
            UPDATE ${schema}.content_items SET
                status = entry->>'status',
                error = entry->>'error',
                updated_at = entry->>'updated_at',
                content = CASE WHEN entry ? 'content' THEN entry->'content' ELSE content END
              WHERE roadmap_id = entry->>'roadmap_id' AND concept_id = entry->>'concept_id' AND kind = entry->>'kind';
            held := FOUND;
          END IF;
          IF NOT held THEN
            results := results || NULL::bigint;
            CONTINUE;
          END IF;
          IF entry ? 'patch' THEN
            task_key := entry->>'task_id';
            patches := jsonb_set(patches, ARRAY[task_key],
              jsonb_build_object('lease_token', entry->>'lease_token',
                'columns', coalesce(patches->task_key->'columns', '{}') || (entry->'patch')));
          END IF;
          IF entry ? 'event' THEN
            INSERT INTO ${schema}.events (seq, task_id, user_id, event)
              VALUES (nextval(${quoteLiteral(`${schema}.event_seq`)}), entry->'event'->>'task_id',
                      entry->'event'->>'user_id', entry->'event')
              RETURNING seq INTO assigned;
            results := results || assigned;
          ELSE
            results := results || 0::bigint;
          END IF;
        END LOOP;
        FOR task_key, task_patch IN SELECT key, value FROM jsonb_each(patches) LOOP
          patched := jsonb_populate_record(NULL::${schema}.tasks, task_patch->'columns');
          UPDATE ${schema}.tasks AS t SET
              title = CASE WHEN task_patch->'columns' ? 'title' THEN patched.title ELSE t.title END,
              roadmap_id = CASE WHEN task_patch->'columns' ? 'roadmap_id' THEN patched.roadmap_id ELSE t.roadmap_id END,
              current_step = CASE WHEN task_patch->'columns' ? 'current_step' THEN patched.current_step
                ELSE t.current_step END,
              progress = CASE WHEN task_patch->'columns' ? 'progress' THEN patched.progress ELSE t.progress END,
              error_message = CASE WHEN task_patch->'columns' ? 'error_message' THEN patched.error_message
                ELSE t.error_message END,
              failed_concepts = CASE WHEN task_patch->'columns' ? 'failed_concepts' THEN patched.failed_concepts
                ELSE t.failed_concepts END,
              cancel_reason = CASE WHEN task_patch->'columns' ? 'cancel_reason' THEN patched.cancel_reason
                ELSE t.cancel_reason END,
              completed_at = CASE WHEN task_patch->'columns' ? 'completed_at' THEN patched.completed_at
                ELSE t.completed_at END,
              updated_at = CASE WHEN task_patch->'columns' ? 'updated_at' THEN patched.updated_at ELSE t.updated_at END,
              lease_token = CASE WHEN task_patch->'columns' ? 'lease_token' THEN patched.lease_token
                ELSE t.lease_token END,
              lease_expires_at = CASE WHEN task_patch->'columns' ? 'lease_expires_at' THEN patched.lease_expires_at
                ELSE t.lease_expires_at END,
              attempts = CASE WHEN task_patch->'columns' ? 'attempts' THEN patched.attempts ELSE t.attempts END,
              pause_reason = CASE WHEN task_patch->'columns' ? 'pause_reason' THEN patched.pause_reason
                ELSE t.pause_reason END,
              review_round = CASE WHEN task_patch->'columns' ? 'review_round' THEN patched.review_round
                ELSE t.review_round END
            WHERE t.task_id = task_key AND t.status IN ('processing', 'paused')
              AND t.lease_token = task_patch->>'lease_token';
        END LOOP;
        RETURN results;
      END
      $function$;
    `,
  },
  {
    version: 8,
    name: 'content item versions',
    // SPEC §7, regenerate with feedback: every version of an item's content, the current one in content_items.
    up: (schema) => `
      CREATE TABLE ${schema}.content_item_versions (
        roadmap_id text COLLATE "C" NOT NULL,
        concept_id text COLLATE "C" NOT NULL,
        kind text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        created_at text NOT NULL,
        feedback text,
        content jsonb,
        PRIMARY KEY (roadmap_id, concept_id, kind, version)
      );
    `,
  },
  {
    version: 9,
    name: 'task usage and budget',
    // SPEC §7: calls, tokens and cost on the task (NULL in older rows reads as none), and its own budget.
    up: (schema) => `
      ALTER TABLE ${schema}.tasks ADD COLUMN usage jsonb, ADD COLUMN budget_usd double precision;
    `,
  },
  {
    version: 10,
    name: 'budget reservations',
    // SPEC §7 budgets: the ledger — one reservation per model call, open (spent_usd NULL) until settled.
    up: (schema) => `
      CREATE TABLE ${schema}.budget_reservations (
        reservation_id text PRIMARY KEY,
        task_id text NOT NULL,
        user_id text NOT NULL,
        period_start text COLLATE "C" NOT NULL,
        reserved_usd double precision NOT NULL,
        spent_usd double precision,
        created_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX budget_reservations_by_user ON ${schema}.budget_reservations (user_id, period_start);
      CREATE INDEX budget_reservations_by_task ON ${schema}.budget_reservations (task_id);
    `,
  },
  {
    version: 11,
    name: 'bounded budget sweeps',
    // The budget sweep (with every recovery sweep) pages the tasks paused on budget by id from an index that holds
    // only paused tasks (listPausedTasks). It used to page listTasks({ statuses: ['paused'] }), which also counted
    // every stored task per status: ~17 ms a sweep at 100,000 stored tasks (P12recovery).
    up: (schema) => `
      CREATE INDEX tasks_paused ON ${schema}.tasks (pause_reason, task_id) WHERE status = 'paused';
    `,
  },
  {
    version: 12,
    name: 'data lifecycle',
    // SPEC §9: blobs to delete from the blob store, queued in the transaction that deleted the cover pointing to
    // them (an outbox: the blob store is outside the database); the reads of erasing a user (covers by user and by
    // task) from indexes.
    up: (schema) => `
      CREATE TABLE ${schema}.blob_deletions (
        blob_key text COLLATE "C" PRIMARY KEY,
        user_id text COLLATE "C" NOT NULL,
        queued_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX blob_deletions_by_user ON ${schema}.blob_deletions (user_id);
      CREATE INDEX covers_by_user ON ${schema}.covers (user_id);
      CREATE INDEX covers_by_task ON ${schema}.covers (task_id);
    `,
  },
];

/** The newest version this package knows. */
export const latestMigrationVersion = Math.max(...migrations.map((migration) => migration.version));

/**
 * Brings `schema` up to date: creates it and `roadmap_migrations` when missing, then applies every step not yet
 * recorded, all in one transaction under a transaction-level advisory lock for the schema. Processes starting
 * together wait for each other instead of racing; each finds the steps already applied and does nothing.
 * Returns the versions this call applied. `list` defaults to every step of this package (tests pass a prefix to
 * create an older schema).
 */
export async function applyMigrations(
  pool: Pool,
  schemaName: string,
  list: readonly Migration[] = migrations,
): Promise<number[]> {
  const schema = quoteSchema(schemaName);
  return inTransaction(pool, 'migrate', async (client) => {
    await runQuery(client, 'migrate', `SELECT pg_advisory_xact_lock(${migrationLockKey(schemaName)})`);
    await runQuery(client, 'migrate', `CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await runQuery(
      client,
      'migrate',
      `CREATE TABLE IF NOT EXISTS ${schema}.roadmap_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const applied = await runQuery<{ version: number }>(
      client,
      'migrate',
      `SELECT version FROM ${schema}.roadmap_migrations`,
    );
    const done = new Set(applied.rows.map((row) => row.version));
    const appliedNow: number[] = [];
    for (const migration of [...list].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await runQuery(client, `apply migration ${migration.version}`, migration.up(schema, schemaName));
      await runQuery(client, 'migrate', `INSERT INTO ${schema}.roadmap_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      appliedNow.push(migration.version);
    }
    return appliedNow;
  });
}
