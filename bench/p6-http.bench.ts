import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { createMemoryQueue, createMemoryStorage, type RoadmapEngine } from '@roadmap/core';
import { createRoadmapRouter } from '@roadmap/express';
// @roadmap/http is not (yet) a dependency of the root package: its TypeScript entry is imported by path.
import {
  createJwtAuthenticator,
  createRoadmapHandler,
  type RoadmapRouteOptions,
  signJwt,
} from '../packages/http/src/index.js';
import { ask, childRole, endChild, express, forkRole, listen, serveMessages } from './httpSupport.js';
import { type Benchmark, preferences, round, startApiEngine } from './support.js';

const tasks = 50;
const connections = 10;
const durationSeconds = 3;
const warmupSeconds = 1;
/**
 * Bare and API runs alternate this many times and the value is the median of the rounds' ratios: on two cores one
 * 5-second pair swung from 0.38 to 0.70 with nothing changed (scheduling and GC of the servers' shared process), and
 * alternating keeps a drift of the machine from landing on one side only.
 */
const rounds = 3;
const secret = 'roadmap-bench-p6-secret-0123456789abcdef';
const userId = 'p6-user';

interface LoadOptions {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** autocannon 9 (root devDependency, no bundled types): the programmatic call returns a promise without callback. */
const loadAutocannon = () =>
  createRequire(import.meta.url)('autocannon') as (options: LoadOptions) => Promise<AutocannonResult>;

// The load generator runs in a forked child, so it does not share the servers' CPU.
if (childRole() === 'p6-autocannon') {
  const autocannon = loadAutocannon();
  serveMessages(async (message) => {
    const result = await autocannon(message as LoadOptions);
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    } satisfies LoadResult;
  });
}

/** A load run and the server process's CPU per request during it. */
type Measured = LoadResult & { cpuMsPerRequest: number };

/** Which host serves the API: the Express router, or the fetch handler under Node's HTTP server. */
type Host = 'express' | 'fetch';

/**
 * A Node request listener answering with a fetch handler: the request (GET, no body) becomes a `Request`, the
 * `Response` is read whole and written back. The least a Node host does around `createRoadmapHandler`.
 */
function fetchListener(handler: (request: Request) => Promise<Response>) {
  return (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const headers = new Headers();
    for (let index = 0; index + 1 < incoming.rawHeaders.length; index += 2) {
      headers.append(incoming.rawHeaders[index] ?? '', incoming.rawHeaders[index + 1] ?? '');
    }
    handler(new Request(`http://127.0.0.1${incoming.url ?? '/'}`, { method: incoming.method ?? 'GET', headers })).then(
      async (response) => {
        const body = new Uint8Array(await response.arrayBuffer());
        outgoing.writeHead(response.status, Object.fromEntries(response.headers));
        outgoing.end(body);
      },
      (error: unknown) => outgoing.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  };
}

/** The API on `host`, served on a free port. */
function serveApi(host: Host, engine: RoadmapEngine, options: RoadmapRouteOptions & { onError(error: unknown): void }) {
  if (host === 'fetch') return listen(fetchListener(createRoadmapHandler(engine, options)));
  const api = express();
  api.use('/api/v1', createRoadmapRouter(engine, options));
  return listen(api);
}

async function measure(host: Host) {
  const queue = createMemoryQueue();
  // No worker: the 50 tasks stay `pending`, so the listing is stable while it is measured.
  const engine = await startApiEngine(createMemoryStorage(), queue);
  for (let index = 0; index < tasks; index += 1) {
    await engine.generate({ userId, request: preferences(`Learn Rust (P6 task ${index})`) });
  }
  const serverErrors: unknown[] = [];
  const apiServer = await serveApi(host, engine, {
    authenticate: createJwtAuthenticator({ secret }),
    rateLimits: {
      generate: { limit: 1_000_000, windowMs: 60_000 },
      coverGeneration: { limit: 1_000_000, windowMs: 60_000 },
    },
    onError: (error) => serverErrors.push(error),
  });
  const headers = { authorization: `Bearer ${signJwt({ sub: userId, expiresInSeconds: 3600 }, secret)}` };
  const tasksUrl = `${apiServer.url}/api/v1/roadmaps/tasks`;
  const listing = await fetch(tasksUrl, { headers });
  if (listing.status !== 200) throw new Error(`GET /roadmaps/tasks answered ${listing.status}`);
  const payloadText = await listing.text();
  const payload = JSON.parse(payloadText) as { tasks: unknown[] };
  if (payload.tasks.length !== tasks) throw new Error(`listing has ${payload.tasks.length} tasks, not ${tasks}`);

  // The baseline: a bare Express JSON route answering the very same body.
  const bare = express();
  bare.get('/json', (_request, response) => response.json(payload));
  const bareServer = await listen(bare);
  const bareUrl = `${bareServer.url}/json`;
  const bareBytes = (await (await fetch(bareUrl)).text()).length;

  const child = forkRole(import.meta.url, 'p6-autocannon');
  try {
    /** One load run, with the CPU this process (both servers) spent per request meanwhile. */
    const run = async (url: string, duration: number, withAuth: boolean) => {
      const before = process.cpuUsage();
      const result = await ask<LoadResult>(child, { url, connections, duration, ...(withAuth ? { headers } : {}) });
      const used = process.cpuUsage(before);
      return { ...result, cpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(1, result.total) };
    };
    await run(bareUrl, warmupSeconds, false);
    await run(tasksUrl, warmupSeconds, true);
    const pairs: Array<{ bare: Measured; api: Measured }> = [];
    for (let round = 0; round < rounds; round += 1) {
      const bare = await run(bareUrl, durationSeconds, false);
      const api = await run(tasksUrl, durationSeconds, true);
      pairs.push({ bare, api });
    }
    return { pairs, payloadBytes: payloadText.length, bareBytes, serverErrors: serverErrors.length };
  } finally {
    await endChild(child);
    await apiServer.close();
    await bareServer.close();
    await engine.stop();
    await queue.close();
  }
}

/** The P6 row of `host`: the listing's req/s ÷ the bare Express route's. */
function httpBenchmark(host: Host, id: string, title: string, setup: string): Benchmark {
  return {
    id,
    title,
    target: { op: '>=', value: 0.4 },
    async run() {
      const { pairs, payloadBytes, bareBytes, serverErrors } = await measure(host);
      for (const { api, bare } of pairs) {
        if (api.non2xx + api.errors + api.timeouts + bare.non2xx + bare.errors + bare.timeouts > 0) {
          throw new Error(`requests failed: api ${JSON.stringify(api)} bare ${JSON.stringify(bare)}`);
        }
      }
      const ratios = pairs.map(({ api, bare }) => api.rps / bare.rps);
      // The round of the median ratio: its own figures go in the detail.
      const median = [...ratios].sort((left, right) => left - right)[Math.floor(ratios.length / 2)] as number;
      const { api: apiResult, bare: bareResult } = pairs[ratios.indexOf(median)] as (typeof pairs)[number];
      return {
        value: round(median),
        unit: 'ratio',
        detail: {
          ratios: ratios.map((ratio) => round(ratio)),
          api_rps: round(apiResult.rps, 1),
          bare_rps: round(bareResult.rps, 1),
          api_cpu_ms_per_request: round(apiResult.cpuMsPerRequest, 3),
          bare_cpu_ms_per_request: round(bareResult.cpuMsPerRequest, 3),
          api_p50_ms: apiResult.p50,
          api_p99_ms: apiResult.p99,
          bare_p50_ms: bareResult.p50,
          bare_p99_ms: bareResult.p99,
          api_requests: apiResult.total,
          bare_requests: bareResult.total,
          payload_bytes: payloadBytes,
          bare_payload_bytes: bareBytes,
          connections,
          duration_s: durationSeconds,
          rounds,
          warmup_s: warmupSeconds,
          server_errors: serverErrors,
          setup,
        },
      };
    },
  };
}

export const benchmarks: Benchmark[] = [
  httpBenchmark(
    'express',
    'P6',
    `GET /roadmaps/tasks (${tasks} tasks) req/s ÷ bare Express JSON route, ${connections} conn, median of ${rounds} alternated ${durationSeconds} s pairs`,
    'in-memory engine without worker (tasks pending), router with JWT auth and helmet defaults; bare route ' +
      'answers the same JSON body; autocannon in a forked child process, servers in the bench process',
  ),
  httpBenchmark(
    'fetch',
    'P6fetch',
    `GET /roadmaps/tasks (${tasks} tasks) on the fetch handler under node:http req/s ÷ bare Express JSON route, ${connections} conn, median of ${rounds} alternated ${durationSeconds} s pairs`,
    'in-memory engine without worker (tasks pending), createRoadmapHandler with JWT auth and its security headers, ' +
      'behind a minimal Request/Response bridge on node:http; bare route answers the same JSON body; autocannon in a ' +
      'forked child process, servers in the bench process',
  ),
];
