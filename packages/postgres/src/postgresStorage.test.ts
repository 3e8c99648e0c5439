import {
  type CoverPatch,
  createMemoryStorage,
  isUserAtLimit,
  RoadmapError,
  type RoadmapEvent,
  type TaskPatch,
} from '@roadmap/core';
import { isoTime, taskColumns, taskToRow } from '@roadmap/core/internal';
import { makeEvent, makeTaskRecord, type ResidueQuery, runStorageConformance } from '@roadmap/core/testing';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { applyMigrations, latestMigrationVersion, migrations } from './migrations.js';
import { createPostgresStorage, type PostgresStorage } from './postgresStorage.js';
import { databaseUrl, describeWithDatabase, dropSchema, freshSchemaName } from './postgresTestSupport.js';

describeWithDatabase('postgres', () => {
  /** Shared by the tests that bring their own pool; each test still gets its own schema. */
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  afterAll(() => pool.end());

  runStorageConformance('postgres', async ({ clock }) => {
    const schema = freshSchemaName();
    // The suite drives leases with its manual clock.
    const storage = await createPostgresStorage({ pool, schema, now: clock.now, leaseClock: 'caller' });
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        await dropSchema(pool, schema);
      },
      residue: residueIn(schema),
    };
  });

  /** Rows of every table of `schema` (read from the catalogue, so later tables count too) naming one of the ids. */
  const residueIn = (schema: string) => async (ids: ResidueQuery) => {
    const idColumns = {
      user_id: ids.userIds,
      task_id: ids.taskIds,
      roadmap_id: ids.roadmapIds,
      blob_key: ids.blobKeys,
    };
    const columns = await pool.query<{ table_name: string; column_name: keyof typeof idColumns }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = $1 AND column_name = ANY($2::text[]) ORDER BY table_name, column_name`,
      [schema, Object.keys(idColumns)],
    );
    const byTable = new Map<string, (keyof typeof idColumns)[]>();
    for (const row of columns.rows)
      byTable.set(row.table_name, [...(byTable.get(row.table_name) ?? []), row.column_name]);
    const found: Record<string, number> = {};
    for (const [table, names] of byTable) {
      const conditions = names.map((name, index) => `${name}::text = ANY($${index + 1}::text[])`);
      const result = await pool.query<{ rows: string }>(
        `SELECT count(*) AS rows FROM "${schema}"."${table}" WHERE ${conditions.join(' OR ')}`,
        names.map((name) => [...idColumns[name]]),
      );
      const rows = Number(result.rows[0]?.rows ?? 0);
      if (rows > 0) found[table] = rows;
    }
    return found;
  };

  /** Storages opened by a test (each with its own pool unless given one) and schemas to drop after it. */
  const opened: PostgresStorage[] = [];
  const schemas: string[] = [];
  const open = async (options: Parameters<typeof createPostgresStorage>[0] = {}) => {
    const storage = await createPostgresStorage({ connectionString: databaseUrl, ...options });
    opened.push(storage);
    return storage;
  };
  const newSchema = () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    return schema;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((storage) => storage.close()));
    for (const schema of schemas.splice(0)) await dropSchema(pool, schema);
  });

  const recordedVersions = async (schema: string) =>
    (
      await pool.query<{ version: number }>(`SELECT version FROM "${schema}".roadmap_migrations ORDER BY version`)
    ).rows.map((row) => row.version);

  describe('migrations', () => {
    it('creates the schema, records every version, and applies nothing the second time', async () => {
      const schema = newSchema();
      const storage = await open({ schema });
      expect(await recordedVersions(schema)).toEqual(migrations.map((migration) => migration.version));
      expect(latestMigrationVersion).toBe(Math.max(...migrations.map((migration) => migration.version)));

      const { task } = await storage.createTask(makeTaskRecord());
      expect(await applyMigrations(pool, schema)).toEqual([]);
      await storage.migrate();
      await open({ schema });
      expect(await recordedVersions(schema)).toEqual(migrations.map((migration) => migration.version));
      expect(await storage.getTask(task.task_id)).toEqual(task);
    });

    it('is safe when 5 processes migrate the same new schema at once', async () => {
      const schema = newSchema();
      const storages = await Promise.all(Array.from({ length: 5 }, () => open({ schema, poolOptions: { max: 2 } })));
      expect(await recordedVersions(schema)).toEqual(migrations.map((migration) => migration.version));
      const { task } = await (storages[0] as PostgresStorage).createTask(makeTaskRecord());
      for (const storage of storages) expect(await storage.getTask(task.task_id)).toEqual(task);
    });

    it('with migrate: false touches nothing until migrate() is called', async () => {
      const schema = newSchema();
      const storage = await open({ schema, migrate: false });
      const exists = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      expect(exists.rowCount).toBe(0);
      await expect(storage.getTask(makeTaskRecord().task_id)).rejects.toMatchObject({ code: 'storage_error' });
      await storage.migrate();
      expect(await storage.getTask(makeTaskRecord().task_id)).toBeNull();
    });

    it('upgrades a schema at version 1: its tasks are kept and covers work', async () => {
      const schema = newSchema();
      expect(await applyMigrations(pool, schema, migrations.slice(0, 1))).toEqual([1]);
      const tables = async () =>
        (
          await pool.query<{ table_name: string }>(
            'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
            [schema],
          )
        ).rows.map((row) => row.table_name);
      expect(await tables()).not.toContain('covers');
      // A task as version 1 stored it (later versions added review, pause, usage and budget, with defaults).
      const task = makeTaskRecord();
      const later = ['pause_reason', 'review_round', 'usage', 'budget_usd'];
      const versionOne = taskColumns.filter((column) => !later.includes(column));
      const row = taskToRow(task);
      await pool.query(
        `INSERT INTO "${schema}".tasks (${versionOne.join(', ')}) VALUES (${versionOne.map((_, index) => `$${index + 1}`).join(', ')})`,
        versionOne.map((column) => row[column]),
      );

      const storage = await open({ schema });
      expect(await recordedVersions(schema)).toEqual(migrations.map((migration) => migration.version));
      expect(await tables()).toContain('covers');
      expect(await storage.getTask(task.task_id)).toEqual(task);
      const cover = await storage.ensureCover({
        roadmap_id: task.roadmap_id,
        user_id: task.user_id,
        task_id: task.task_id,
        created_at: task.created_at,
      });
      expect(cover).toMatchObject({ status: 'not_started', retry_count: 0, next_attempt_at: null });
      const failed = await storage.transitionCover(task.roadmap_id, {
        from: ['not_started'],
        to: 'failed',
        patch: { error: 'boom', retry_count: 1, next_attempt_at: Date.UTC(2026, 0, 1) },
      });
      expect(failed?.next_attempt_at).toBe(Date.UTC(2026, 0, 1));
      expect(await storage.getCovers([task.roadmap_id])).toEqual([failed]);
    });

    it('rejects a schema name that is not a plain identifier', async () => {
      await expect(open({ schema: 'roadmap"; DROP TABLE x; --' })).rejects.toMatchObject({ code: 'invalid_input' });
    });
  });

  describe('compare-and-set across pools', () => {
    it('gives a task to exactly one of 50 concurrent acquireLease calls from two pools', async () => {
      const schema = newSchema();
      // Fixed fake times: the expiry is checked as the caller computed it.
      const first = await open({ schema, leaseClock: 'caller' });
      const second = await open({ schema, migrate: false, leaseClock: 'caller' });
      const { task } = await first.createTask(makeTaskRecord());
      const now = Date.UTC(2026, 0, 1);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          (index % 2 === 0 ? first : second).acquireLease(task.task_id, {
            token: `token-${index}`,
            now,
            expiresAt: now + 30_000,
            updatedAt: isoTime(now),
          }),
        ),
      );
      const winners = results.flatMap((result) => (result === null || isUserAtLimit(result) ? [] : [result]));
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ previousStatus: 'pending', recovered: false });
      const stored = await second.getTask(task.task_id);
      expect(stored).toMatchObject({ status: 'processing', attempts: 1, lease_token: winners[0]?.task.lease_token });
      expect(stored?.lease_expires_at).toBe(now + 30_000);
    });

    it('lets exactly one of a cancel and a completion racing from two pools win', async () => {
      const schema = newSchema();
      const worker = await open({ schema });
      const api = await open({ schema, migrate: false });
      for (let round = 0; round < 10; round += 1) {
        const { task } = await worker.createTask(makeTaskRecord());
        const now = Date.UTC(2026, 0, 1);
        await worker.acquireLease(task.task_id, { token: 'w', now, expiresAt: now + 1, updatedAt: isoTime(now) });
        const [completed, cancelled] = await Promise.all([
          worker.transitionTask(task.task_id, { from: ['processing'], to: 'completed', leaseToken: 'w' }),
          api.transitionTask(task.task_id, { from: ['pending', 'processing'], to: 'cancelled' }),
        ]);
        expect([completed, cancelled].filter((result) => result !== null)).toHaveLength(1);
        expect((await api.getTask(task.task_id))?.status).toBe((completed ?? cancelled)?.task.status);
      }
    });
  });

  describe('task patches', () => {
    it('writes every TaskPatch field (attempts included) exactly as memory storage does', async () => {
      const storage = await open({ schema: newSchema() });
      const memory = createMemoryStorage();
      const record = makeTaskRecord({ status: 'failed', attempts: 3, idempotency_key: 'k' });
      const patch: TaskPatch = {
        title: 'Go in depth',
        current_step: 'queued',
        progress: { completed: 2, failed: 1, total: 9, percentage: 33 },
        error_message: null,
        failed_concepts: { count: 1, concept_ids: ['c-1'] },
        cancel_reason: 'retry',
        completed_at: null,
        updated_at: isoTime(Date.UTC(2026, 0, 2)),
        lease_token: null,
        lease_expires_at: null,
        attempts: 0,
        roadmap_id: 'go-in-depth-0000abcd',
      };
      const change = { from: ['failed'] as const, to: 'pending' as const, patch };
      await Promise.all([storage.createTask(record), memory.createTask(record)]);
      const [onPostgres, inMemory] = await Promise.all([
        storage.transitionTask(record.task_id, change),
        memory.transitionTask(record.task_id, change),
      ]);
      expect(onPostgres).toEqual(inMemory);
      expect(onPostgres?.task).toMatchObject({ status: 'pending', attempts: 0, cancel_reason: 'retry' });
      expect(await storage.getTask(record.task_id)).toEqual(await memory.getTask(record.task_id));
    });
  });

  describe('cover patches', () => {
    it('writes every CoverPatch field exactly as memory storage does', async () => {
      const storage = await open({ schema: newSchema() });
      const memory = createMemoryStorage();
      const input = { roadmap_id: 'learn-go-00000001', user_id: 'u', task_id: 't', created_at: isoTime(0) };
      const patch: CoverPatch = {
        cover_image_url: 'https://img.example/go.jpg',
        error: null,
        retry_count: 3,
        provider: 'unsplash',
        attribution: {
          author: 'A',
          authorUrl: 'https://a.example',
          source: 'Unsplash',
          sourceUrl: 'https://u.example',
        },
        blob_key: 'covers/go.jpg',
        next_attempt_at: 2 ** 45,
        updated_at: isoTime(Date.UTC(2026, 0, 2)),
      };
      const change = { from: ['not_started'] as const, to: 'success' as const, patch };
      expect(await storage.ensureCover(input)).toEqual(await memory.ensureCover(input));
      const [onPostgres, inMemory] = await Promise.all([
        storage.transitionCover(input.roadmap_id, change),
        memory.transitionCover(input.roadmap_id, change),
      ]);
      expect(onPostgres).toEqual(inMemory);
      expect(onPostgres?.next_attempt_at).toBe(2 ** 45);
      expect(await storage.getCover(input.roadmap_id)).toEqual(await memory.getCover(input.roadmap_id));
    });
  });

  describe('event log ordering', () => {
    it('a reader polling listEvents({ after }) never misses one of 200 concurrent appends from 4 pools', async () => {
      const schema = newSchema();
      const writers = [await open({ schema, poolOptions: { max: 5 } })];
      for (let index = 0; index < 3; index += 1)
        writers.push(await open({ schema, migrate: false, poolOptions: { max: 5 } }));
      const reader = await open({ schema, migrate: false, poolOptions: { max: 1 } });
      const task = makeTaskRecord();
      await reader.createTask(task);

      let writing = true;
      const seen: number[] = [];
      let nonEmptyPolls = 0;
      const poll = async () => {
        const batch = await reader.listEvents({ after: seen.at(-1) ?? 0 });
        if (batch.length > 0) nonEmptyPolls += 1;
        seen.push(...batch.map((event) => event.seq));
      };
      const readerLoop = (async () => {
        while (writing) await poll();
        await poll();
      })();

      const appended = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          (writers[index % writers.length] as PostgresStorage).appendEvent(makeEvent(task, `event ${index}`)),
        ),
      );
      writing = false;
      await readerLoop;

      const seqs = appended.map((event) => (event as RoadmapEvent).seq).sort((a, b) => a - b);
      expect(new Set(seqs).size).toBe(200);
      // Every event reached the reader exactly once, in increasing order, over several polls.
      expect(seen).toEqual(seqs);
      expect(nonEmptyPolls).toBeGreaterThan(1);
    });
  });

  describe('configuration', () => {
    it('connects with a connection string and pool options, and close() ends the pool it created', async () => {
      const schema = newSchema();
      const storage = await open({ schema, poolOptions: { max: 3, statement_timeout: 4_000 } });
      expect(storage.schema).toBe(schema);
      expect(storage.pool.options.max).toBe(3);
      const timeout = await storage.pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(timeout.rows[0]?.statement_timeout).toBe('4s');
      await storage.close();
      expect(storage.pool.ended).toBe(true);
      await expect(storage.getTask(makeTaskRecord().task_id)).rejects.toMatchObject({ code: 'storage_error' });
    });

    it('reads DATABASE_URL when neither a connection string nor a pool is given', async () => {
      vi.stubEnv('DATABASE_URL', databaseUrl);
      try {
        const storage = await createPostgresStorage({ schema: newSchema() });
        opened.push(storage);
        expect(await storage.listTasks({})).toMatchObject({ tasks: [], total: 0 });
      } finally {
        vi.unstubAllEnvs();
      }
    });

    it('leaves a pool passed in open on close()', async () => {
      const storage = await open({ pool, schema: newSchema() });
      await storage.close();
      expect(pool.ended).toBe(false);
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });

    it('reports an unreachable server as storage_error with the driver error as cause', async () => {
      const unreachable = 'postgres://postgres@127.0.0.1:1/test';
      const failure = await createPostgresStorage({ connectionString: unreachable, schema: newSchema() }).catch(
        (error: unknown) => error,
      );
      expect(RoadmapError.isInstance(failure)).toBe(true);
      expect(failure).toMatchObject({ code: 'storage_error' });
      expect((failure as RoadmapError).cause).toBeInstanceOf(Error);
    });
  });
});
