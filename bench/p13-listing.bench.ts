import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryQueue, type Roadmap, type TaskRecord } from '@roadmap/core';
import { createJwtAuthenticator, createRoadmapRouter, signJwt } from '@roadmap/express';
import { createSqliteStorage, type SqliteStorage } from '@roadmap/sqlite';
import { express, listen, monotonicMs } from './httpSupport.js';
import { type Benchmark, percentile, round, startApiEngine } from './support.js';

const smallCount = 1_000;
const largeCount = 10_000;
const requests = 400;
const warmupRequests = 50;
const pageSize = 50;
const secret = 'roadmap-bench-p13-secret-0123456789abcdef';
const userId = 'p13-user';
const epochMs = Date.UTC(2026, 0, 1);

/** A task and its saved roadmap (2 concepts, 6 items; the first concept's items `generating` on every third roadmap). */
async function seedRoadmap(storage: SqliteStorage, number: number): Promise<void> {
  const createdAt = new Date(epochMs + number * 1_000).toISOString();
  const roadmapId = `p13-roadmap-${number.toString().padStart(6, '0')}`;
  const taskId = `00000000-0000-4000-8000-${number.toString(16).padStart(12, '0')}`;
  const task: TaskRecord = {
    task_id: taskId,
    user_id: userId,
    roadmap_id: roadmapId,
    title: `Roadmap ${number}`,
    status: 'pending',
    current_step: 'queued',
    progress: { completed: 0, failed: 0, total: 0, percentage: 0 },
    error_message: null,
    failed_concepts: { count: 0, concept_ids: [] },
    cancel_reason: null,
    pause_reason: null,
    review_round: 0,
    usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 },
    budget_usd: null,
    attempts: 0,
    created_at: createdAt,
    updated_at: createdAt,
    completed_at: null,
    request: {
      preferences: { learning_goal: `Roadmap ${number}`, available_hours_per_week: 10, current_level: 'beginner' },
    },
    idempotency_key: null,
    lease_token: null,
    lease_expires_at: null,
  };
  await storage.createTask(task);
  const lease = { token: 'seed', now: epochMs, expiresAt: epochMs + 3_600_000, updatedAt: createdAt };
  await storage.acquireLease(taskId, lease);
  const concept = (conceptId: string) => ({
    concept_id: conceptId,
    name: `Concept ${conceptId}`,
    description: 'A concept.',
    estimated_hours: 2,
    difficulty: 'medium' as const,
    prerequisites: [],
    keywords: ['bench'],
    tutorial_status: 'pending' as const,
    resources_status: 'pending' as const,
    quiz_status: 'pending' as const,
  });
  const roadmap: Roadmap = {
    roadmap_id: roadmapId,
    user_id: userId,
    title: `Roadmap ${number}`,
    goal: 'Bench',
    stages: [
      {
        stage_id: 'stage-1',
        name: 'Stage 1',
        description: 'A stage.',
        order: 1,
        modules: [
          {
            module_id: 'module-1',
            name: 'Module 1',
            description: 'A module.',
            concepts: [concept('c1'), concept('c2')],
          },
        ],
      },
    ],
    total_estimated_hours: 4,
    recommended_completion_weeks: 1,
    created_at: createdAt,
  };
  const fence = { taskId, leaseToken: 'seed' };
  await storage.saveRoadmap(fence, roadmap);
  if (number % 3 === 0) {
    for (const kind of ['tutorial', 'resources', 'quiz'] as const) {
      await storage.setItemStatus(fence, { roadmapId, conceptId: 'c1', kind }, 'generating');
    }
  }
}

/** p99 (and p50) of sequential `GET /roadmaps?limit=50` requests, and of the storage query alone. */
async function measureRound(url: string, headers: Record<string, string>, storage: SqliteStorage) {
  const once = async () => {
    const response = await fetch(url, { headers });
    if (response.status !== 200) throw new Error(`GET /roadmaps answered ${response.status}`);
    const body = (await response.json()) as { roadmaps: unknown[]; next_cursor: string | null };
    if (body.roadmaps.length !== pageSize || body.next_cursor === null) throw new Error('short page');
  };
  for (let index = 0; index < warmupRequests; index += 1) await once();
  const route: number[] = [];
  for (let index = 0; index < requests; index += 1) {
    const started = monotonicMs();
    await once();
    route.push(monotonicMs() - started);
  }
  const query: number[] = [];
  for (let index = 0; index < requests; index += 1) {
    const started = monotonicMs();
    await storage.listRoadmapSummaries({ userId, limit: pageSize + 1 });
    query.push(monotonicMs() - started);
  }
  return {
    p50: percentile(route, 50),
    p99: percentile(route, 99),
    queryP50: percentile(query, 50),
    queryP99: percentile(query, 99),
  };
}

async function measure() {
  const directory = mkdtempSync(join(tmpdir(), 'roadmap-bench-p13-'));
  const storage = createSqliteStorage({ filename: join(directory, 'bench.db') });
  const queue = createMemoryQueue();
  const engine = await startApiEngine(storage, queue);
  const api = express();
  api.use('/api/v1', createRoadmapRouter(engine, { authenticate: createJwtAuthenticator({ secret }) }));
  const server = await listen(api);
  const headers = { authorization: `Bearer ${signJwt({ sub: userId, expiresInSeconds: 3600 }, secret)}` };
  const url = `${server.url}/api/v1/roadmaps?limit=${pageSize}`;
  try {
    const seedStarted = monotonicMs();
    for (let number = 0; number < smallCount; number += 1) await seedRoadmap(storage, number);
    const small = await measureRound(url, headers, storage);
    for (let number = smallCount; number < largeCount; number += 1) await seedRoadmap(storage, number);
    const seedMs = monotonicMs() - seedStarted;
    const large = await measureRound(url, headers, storage);
    return { small, large, seedMs };
  } finally {
    await server.close();
    await engine.stop();
    await queue.close();
    storage.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P13roadmaps',
    title: `GET /roadmaps?limit=${pageSize} p99, ${largeCount} ÷ ${smallCount} stored roadmaps of one user (SQLite)`,
    target: { op: '<=', value: 2 },
    async run() {
      const { small, large, seedMs } = await measure();
      return {
        value: round(large.p99 / small.p99),
        unit: 'ratio',
        detail: {
          requests,
          p99_1k_ms: round(small.p99),
          p99_10k_ms: round(large.p99),
          p50_1k_ms: round(small.p50),
          p50_10k_ms: round(large.p50),
          query_p99_1k_ms: round(small.queryP99),
          query_p99_10k_ms: round(large.queryP99),
          query_ratio: round(large.queryP99 / small.queryP99),
          seed_s: round(seedMs / 1_000, 1),
        },
      };
    },
  },
];
