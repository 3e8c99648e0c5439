import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from '@roadmap/core';
import { createPostgresStorage, type PostgresStorage } from '@roadmap/postgres';
import { createSqliteStorage, type SqliteStorage } from '@roadmap/sqlite';
import { type Benchmark, createRecordingModel, preferences, round, startEngine } from './support.js';

// P15 (SPEC §9, bounded storage per finished roadmap): the bytes one finished 60-concept roadmap takes in storage
// with every checkpoint its run wrote (what was kept before pruning), and after its checkpoints are pruned — what a
// finished task keeps now. The run's own prune at its end is held back (a storage wrapper answers it with 0), so
// both states of the same rows are measured; then `pruneCheckpoints` runs for real.

const shape = { stages: 3, modules: 4, concepts: 5 };
const concepts = shape.stages * shape.modules * shape.concepts;

/** The storage, except that `pruneCheckpoints` does nothing: the checkpoints stay as the run wrote them. */
function withoutPruning<Inner extends Storage>(storage: Inner): Inner {
  return new Proxy(storage, {
    get(target, property, receiver) {
      if (property === 'pruneCheckpoints') return async () => 0;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Runs one 60-concept roadmap to `completed` on `storage`; resolves with its task id. */
async function finishRoadmap(storage: Storage, goal: string): Promise<string> {
  const recorder = createRecordingModel({ latencyMs: 0, shape });
  const bench = await startEngine(recorder.model, { storage: withoutPruning(storage), concurrency: 8 });
  try {
    const { task } = await bench.engine.generate({ userId: 'bench', request: preferences(goal) });
    const times = await bench.finished(task.task_id);
    const event = times.terminal.event;
    if (event.type !== 'completed' || event.progress.total !== concepts * 3) {
      throw new Error(
        `P15 run ended ${event.type}${event.type === 'completed' ? ` with ${event.progress.total} items` : ''}`,
      );
    }
    if (bench.errors.length > 0) throw new Error(`engine reported errors: ${bench.errors.join('; ')}`);
    return task.task_id;
  } finally {
    await bench.close();
  }
}

/** Bytes of every table and index of the SQLite database once compacted (`VACUUM`), from `dbstat`. */
function sqliteBytes(storage: SqliteStorage): { total: number; checkpoints: number } {
  const database = storage.database;
  database.pragma('wal_checkpoint(TRUNCATE)');
  database.exec('VACUUM');
  const rows = database.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as {
    name: string;
    bytes: number;
  }[];
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  const checkpoints = rows
    .filter((row) => row.name === 'checkpoints' || row.name.startsWith('sqlite_autoindex_checkpoints'))
    .reduce((sum, row) => sum + row.bytes, 0);
  return { total, checkpoints };
}

async function measureSqlite() {
  const directory = mkdtempSync(join(tmpdir(), 'roadmap-bench-p15-'));
  const storage = createSqliteStorage({ filename: join(directory, 'p15.db') });
  try {
    const empty = sqliteBytes(storage).total;
    const taskId = await finishRoadmap(storage, 'Learn Rust (P15 sqlite)');
    const checkpointsBefore = Object.keys(await storage.getCheckpoints(taskId)).length;
    const before = sqliteBytes(storage);
    const pruned = await storage.pruneCheckpoints([taskId]);
    const after = sqliteBytes(storage);
    return {
      before: before.total - empty,
      after: after.total - empty,
      checkpointBytesBefore: before.checkpoints,
      checkpointBytesAfter: after.checkpoints,
      checkpointsBefore,
      pruned,
    };
  } finally {
    storage.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Bytes of every relation of the schema (tables, indexes, TOAST) after `VACUUM FULL`, which gives space back. */
async function postgresBytes(storage: PostgresStorage): Promise<number> {
  const { pool, schema } = storage;
  const tables = await pool.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> 'roadmap_migrations'`,
    [schema],
  );
  let total = 0;
  for (const { name } of tables.rows) {
    await pool.query(`VACUUM FULL "${schema}"."${name}"`);
    const size = await pool.query<{ bytes: string }>('SELECT pg_total_relation_size($1::regclass) AS bytes', [
      `"${schema}"."${name}"`,
    ]);
    total += Number(size.rows[0]?.bytes ?? 0);
  }
  return total;
}

/** The same on PostgreSQL, when one answers at `DATABASE_URL` (or the local test server); `null` otherwise. */
async function measurePostgres() {
  const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `roadmap_bench_p15_${process.pid}`;
  let storage: PostgresStorage;
  try {
    storage = await createPostgresStorage({
      connectionString,
      schema,
      poolOptions: { connectionTimeoutMillis: 3_000 },
    });
  } catch {
    return null;
  }
  try {
    const empty = await postgresBytes(storage);
    const taskId = await finishRoadmap(storage, 'Learn Rust (P15 postgres)');
    const before = await postgresBytes(storage);
    await storage.pruneCheckpoints([taskId]);
    const after = await postgresBytes(storage);
    return { before: before - empty, after: after - empty };
  } finally {
    await storage.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await storage.close();
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P15',
    title: `bytes stored per finished ${concepts}-concept roadmap, after ÷ before pruning its checkpoints (SQLite)`,
    target: { op: '<=', value: 0.999 },
    async run() {
      const sqlite = await measureSqlite();
      const postgres = await measurePostgres();
      console.log(
        `P15 SQLite: ${sqlite.before} bytes per finished roadmap before pruning, ${sqlite.after} after` +
          (postgres ? `; PostgreSQL: ${postgres.before} before, ${postgres.after} after` : ''),
      );
      return {
        value: round(sqlite.after / sqlite.before, 3),
        unit: 'after/before',
        detail: {
          concepts,
          items: concepts * 3,
          sqlite_bytes_before: sqlite.before,
          sqlite_bytes_after: sqlite.after,
          sqlite_checkpoint_bytes_before: sqlite.checkpointBytesBefore,
          sqlite_checkpoint_bytes_after: sqlite.checkpointBytesAfter,
          checkpoints_before: sqlite.checkpointsBefore,
          checkpoints_pruned: sqlite.pruned,
          postgres_bytes_before: postgres?.before ?? null,
          postgres_bytes_after: postgres?.after ?? null,
          measure:
            'SQLite: sum of dbstat page sizes of every table and index after VACUUM, minus the empty schema; ' +
            'PostgreSQL: sum of pg_total_relation_size of the schema tables after VACUUM FULL, minus the empty schema',
        },
      };
    },
  },
];
