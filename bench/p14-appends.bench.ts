import type { NewRoadmapEvent } from '@roadmap/core';
import { createPostgresStorage } from '@roadmap/postgres';
import { type Benchmark, percentile, round } from './support.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const writers = 8;
const perWriter = 1_000;
const warmup = 200;

const event = (writer: number, index: number): NewRoadmapEvent => ({
  type: 'concept_start',
  task_id: `p14-task-${writer}`,
  user_id: `p14-user-${writer % 4}`,
  timestamp: new Date(1_700_000_000_000 + index).toISOString(),
  concept_id: `concept-${index}`,
  concept_name: `Concept ${index}`,
  content_type: 'tutorial',
});

/** Runs `count` appends per writer, `writerCount` writers at once; returns events/s and per-append latencies. */
async function appendRate(
  append: (writer: number, index: number) => Promise<unknown>,
  writerCount: number,
  count: number,
) {
  const latencies: number[] = [];
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: writerCount }, async (_, writer) => {
      for (let index = 0; index < count; index += 1) {
        const before = performance.now();
        await append(writer, index);
        latencies.push(performance.now() - before);
      }
    }),
  );
  const ms = performance.now() - startedAt;
  return {
    perSecond: (writerCount * count * 1000) / ms,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/**
 * Event appends per second on PostgreSQL with 8 concurrent writers (one pooled connection each), through the
 * storage's `appendEvent` (the `append_event` function: advisory lock, then `nextval` and the insert, one round
 * trip). For comparison, in the same run: one writer through `appendEvent`, and 8 writers inserting the same rows
 * with a plain `INSERT … nextval()` without the advisory lock (what the log costs without the global order).
 */
async function measure() {
  const schema = `roadmap_bench_p14_${process.pid}`;
  const storage = await createPostgresStorage({
    connectionString: databaseUrl,
    schema,
    poolOptions: { max: writers + 2 },
  });
  const quoted = `"${schema}"`;
  try {
    const viaStorage = (writer: number, index: number) => storage.appendEvent(event(writer, index));
    await appendRate(viaStorage, writers, warmup / writers);
    const eight = await appendRate(viaStorage, writers, perWriter);
    const one = await appendRate(viaStorage, 1, perWriter);
    const plain = (writer: number, index: number) => {
      const body = event(writer, index);
      return storage.pool.query(
        `INSERT INTO ${quoted}.events (seq, task_id, user_id, event) VALUES (nextval('${schema}.event_seq'), $1, $2, $3)`,
        [body.task_id, body.user_id, JSON.stringify(body)],
      );
    };
    const unlocked = await appendRate(plain, writers, perWriter);
    return { eight, one, unlocked };
  } finally {
    await storage.pool.query(`DROP SCHEMA IF EXISTS ${quoted} CASCADE`);
    await storage.close();
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P14appends',
    title: `event appends/s on PostgreSQL, ${writers} concurrent writers × ${perWriter} appends (appendEvent)`,
    async run() {
      const { eight, one, unlocked } = await measure();
      return {
        value: round(eight.perSecond, 0),
        unit: 'events/s',
        detail: {
          writers,
          appends: writers * perWriter,
          p50_ms: round(eight.p50),
          p99_ms: round(eight.p99),
          one_writer_per_s: round(one.perSecond, 0),
          one_writer_p50_ms: round(one.p50),
          no_lock_8_writers_per_s: round(unlocked.perSecond, 0),
          no_lock_p50_ms: round(unlocked.p50),
          lock_cost_x: round(unlocked.perSecond / eight.perSecond, 2),
          measured: 'appendEvent (advisory lock + nextval + insert, autocommit) vs plain INSERT nextval without lock',
        },
      };
    },
  },
];
