// A worker process for the crash tests: configured by the environment, killed and restarted by the tests.
//   STORAGE  sqlite:<file> | postgres:<connection string>|<schema>
//   QUEUE    memory | bullmq:<redis url>|<prefix>
//   MODEL_URL, WORKER_NAME, LEASE_MS (1000), CONCURRENCY (3), TASK_CONCURRENCY (2), MAX_ATTEMPTS (5)
import { createMemoryQueue, type Queue, RoadmapEngine, type Storage } from '@roadmap/core';
import { createHttpModel } from './httpModel.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function openStorage(spec: string): Promise<{ storage: Storage; close: () => Promise<void> }> {
  if (spec.startsWith('sqlite:')) {
    const { createSqliteStorage } = await import('@roadmap/sqlite');
    const storage = createSqliteStorage({ filename: spec.slice('sqlite:'.length) });
    return { storage, close: async () => storage.close() };
  }
  if (spec.startsWith('postgres:')) {
    const [connectionString, schema] = spec.slice('postgres:'.length).split('|');
    const { createPostgresStorage } = await import('@roadmap/postgres');
    const storage = await createPostgresStorage({ connectionString, schema });
    return { storage, close: () => storage.close() };
  }
  throw new Error(`unknown STORAGE ${spec}`);
}

async function openQueue(spec: string): Promise<{ queue: Queue; close: () => Promise<void> }> {
  if (spec === 'memory') {
    const queue = createMemoryQueue();
    return { queue, close: () => queue.close() };
  }
  if (spec.startsWith('bullmq:')) {
    const [connection, prefix] = spec.slice('bullmq:'.length).split('|');
    const { createBullmqQueue } = await import('@roadmap/bullmq');
    const queue = createBullmqQueue({ connection: connection as string, prefix: prefix as string });
    return { queue, close: () => queue.close() };
  }
  throw new Error(`unknown QUEUE ${spec}`);
}

const worker = process.env.WORKER_NAME ?? `worker-${process.pid}`;
const storage = await openStorage(required('STORAGE'));
const queue = await openQueue(process.env.QUEUE ?? 'memory');
const engine = new RoadmapEngine({
  storage: storage.storage,
  queue: queue.queue,
  model: createHttpModel({ url: required('MODEL_URL'), worker }),
  leaseMs: Number(process.env.LEASE_MS ?? 1000),
  concurrency: Number(process.env.CONCURRENCY ?? 3),
  taskConcurrency: Number(process.env.TASK_CONCURRENCY ?? 2),
  maxAttempts: Number(process.env.MAX_ATTEMPTS ?? 5),
  retry: { retries: 0 },
  workerId: worker,
  onError: (error) => console.error(`[${worker}]`, error),
});

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await engine.stop();
  await queue.close();
  await storage.close();
  process.stdout.write('stopped\n');
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

await engine.start();
process.stdout.write('ready\n');
