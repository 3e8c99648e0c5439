import { type Benchmark, createRecordingModel, measureThroughput, preferences, startEngine } from './support.js';

const concurrency = 8;
const shape = { stages: 4, modules: 6, concepts: 5 };
const concepts = shape.stages * shape.modules * shape.concepts;
const items = concepts * 3;
const warmups = 2;
const runs = 9;

/** Content items per second of one roadmap with an instant model, from the first `concept_start` to `completed`. */
async function runOnce(index: number): Promise<{ ms: number; total: number }> {
  const recorder = createRecordingModel({ latencyMs: 0, shape });
  const bench = await startEngine(recorder.model, { concurrency });
  try {
    const { task } = await bench.engine.generate({
      userId: 'bench',
      request: preferences(`Learn Rust (P2 run ${index})`),
    });
    const times = await bench.finished(task.task_id);
    if (bench.errors.length > 0) throw new Error(`engine reported errors: ${bench.errors.join('; ')}`);
    const event = times.terminal.event;
    if (event.type !== 'completed' || event.status !== 'completed' || times.firstConceptStartAt === undefined) {
      throw new Error(`P2 run ended ${event.type}`);
    }
    return { ms: times.terminal.at - times.firstConceptStartAt, total: event.progress.total };
  } finally {
    await bench.close();
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P2',
    title: `content items/s, ${concepts} concepts × 3 kinds, 0 ms model, in-memory storage, concurrency ${concurrency}`,
    run: () => measureThroughput({ id: 'P2', items, storage: 'memory', concurrency, warmups, runs, runOnce }),
  },
];
