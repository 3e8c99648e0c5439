import { createBullmqQueue } from '@roadmap/bullmq';
import { createDemoModel, RoadmapEngine, type Storage } from '@roadmap/core';
import { createPostgresStorage } from '@roadmap/postgres';
import { Redis } from 'ioredis';
import pg from 'pg';
import { WorkerCluster } from './cluster.js';
import { eventually, tasksOf, terminal } from './crashSupport.js';
import { postgresUrl, redisUrl as sharedRedisUrl } from './services.js';

/** Lease of the crash tests' workers (and API process) unless a test asks for another. */
export const crashLeaseMs = 1500;

/** One test's PostgreSQL schema, BullMQ prefix, API engine (no worker) and worker cluster. */
export interface PgBullmqSetup {
  storage: Storage & { close(): Promise<void> };
  /** The API process: accepts tasks and cancels, runs no tasks. */
  api: RoadmapEngine;
  cluster: WorkerCluster;
  /** What every worker process is started with. */
  environment: Record<string, string>;
  schema: string;
  /** Drops the schema and the queue's keys and stops everything. */
  cleanup(): Promise<void>;
}

export interface PgBullmqSetupOptions {
  /** Names the schema, the queue prefix and the workers. */
  name: string;
  /** The fake model server's URL. */
  modelUrl: string;
  /** Redis of the queue. Default: the shared one (`REDIS_URL`); a test that stops Redis passes its own. */
  redisUrl?: string;
  /** `application_name` of the workers' PostgreSQL connections, so a test can find (and kill) only those. */
  workerApplicationName?: string;
  /** Overrides of the workers' environment (see workerProcess.ts). */
  workerEnvironment?: Record<string, string>;
  /** Receives the API engine's and queue's errors. Default: printed. */
  onError?: (error: unknown) => void;
}

let counter = 0;

function withApplicationName(url: string, name: string | undefined): string {
  if (!name) return url;
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', name);
  return parsed.toString();
}

/** A fresh schema and queue prefix, an API engine on them, and a (not yet started) cluster of worker processes. */
export async function setUpPgBullmq(options: PgBullmqSetupOptions): Promise<PgBullmqSetup> {
  counter += 1;
  const { name } = options;
  const redisUrl = options.redisUrl ?? sharedRedisUrl;
  const schema = `crash_${name}_${process.pid}_${counter}`;
  const prefix = `crash-${name}-${process.pid}-${counter}`;
  const storage = await createPostgresStorage({ connectionString: postgresUrl, schema });
  const queue = createBullmqQueue({
    connection: redisUrl,
    prefix,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const api = new RoadmapEngine({
    storage,
    queue,
    model: createDemoModel(),
    worker: false,
    leaseMs: crashLeaseMs,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  await api.start();
  const environment = {
    STORAGE: `postgres:${withApplicationName(postgresUrl, options.workerApplicationName)}|${schema}`,
    QUEUE: `bullmq:${redisUrl}|${prefix}`,
    MODEL_URL: options.modelUrl,
    LEASE_MS: String(crashLeaseMs),
    CONCURRENCY: '3',
    TASK_CONCURRENCY: '2',
    ...options.workerEnvironment,
  };
  const cluster = new WorkerCluster(name, environment);
  return {
    storage,
    api,
    cluster,
    environment,
    schema,
    async cleanup() {
      await cluster.close();
      await api.stop();
      await queue.close();
      await storage.close();
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** Submits one task per goal through the API engine; returns their ids in order. */
export async function generate(api: RoadmapEngine, goals: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const goal of goals) {
    const { task } = await api.generate({
      userId: 'crash',
      request: { preferences: { learning_goal: goal, available_hours_per_week: 4 } },
    });
    ids.push(task.task_id);
  }
  return ids;
}

/** Resolves once storage shows every task in a terminal status. */
export async function waitForTerminal(storage: Storage, taskIds: readonly string[], timeoutMs = 90_000): Promise<void> {
  await eventually(async () => (await tasksOf(storage, taskIds)).every((task) => terminal.has(task.status)), {
    timeoutMs,
    intervalMs: 100,
    describe: async () => JSON.stringify((await tasksOf(storage, taskIds)).map((task) => [task.status, task.attempts])),
  });
}
