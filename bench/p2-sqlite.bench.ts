import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContentItem, Storage } from '@roadmap/core';
import { createSqliteStorage, type SqliteStorage, type WriteBatch } from '@roadmap/sqlite';
import { type Benchmark, createRecordingModel, median, preferences, round, startEngine } from './support.js';

const concurrency = 8;
const shape = { stages: 4, modules: 6, concepts: 5 };
const concepts = shape.stages * shape.modules * shape.concepts;
const items = concepts * 3;
const warmups = 2;
const runs = 9;

/**
 * Wraps a storage so the time spent inside its calls is summed, from the first `setItemStatus` (the fan-out's first
 * write) on. Every SQLite adapter method does its work synchronously before its promise is returned — except the
 * content-item writes, which it queues for the next group commit: their transactions' time is added from the
 * storage's `onWriteBatch` (see `spent.addBatch`). So the sum measures the adapter and SQLite, not the engine's
 * awaiting.
 */
function timedStorage(storage: Storage) {
  let fanOut = false;
  const spent = {
    ms: 0,
    calls: 0,
    batches: 0,
    addBatch(batch: WriteBatch) {
      if (!fanOut) return;
      spent.ms += batch.durationMs;
      spent.batches += 1;
    },
  };
  const timed = new Proxy(storage, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property === 'setItemStatus') fanOut = true;
        const startedAt = performance.now();
        const result = value.apply(target, args);
        if (fanOut) {
          spent.ms += performance.now() - startedAt;
          spent.calls += 1;
        }
        return result;
      };
    },
  });
  return { storage: timed, spent };
}

/**
 * The same item rows written with raw better-sqlite3 on the same connection (same file, WAL, `synchronous =
 * NORMAL`): one prepared `INSERT`, one autocommit transaction per row, content serialised in the loop.
 */
function rawInsertMs(storage: SqliteStorage, rows: readonly ContentItem[]): number {
  const database = storage.database;
  database.exec(`CREATE TABLE raw_items (
    roadmap_id TEXT NOT NULL, concept_id TEXT NOT NULL, kind TEXT NOT NULL, ordinal INTEGER NOT NULL,
    status TEXT NOT NULL, content TEXT, error TEXT, updated_at TEXT NOT NULL,
    PRIMARY KEY (roadmap_id, concept_id, kind))`);
  const insert = database.prepare('INSERT INTO raw_items VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const startedAt = performance.now();
  rows.forEach((row, ordinal) => {
    const content = JSON.stringify(row.content);
    insert.run(row.roadmap_id, row.concept_id, row.kind, ordinal, row.status, content, row.error, row.updated_at);
  });
  return performance.now() - startedAt;
}

interface Run {
  ms: number;
  total: number;
  adapterMs: number;
  adapterCalls: number;
  /** Group commits of item writes during the fan-out. */
  commits: number;
  rawMs: number;
}

/** One roadmap with an instant model on a fresh SQLite file, from the first `concept_start` to `completed`. */
async function runOnce(index: number): Promise<Run> {
  const directory = mkdtempSync(join(tmpdir(), 'roadmap-bench-sqlite-'));
  let onBatch: (batch: WriteBatch) => void = () => {};
  const sqlite = createSqliteStorage({
    filename: join(directory, 'bench.db'),
    onWriteBatch: (batch) => onBatch(batch),
  });
  try {
    const { storage, spent } = timedStorage(sqlite);
    onBatch = (batch) => spent.addBatch(batch);
    const recorder = createRecordingModel({ latencyMs: 0, shape });
    const bench = await startEngine(recorder.model, { concurrency, storage });
    let roadmapId: string;
    let measured: Omit<Run, 'rawMs'>;
    try {
      const { task } = await bench.engine.generate({
        userId: 'bench',
        request: preferences(`Learn Rust (P2sqlite run ${index})`),
      });
      roadmapId = task.roadmap_id;
      const times = await bench.finished(task.task_id);
      if (bench.errors.length > 0) throw new Error(`engine reported errors: ${bench.errors.join('; ')}`);
      const event = times.terminal.event;
      if (event.type !== 'completed' || event.status !== 'completed' || times.firstConceptStartAt === undefined) {
        throw new Error(`P2sqlite run ended ${event.type}`);
      }
      measured = {
        ms: times.terminal.at - times.firstConceptStartAt,
        total: event.progress.total,
        adapterMs: spent.ms,
        adapterCalls: spent.calls,
        commits: spent.batches,
      };
    } finally {
      await bench.close();
    }
    const rows = await sqlite.listItems(roadmapId);
    return { ...measured, rawMs: rawInsertMs(sqlite, rows) };
  } finally {
    sqlite.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P2sqlite',
    title: `content items/s, ${concepts} concepts × 3 kinds, 0 ms model, SQLite file storage, concurrency ${concurrency}`,
    target: { op: '>=', value: 5_000 },
    async run() {
      for (let index = 0; index < warmups; index += 1) await runOnce(-1 - index);
      const measured: Run[] = [];
      for (let index = 0; index < runs; index += 1) measured.push(await runOnce(index));
      const wrong = measured.find((run) => run.total !== items);
      if (wrong) throw new Error(`P2sqlite planned ${wrong.total} items, expected ${items}`);
      const rates = measured.map((run) => (items * 1000) / run.ms);
      const adapterUs = median(measured.map((run) => (1000 * run.adapterMs) / items));
      const rawUs = median(measured.map((run) => (1000 * run.rawMs) / items));
      return {
        value: round(median(rates), 0),
        unit: 'items/s',
        detail: {
          items,
          runs: measured.length,
          storage: 'sqlite file (WAL, synchronous NORMAL)',
          concurrency,
          median_ms: round(median(measured.map((run) => run.ms)), 1),
          min: round(Math.min(...rates), 0),
          max: round(Math.max(...rates), 0),
          per_item_us: round((1000 * median(measured.map((run) => run.ms))) / items, 1),
          adapter_us_per_item: round(adapterUs, 1),
          adapter_calls_per_item: round(median(measured.map((run) => run.adapterCalls / items)), 1),
          item_writes_per_commit: round(median(measured.map((run) => (2 * items) / Math.max(1, run.commits))), 1),
          raw_insert_us_per_item: round(rawUs, 1),
          adapter_x_raw: round(adapterUs / rawUs, 2),
          adapter_x_raw_target: '<= 2',
          comparison:
            'adapter: every storage call of the fan-out (item generating + concept_start event, item + task progress + ' +
            'concept_complete event; the writes of one event-loop turn share one group commit, each in a savepoint), ' +
            'reads, summed with the group commits; raw: one prepared INSERT of the same item rows, one autocommit ' +
            'transaction per row, on the same connection',
        },
      };
    },
  },
];
