import { createServer } from 'node:http';
import { createMemoryQueue } from '@roadmap/core';
import { attachRoadmapWebSocket, createJwtAuthenticator, createRoadmapRouter, signJwt } from '@roadmap/express';
import { createPostgresStorage, type PostgresStorage } from '@roadmap/postgres';
import { express, listen, monotonicMs } from './httpSupport.js';
import { LeanWebSocket } from './leanWebSocket.js';
import { type Benchmark, percentile, round, startApiEngine } from './support.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const smallCount = 1_000;
const largeCount = 100_000;
const eventsPerTask = 5;
const requests = 200;
const warmups = 30;
const pageSize = 50;
const secret = 'roadmap-bench-p12-secret-0123456789abcdef';
const userId = 'p12-user';
/** Tasks are spread over this many users; the measured user owns every `users`-th task. */
const users = 10;
/** The task whose events are replayed: seeded in the first batch, so it exists in both rounds. */
const replayedTask = 500;

const taskIdOf = (column: string) => `'00000000-0000-4000-8000-' || lpad(to_hex(${column}), 12, '0')`;
const userOf = (column: string) =>
  `CASE WHEN ${column} % ${users} = 0 THEN '${userId}' ELSE 'p12-other-' || (${column} % ${users}) END`;

/** Tasks `from … to − 1` (completed) and `eventsPerTask` events each, with two bulk `INSERT … SELECT`s. */
async function seed(storage: PostgresStorage, schema: string, from: number, to: number): Promise<void> {
  const createdAt = `to_char(timestamp '2026-01-01' + make_interval(secs => n), 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"')`;
  await storage.pool.query(`
    INSERT INTO ${schema}.tasks (task_id, user_id, roadmap_id, title, status, current_step, progress, error_message,
      failed_concepts, cancel_reason, attempts, created_at, updated_at, completed_at, request)
    SELECT ${taskIdOf('n')}, ${userOf('n')}, 'p12-roadmap-' || n, 'Roadmap ' || n, 'completed', 'done',
      '{"completed":6,"failed":0,"total":6,"percentage":100}'::jsonb, NULL, '{"count":0,"concept_ids":[]}'::jsonb,
      NULL, 1, ${createdAt}, ${createdAt}, ${createdAt},
      jsonb_build_object('preferences', jsonb_build_object('learning_goal', 'Roadmap ' || n,
        'available_hours_per_week', 10, 'current_level', 'beginner'))
    FROM generate_series(${from}, ${to - 1}) AS n`);
  await storage.pool.query(`
    INSERT INTO ${schema}.events (seq, task_id, user_id, event)
    SELECT nextval('${schema}.event_seq'), ${taskIdOf('n')}, ${userOf('n')},
      jsonb_build_object('type', 'progress', 'task_id', ${taskIdOf('n')}, 'user_id', ${userOf('n')},
        'timestamp', ${createdAt}, 'step', 'done', 'status', 'processing', 'message', 'Step ' || k,
        'progress', '{"completed":0,"failed":0,"total":6,"percentage":0}'::jsonb)
    FROM generate_series(${from}, ${to - 1}) AS n, generate_series(1, ${eventsPerTask}) AS k
    ORDER BY n, k`);
  // Stored tasks are old: autovacuum has set the visibility map, as it would have in production long before.
  await storage.pool.query(`VACUUM ANALYZE ${schema}.tasks`);
  await storage.pool.query(`VACUUM ANALYZE ${schema}.events`);
}

/** Unfinished tasks every sweep finds: pending ones whose job was lost, and processing ones whose worker died. */
const stalePending = 20;
const deadLeases = 5;

/**
 * The work a recovery sweep finds, the same in both rounds: `stalePending` pending tasks untouched since 2026 and
 * `deadLeases` processing tasks with an expired lease, ids after every seeded task's, owned by their own user.
 */
async function seedUnfinished(storage: PostgresStorage, schema: string): Promise<void> {
  const first = largeCount + 1;
  const last = first + stalePending + deadLeases - 1;
  await storage.pool.query(`
    INSERT INTO ${schema}.tasks (task_id, user_id, roadmap_id, title, status, current_step, progress, error_message,
      failed_concepts, cancel_reason, attempts, created_at, updated_at, completed_at, request, lease_token,
      lease_expires_at)
    SELECT ${taskIdOf('n')}, 'p12-recovery', 'p12-roadmap-' || n, 'Roadmap ' || n,
      CASE WHEN n < ${first + stalePending} THEN 'pending' ELSE 'processing' END, 'queued',
      '{"completed":0,"failed":0,"total":0,"percentage":0}'::jsonb, NULL, '{"count":0,"concept_ids":[]}'::jsonb,
      NULL, 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', NULL,
      jsonb_build_object('preferences', jsonb_build_object('learning_goal', 'Roadmap ' || n)),
      CASE WHEN n < ${first + stalePending} THEN NULL ELSE 'dead-worker' END,
      CASE WHEN n < ${first + stalePending} THEN NULL ELSE 0 END
    FROM generate_series(${first}, ${last}) AS n`);
}

/** p99 of `run` over `requests` sequential calls after `warmups`. */
async function p99Of(run: () => Promise<void>) {
  for (let index = 0; index < warmups; index += 1) await run();
  const times: number[] = [];
  for (let index = 0; index < requests; index += 1) {
    const started = monotonicMs();
    await run();
    times.push(monotonicMs() - started);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** Opens `/ws/{task}?since=` and resolves once every event of the task was replayed, then closes. */
function replay(url: string, expected: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = new LeanWebSocket(url);
    let replayed = 0;
    socket.on('message', (payload: Buffer) => {
      const message = JSON.parse(payload.toString('utf8')) as { type: string };
      if (message.type === 'progress') replayed += 1;
      if (replayed === expected) {
        socket.terminate();
        resolve();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => (replayed < expected ? reject(new Error(`closed after ${replayed} events`)) : undefined));
  });
}

/**
 * Event retention at 100,000 finished tasks: every stored event is past the retention, and the sweep deletes them
 * as `EventRetention.sweep` does — the bound read once, then batches of 1,000 below it. The first and last batches
 * show whether a batch's cost grows with what is left in the log.
 */
async function pruneAll(storage: PostgresStorage) {
  const before = '2100-01-01T00:00:00.000Z';
  const batches: number[] = [];
  let deleted = 0;
  const started = monotonicMs();
  const belowSeq = await storage.eventLogStart({ before });
  for (;;) {
    const batchStarted = monotonicMs();
    const count = await storage.pruneEvents({ before, limit: 1_000, belowSeq });
    batches.push(monotonicMs() - batchStarted);
    deleted += count;
    if (count < 1_000) break;
  }
  const totalMs = monotonicMs() - started;
  return { deleted, totalMs, batches };
}

async function measure() {
  const schemaName = `roadmap_bench_p12_${process.pid}`;
  const schema = `"${schemaName}"`;
  const storage = await createPostgresStorage({ connectionString: databaseUrl, schema: schemaName });
  const queue = createMemoryQueue();
  const engine = await startApiEngine(storage, queue);
  const api = express();
  api.use('/api/v1', createRoadmapRouter(engine, { authenticate: createJwtAuthenticator({ secret }) }));
  const server = createServer(api);
  attachRoadmapWebSocket(server, engine, {
    authenticate: createJwtAuthenticator({ secret }),
    upgradeRateLimit: { limit: Number.MAX_SAFE_INTEGER, windowMs: 60_000 },
    maxConnectionsPerUser: Number.POSITIVE_INFINITY,
  });
  const listening = await listen(server);
  const token = signJwt({ sub: userId, expiresInSeconds: 3600 }, secret);
  const headers = { authorization: `Bearer ${token}` };
  const listUrl = `${listening.url}/api/v1/roadmaps/tasks?limit=${pageSize}`;
  const taskId = `00000000-0000-4000-8000-${replayedTask.toString(16).padStart(12, '0')}`;
  const round1 = async () => {
    const list = await p99Of(async () => {
      const response = await fetch(listUrl, { headers });
      if (response.status !== 200) throw new Error(`GET /roadmaps/tasks answered ${response.status}`);
      const body = (await response.json()) as { tasks?: unknown[] };
      if (!Array.isArray(body.tasks) || body.tasks.length !== pageSize) throw new Error('short task page');
    });
    const first = await storage.pool.query<{ seq: string }>(
      `SELECT min(seq) AS seq FROM ${schema}.events WHERE task_id = $1`,
      [taskId],
    );
    const since = Number(first.rows[0]?.seq) - 1;
    const wsUrl = `ws://127.0.0.1:${listening.port}/api/v1/ws/${taskId}?token=${encodeURIComponent(token)}&since=${since}`;
    const ws = await p99Of(() => replay(wsUrl, eventsPerTask));
    // One tick of the periodic sweep: take the sweep lease, then requeue every recoverable task.
    const recovery = await p99Of(async () => {
      const now = Date.now();
      const held = await storage.acquireSweepLease({ name: 'recovery', holder: 'p12', now, expiresAt: now + 60_000 });
      if (!held) throw new Error('the recovery sweep lease is held by another process');
      const requeued = await engine.recover(false);
      if (requeued !== stalePending + deadLeases) throw new Error(`a sweep requeued ${requeued} tasks`);
    });
    return { list, ws, recovery };
  };
  try {
    const seedStarted = monotonicMs();
    await seed(storage, schema, 0, smallCount);
    await seedUnfinished(storage, schema);
    const small = await round1();
    await seed(storage, schema, smallCount, largeCount);
    const seedMs = monotonicMs() - seedStarted;
    const large = await round1();
    const prune = await pruneAll(storage);
    return { small, large, seedMs, prune };
  } finally {
    await listening.close();
    await engine.stop();
    await queue.close();
    await storage.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await storage.close();
  }
}

let measured: Promise<Awaited<ReturnType<typeof measure>>> | undefined;
/** Every id shares one seeded run (seeding 100,000 tasks is the slow part). */
const shared = () => {
  measured ??= measure();
  return measured;
};

export const benchmarks: Benchmark[] = [
  {
    id: 'P12tasks',
    title: `GET /roadmaps/tasks?limit=${pageSize} p99, ${largeCount} ÷ ${smallCount} stored tasks (PostgreSQL)`,
    target: { op: '<=', value: 2 },
    async run() {
      const { small, large, seedMs } = await shared();
      return {
        value: round(large.list.p99 / small.list.p99),
        unit: 'ratio',
        detail: {
          requests,
          p99_1k_ms: round(small.list.p99),
          p99_100k_ms: round(large.list.p99),
          p50_1k_ms: round(small.list.p50),
          p50_100k_ms: round(large.list.p50),
          events_per_task: eventsPerTask,
          users,
          seed_s: round(seedMs / 1_000, 1),
        },
      };
    },
  },
  {
    id: 'P12replay',
    title: `WebSocket since-replay of one task p99, ${largeCount} ÷ ${smallCount} stored tasks (PostgreSQL)`,
    target: { op: '<=', value: 2 },
    async run() {
      const { small, large } = await shared();
      return {
        value: round(large.ws.p99 / small.ws.p99),
        unit: 'ratio',
        detail: {
          connections: requests,
          p99_1k_ms: round(small.ws.p99),
          p99_100k_ms: round(large.ws.p99),
          p50_1k_ms: round(small.ws.p50),
          p50_100k_ms: round(large.ws.p50),
          events_replayed: eventsPerTask,
        },
      };
    },
  },

  {
    id: 'P12recovery',
    title: `one recovery sweep (lease + requeue ${stalePending + deadLeases} tasks) p99, ${largeCount} ÷ ${smallCount} stored tasks (PostgreSQL)`,
    target: { op: '<=', value: 2 },
    async run() {
      const { small, large } = await shared();
      return {
        value: round(large.recovery.p99 / small.recovery.p99),
        unit: 'ratio',
        detail: {
          sweeps: requests,
          p99_1k_ms: round(small.recovery.p99),
          p99_100k_ms: round(large.recovery.p99),
          p50_1k_ms: round(small.recovery.p50),
          p50_100k_ms: round(large.recovery.p50),
          requeued_per_sweep: stalePending + deadLeases,
        },
      };
    },
  },

  {
    id: 'P12prune',
    title: `event retention: delete every event of ${largeCount} finished tasks in batches of 1,000 (PostgreSQL), events/s`,
    async run() {
      const { prune } = await shared();
      const full = prune.batches.slice(0, -1);
      return {
        value: Math.round((prune.deleted * 1_000) / prune.totalMs),
        unit: 'events/s',
        detail: {
          deleted: prune.deleted,
          batches: prune.batches.length,
          total_s: round(prune.totalMs / 1_000, 1),
          first_batch_ms: round(full[0] ?? 0),
          last_batch_ms: round(full.at(-1) ?? 0),
          p99_batch_ms: round(percentile(full, 99)),
        },
      };
    },
  },
];
