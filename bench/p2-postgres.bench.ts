import { createPostgresStorage } from '@roadmap/postgres';
import { type Benchmark, createRecordingModel, measureThroughput, preferences, startEngine } from './support.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const concurrency = 8;
const shape = { stages: 4, modules: 6, concepts: 5 };
const concepts = shape.stages * shape.modules * shape.concepts;
const items = concepts * 3;
const warmups = 1;
const runs = 5;

/**
 * Content items per second of one roadmap with an instant model on PostgreSQL, from the first `concept_start` to
 * `completed`. Each run uses its own schema (created by the storage's migrations) and drops it afterwards.
 */
async function runOnce(index: number): Promise<{ ms: number; total: number }> {
  const schema = `roadmap_bench_${process.pid}_${index < 0 ? `w${-index}` : index}`;
  const storage = await createPostgresStorage({ connectionString: databaseUrl, schema });
  try {
    const recorder = createRecordingModel({ latencyMs: 0, shape });
    const bench = await startEngine(recorder.model, { concurrency, storage });
    try {
      const { task } = await bench.engine.generate({
        userId: 'bench',
        request: preferences(`Learn Rust (P2pg run ${index})`),
      });
      const times = await bench.finished(task.task_id);
      if (bench.errors.length > 0) throw new Error(`engine reported errors: ${bench.errors.join('; ')}`);
      const event = times.terminal.event;
      if (event.type !== 'completed' || event.status !== 'completed' || times.firstConceptStartAt === undefined) {
        throw new Error(`P2pg run ended ${event.type}`);
      }
      return { ms: times.terminal.at - times.firstConceptStartAt, total: event.progress.total };
    } finally {
      await bench.close();
    }
  } finally {
    await storage.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await storage.close();
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P2pg',
    title: `content items/s, ${concepts} concepts × 3 kinds, 0 ms model, PostgreSQL storage, concurrency ${concurrency}`,
    target: { op: '>=', value: 2_000 },
    run: () => measureThroughput({ id: 'P2pg', items, storage: 'postgres', concurrency, warmups, runs, runOnce }),
  },
];
