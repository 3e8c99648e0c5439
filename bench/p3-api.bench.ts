import { Agent, request as httpRequest } from 'node:http';
import type { LanguageModel } from '@roadmap/core';
import { createJwtAuthenticator, createRoadmapRouter, signJwt } from '@roadmap/express';
import { createOpenAIModel } from '@roadmap/openai';
import { type ServedRequest, startFakeModelServer, startFakeModelServerProcess } from './fakeModelServer.js';
import { express, listen } from './httpSupport.js';
import {
  type Benchmark,
  createRecordingModel,
  frameworkOperations,
  median,
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

/** The reference router (JWT, rate limits out of the way) for `engine`, on a free port. */
async function serveRouter(engine: Parameters<typeof createRoadmapRouter>[0], serverErrors: unknown[]) {
  const app = express();
  app.use(
    '/api/v1',
    createRoadmapRouter(engine, {
      authenticate: createJwtAuthenticator({ secret }),
      rateLimits: { generate: { limit: 1_000_000, windowMs: 60_000 }, cancel: { limit: 1_000_000, windowMs: 60_000 } },
      onError: (error) => serverErrors.push(error),
    }),
  );
  const server = await listen(app);
  const authorization = `Bearer ${signJwt({ sub: userId, expiresInSeconds: 3600 }, secret)}`;
  const generate = async (goal: string): Promise<string> => {
    const created = await fetch(`${server.url}/api/v1/roadmaps/generate`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(preferences(goal)),
    });
    if (created.status !== 202) throw new Error(`generate answered ${created.status}: ${await created.text()}`);
    return ((await created.json()) as { task_id: string }).task_id;
  };
  return { server, authorization, generate };
}

const openAIModel = (baseURL: string): LanguageModel =>
  createOpenAIModel({ baseURL, apiKey: 'bench', model: 'bench-fake', structuredOutput: 'json_schema' });

const httpConcurrency = 5;
/** Content calls in flight when the cancel is sent: `httpConcurrency` concepts × 3 kinds. */
const httpInFlight = httpConcurrency * 3;
const httpWarmups = 3;
const httpCancels = 25;

/**
 * Cancel through the REST API with the model behind HTTP: the engine calls a local OpenAI-compatible server through
 * `@roadmap/openai`; content calls never answer. Once 15 of them are open on the server, `POST …/cancel` is sent; one
 * sample is the time from just before that request to the server seeing the last of those 15 connections closed.
 */
async function measureHttpCancel() {
  const modelServer = await startFakeModelServer({ latencyMs: 0, shape, hangContent: true });
  const bench = await startEngine(openAIModel(modelServer.baseURL), { concurrency: httpConcurrency });
  const serverErrors: unknown[] = [];
  const { server, authorization, generate } = await serveRouter(bench.engine, serverErrors);
  const samples: number[] = [];
  let unclosed = 0;
  try {
    for (let index = 0; index < httpWarmups + httpCancels; index += 1) {
      const goal = `Learn Rust (P3apiHttp cancel ${index})`;
      const taskId = await generate(goal);
      await modelServer.whenOpen(goal, httpInFlight);
      const open = modelServer.calls.filter(
        (call) => call.goal === goal && call.answeredAt === undefined && call.closedAt === undefined,
      );
      const startedAt = performance.now();
      const response = await fetch(`${server.url}/api/v1/roadmaps/tasks/${taskId}/cancel`, {
        method: 'POST',
        headers: { authorization },
      });
      await response.arrayBuffer();
      if (response.status !== 200 && response.status !== 202) throw new Error(`cancel answered ${response.status}`);
      const closed = await within(Promise.all(open.map((call) => call.ended)), capMs);
      const lastClose = Math.max(...open.map((call) => call.closedAt ?? Number.POSITIVE_INFINITY));
      await bench.finished(taskId);
      if (index < httpWarmups) continue;
      if (!closed) unclosed += 1;
      samples.push(closed ? lastClose - startedAt : capMs);
    }
  } finally {
    await server.close();
    await bench.close();
    await modelServer.close();
  }
  return { samples, unclosed, serverErrors: serverErrors.length, engineErrors: bench.errors.length };
}

const wallLatencyMs = 100;
const wallConcurrency = 8;
const wallShape = { stages: 4, modules: 3, concepts: 5 };
const wallConcepts = wallShape.stages * wallShape.modules * wallShape.concepts;
const wallRuns = 5;
/** Roadmaps run first and not measured (JIT warm-up: a server's steady state). */
const wallWarmups = 3;

/** POSTs `body` to `url` over `agent` and resolves once the whole answer was read (nothing parsed). */
function postRaw(url: string, body: string, agent: Agent): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'x-bench-replay': '1',
        },
      },
      (response) => {
        response.on('data', () => {});
        response.once('end', resolve);
        response.once('error', reject);
      },
    );
    request.once('error', reject);
    request.end(body);
  });
}

/**
 * The harness alone, measured the same way as a roadmap: the requests one roadmap made sent again to the same model
 * server (which answers them the same way, after the same latency) on the same schedule — the framework calls one
 * after another, then `wallConcurrency` lanes each sending one concept's calls together — by a bare `node:http`
 * client that reads each answer and parses nothing, no engine, no adapter. Its time over the ideal is what the
 * loopback, the model server and the timers cost.
 */
async function replayMs(baseURL: string, requests: readonly ServedRequest[], agent: Agent): Promise<number> {
  const url = `${baseURL}/chat/completions`;
  const framework = requests.filter((request) => frameworkOperations.includes(request.operation));
  const concepts = new Map<string, string[]>();
  for (const request of requests) {
    if (frameworkOperations.includes(request.operation)) continue;
    const bodies = concepts.get(request.concept ?? '') ?? [];
    bodies.push(request.body);
    concepts.set(request.concept ?? '', bodies);
  }
  const queue = [...concepts.values()];
  const startedAt = performance.now();
  for (const request of framework) await postRaw(url, request.body, agent);
  const lane = async () => {
    for (let bodies = queue.shift(); bodies !== undefined; bodies = queue.shift()) {
      await Promise.all(bodies.map((body) => postRaw(url, body, agent)));
    }
  };
  await Promise.all(Array.from({ length: wallConcurrency }, lane));
  return performance.now() - startedAt;
}

interface WallRun {
  wallMs: number;
  idealMs: number;
  baselineMs: number;
  frameworkCalls: number;
  contentCalls: number;
  status: string;
  /** CPU time of this (the serving) process during the roadmap, in ms. */
  cpuMs: number;
  /** CPU time of the model server's process during the roadmap, in ms. */
  serverCpuMs: number;
  serverLateMs: number[];
}

/**
 * One 60-concept roadmap through the REST API with the model behind HTTP at 100 ms a call, from `POST
 * /roadmaps/generate` to the delivered `completed` event; ideal = framework calls in sequence + ⌈60/8⌉ rounds of
 * one call (the three kinds of a concept run in parallel), as in P1. The model server runs in a child process.
 * After each roadmap, its requests are replayed by a bare client ({@link replayMs}): the harness baseline.
 */
async function measureHttpWall() {
  const modelServer = await startFakeModelServerProcess({ latencyMs: wallLatencyMs, shape: wallShape });
  const bench = await startEngine(openAIModel(modelServer.baseURL), { concurrency: wallConcurrency });
  const serverErrors: unknown[] = [];
  const { server, generate } = await serveRouter(bench.engine, serverErrors);
  const replayAgent = new Agent({ keepAlive: true });
  const runs: WallRun[] = [];
  try {
    let serverCpuBefore = (await modelServer.served('')).cpuMs;
    for (let index = -wallWarmups; index < wallRuns; index += 1) {
      const goal = `Learn Rust (P3apiWall run ${index})`;
      const cpuBefore = process.cpuUsage();
      const startedAt = performance.now();
      const taskId = await generate(goal);
      const { terminal } = await bench.finished(taskId);
      const wallMs = terminal.at - startedAt;
      const cpu = process.cpuUsage(cpuBefore);
      const served = await modelServer.served(goal);
      const serverCpuMs = served.cpuMs - serverCpuBefore;
      const counts = await modelServer.count(goal);
      const frameworkCalls = frameworkOperations.reduce((sum, operation) => sum + (counts[operation] ?? 0), 0);
      const allCalls = Object.values(counts).reduce((sum, count) => sum + count, 0);
      const idealMs = (frameworkCalls + Math.ceil(wallConcepts / wallConcurrency)) * wallLatencyMs;
      const status = terminal.event.type === 'completed' ? terminal.event.status : terminal.type;
      const baselineMs = await replayMs(modelServer.baseURL, served.requests, replayAgent);
      serverCpuBefore = (await modelServer.served('')).cpuMs;
      if (index < 0) continue;
      runs.push({
        wallMs,
        idealMs,
        baselineMs,
        frameworkCalls,
        contentCalls: allCalls - frameworkCalls,
        status,
        cpuMs: (cpu.user + cpu.system) / 1000,
        serverCpuMs,
        serverLateMs: served.lateMs,
      });
    }
  } finally {
    replayAgent.destroy();
    await server.close();
    await bench.close();
    await modelServer.close();
  }
  return { runs, serverErrors: serverErrors.length, engineErrors: bench.errors };
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P3apiHttp',
    title: `cancel via HTTP → ${httpInFlight} in-flight calls to an HTTP model server closed (p99), ${httpCancels} cancels`,
    target: { op: '<=', value: 50 },
    async run() {
      const { samples, unclosed, serverErrors, engineErrors } = await measureHttpCancel();
      return {
        value: round(percentile(samples, 99)),
        unit: 'ms',
        detail: {
          cancels: samples.length,
          in_flight_per_cancel: httpInFlight,
          p50: round(percentile(samples, 50)),
          p99: round(percentile(samples, 99)),
          max: round(Math.max(...samples)),
          unclosed,
          server_errors: serverErrors,
          engine_errors: engineErrors,
          measured: 'before the cancel request → the model server saw the last of the open connections close',
        },
      };
    },
  },
  {
    id: 'P3apiWall',
    title: `${wallConcepts}-concept roadmap via HTTP API, OpenAI-compatible HTTP model at ${wallLatencyMs} ms, wall / ideal`,
    target: { op: '<=', value: 1.05 },
    async run() {
      const { runs, serverErrors, engineErrors } = await measureHttpWall();
      const bad = runs.find((run) => run.status !== 'completed' || run.contentCalls !== wallConcepts * 3);
      if (bad)
        throw new Error(
          `P3apiWall run ended ${bad.status} with ${bad.contentCalls} content calls (${engineErrors.join('; ')})`,
        );
      const ratios = runs.map((run) => run.wallMs / run.idealMs);
      const calls = runs.reduce((sum, run) => sum + run.frameworkCalls + run.contentCalls, 0);
      const lateMs = runs.flatMap((run) => run.serverLateMs);
      const baselineMs = median(runs.map((run) => run.baselineMs));
      return {
        value: round(median(ratios)),
        unit: 'x ideal',
        detail: {
          runs: runs.length,
          warmups: wallWarmups,
          concurrency: wallConcurrency,
          latency_ms: wallLatencyMs,
          ideal_ms: runs[0]?.idealMs ?? 0,
          framework_calls: runs[0]?.frameworkCalls ?? 0,
          wall_ms: runs.map((run) => round(run.wallMs, 1)),
          min: round(Math.min(...ratios)),
          max: round(Math.max(...ratios)),
          // The harness alone (same requests, same server, same schedule, a bare client), after each roadmap.
          baseline_ms: runs.map((run) => round(run.baselineMs, 1)),
          baseline_x_ideal: round(baselineMs / (runs[0]?.idealMs ?? 1)),
          wall_x_baseline: round(median(runs.map((run) => run.wallMs / run.baselineMs))),
          cpu_ms_per_call: round(runs.reduce((sum, run) => sum + run.cpuMs, 0) / calls, 2),
          server_cpu_ms_per_call: round(runs.reduce((sum, run) => sum + run.serverCpuMs, 0) / calls, 2),
          server_late_ms_p50: round(percentile(lateMs, 50), 1),
          server_late_ms_max: round(Math.max(...lateMs), 1),
          server_errors: serverErrors,
          engine_errors: engineErrors.length,
        },
      };
    },
  },
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
