import { createJwtAuthenticator, createRoadmapRouter, signJwt } from '../packages/express/src/index.js';
import { express, listen } from './httpSupport.js';
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
/** Same load as P3: each task has this many content calls hanging when it is cancelled. */
const inFlightTarget = concurrency * 3;
const shape = { stages: 2, modules: 3, concepts: 5 };
const warmups = 5;
const cancels = 100;
/** A call that has not observed its abort this long after the cancel request counts as this latency. */
const capMs = 1000;
const secret = 'roadmap-bench-p3api-secret-0123456789abc';
const userId = 'p3api-user';

interface Sample {
  latencyMs: number;
  responseMs: number;
  status: number;
  unaborted: number;
  inFlight: number;
}

/**
 * Cancel through the REST API: tasks are started with `POST /roadmaps/generate`; once a task has `concurrency × 3`
 * content calls hanging (awaited on the recording model, no sleeps), `POST /roadmaps/tasks/{id}/cancel` is sent and
 * the time from just before the request to the last of those calls observing its abort is one sample.
 */
async function measure() {
  const recorder = createRecordingModel({ hangContent: true, shape });
  const bench = await startEngine(recorder.model, { concurrency });
  const serverErrors: unknown[] = [];
  const app = express();
  app.use(
    '/api/v1',
    createRoadmapRouter(bench.engine, {
      authenticate: createJwtAuthenticator({ secret }),
      rateLimits: { generate: { limit: 1_000_000, windowMs: 60_000 }, cancel: { limit: 1_000_000, windowMs: 60_000 } },
      onError: (error) => serverErrors.push(error),
    }),
  );
  const server = await listen(app);
  const authorization = `Bearer ${signJwt({ sub: userId, expiresInSeconds: 3600 }, secret)}`;
  const samples: Sample[] = [];
  const statuses = new Map<string, number>();
  try {
    for (let index = 0; index < warmups + cancels; index += 1) {
      const goal = `Learn Rust (P3api cancel ${index})`;
      const created = await fetch(`${server.url}/api/v1/roadmaps/generate`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(preferences(goal)),
      });
      if (created.status !== 202) throw new Error(`generate answered ${created.status}: ${await created.text()}`);
      const { task_id: taskId } = (await created.json()) as { task_id: string };
      await recorder.whenInFlight(goal, inFlightTarget);
      const inFlight = recorder.calls.filter((call) => call.goal === goal && call.settledAt === undefined);
      const startedAt = performance.now();
      const response = await fetch(`${server.url}/api/v1/roadmaps/tasks/${taskId}/cancel`, {
        method: 'POST',
        headers: { authorization },
      });
      await response.arrayBuffer();
      const respondedAt = performance.now();
      const allSettled = await within(Promise.all(inFlight.map((call) => call.settled)), capMs);
      const aborted = inFlight.filter((call) => call.abortedAt !== undefined);
      const lastAbort = Math.max(...aborted.map((call) => call.abortedAt ?? 0));
      const unaborted = inFlight.length - aborted.length;
      const { terminal } = await bench.finished(taskId);
      if (index < warmups) continue;
      statuses.set(terminal.type, (statuses.get(terminal.type) ?? 0) + 1);
      samples.push({
        latencyMs: allSettled && unaborted === 0 ? lastAbort - startedAt : capMs,
        responseMs: respondedAt - startedAt,
        status: response.status,
        unaborted,
        inFlight: inFlight.length,
      });
    }
  } finally {
    await server.close();
    await bench.close();
  }
  return {
    samples,
    terminal_events: Object.fromEntries(statuses),
    non_2xx_cancels: samples.filter((sample) => sample.status < 200 || sample.status >= 300).length,
    unaborted_calls: samples.reduce((sum, sample) => sum + sample.unaborted, 0),
    server_errors: serverErrors.length,
    engine_errors: bench.errors.length,
  };
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P3api',
    title: `cancel via HTTP → in-flight model calls aborted (p99), ${cancels} cancels, ${inFlightTarget} calls each`,
    target: { op: '<=', value: 50 },
    async run() {
      const { samples, ...checks } = await measure();
      const latencies = samples.map((sample) => sample.latencyMs);
      const responses = samples.map((sample) => sample.responseMs);
      return {
        value: round(percentile(latencies, 99)),
        unit: 'ms',
        detail: {
          cancels: samples.length,
          warmups,
          in_flight_per_cancel: Math.min(...samples.map((sample) => sample.inFlight)),
          p50: round(percentile(latencies, 50)),
          p99: round(percentile(latencies, 99)),
          max: round(Math.max(...latencies)),
          response_p50_ms: round(percentile(responses, 50)),
          response_p99_ms: round(percentile(responses, 99)),
          ...checks,
          measured: 'from just before the cancel request (fetch, same process) to the last abort of its calls',
        },
      };
    },
  },
];
