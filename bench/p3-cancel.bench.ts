import {
  type Benchmark,
  createRecordingModel,
  percentile,
  preferences,
  round,
  startEngine,
  within,
} from './support.js';

const concurrency = 8;
const inFlightTarget = concurrency * 3;
const shape = { stages: 2, modules: 3, concepts: 5 };
const cancels = 200;
/** A call that has not observed its abort this long after the cancel counts as this latency (and as unaborted). */
const capMs = 1000;

interface Sample {
  latencyMs: number;
  resolveMs: number;
  unaborted: number;
  inFlight: number;
}

/**
 * Cancel latency in one process: each task's content calls hang until aborted; once `concurrency × 3` of them are
 * in flight, the time from just before `engine.cancel()` to the last in-flight call observing its abort.
 */
async function measure(): Promise<Record<string, unknown> & { samples: Sample[] }> {
  const recorder = createRecordingModel({ hangContent: true, shape });
  const bench = await startEngine(recorder.model, { concurrency });
  const samples: Sample[] = [];
  const cancelResolvedAt = new Map<string, number>();
  const statuses = new Map<string, number>();
  try {
    for (let index = 0; index < cancels; index += 1) {
      const goal = `Learn Rust (P3 cancel ${index})`;
      const { task } = await bench.engine.generate({ userId: 'bench', request: preferences(goal) });
      await recorder.whenInFlight(goal, inFlightTarget);
      const inFlight = recorder.calls.filter((call) => call.goal === goal && call.settledAt === undefined);
      const startedAt = performance.now();
      await bench.engine.cancel(task.task_id, { reason: 'bench' });
      const resolvedAt = performance.now();
      cancelResolvedAt.set(goal, resolvedAt);
      const allSettled = await within(Promise.all(inFlight.map((call) => call.settled)), capMs);
      const aborted = inFlight.filter((call) => call.abortedAt !== undefined);
      const lastAbort = Math.max(...aborted.map((call) => call.abortedAt ?? 0));
      const unaborted = inFlight.length - aborted.length;
      samples.push({
        latencyMs: allSettled && unaborted === 0 ? lastAbort - startedAt : capMs,
        resolveMs: resolvedAt - startedAt,
        unaborted,
        inFlight: inFlight.length,
      });
      const { terminal } = await bench.finished(task.task_id);
      statuses.set(terminal.type, (statuses.get(terminal.type) ?? 0) + 1);
    }
  } finally {
    // Waits for every run to wind down, so calls a cancelled run might still start are recorded before counting.
    await bench.close();
  }
  const callsAfterCancel = recorder.calls.filter((call) => {
    const resolvedAt = cancelResolvedAt.get(call.goal);
    return resolvedAt !== undefined && call.startedAt > resolvedAt;
  }).length;
  return {
    samples,
    calls_after_cancel: callsAfterCancel,
    calls_started_aborted: recorder.calls.filter((call) => call.startedAborted).length,
    unaborted_calls: samples.reduce((sum, sample) => sum + sample.unaborted, 0),
    terminal_events: Object.fromEntries(statuses),
    engine_errors: bench.errors.length,
  };
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P3',
    title: `cancel latency (p99), ${cancels} cancels with ${inFlightTarget} model calls in flight each`,
    target: { op: '<=', value: 50 },
    async run() {
      const { samples, ...checks } = await measure();
      const latencies = samples.map((sample) => sample.latencyMs);
      const resolves = samples.map((sample) => sample.resolveMs);
      return {
        value: round(percentile(latencies, 99)),
        unit: 'ms',
        detail: {
          cancels: samples.length,
          in_flight_per_cancel: Math.min(...samples.map((sample) => sample.inFlight)),
          p50: round(percentile(latencies, 50)),
          p99: round(percentile(latencies, 99)),
          max: round(Math.max(...latencies)),
          cancel_resolve_p50_ms: round(percentile(resolves, 50)),
          cancel_resolve_p99_ms: round(percentile(resolves, 99)),
          ...checks,
        },
      };
    },
  },
];
