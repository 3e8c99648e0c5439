import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoModel, createMemoryQueue, RoadmapEngine } from '@roadmap/core';
import { createSqliteStorage } from '@roadmap/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditCalls,
  eventually,
  inFlightAtKill,
  type KillRecord,
  storedIdentities,
  tasksOf,
  terminal,
} from './crashSupport.js';
import { type FakeModelServer, startFakeModelServer } from './fakeModelServer.js';
import { killHard, seededRandom, startWorker, type WorkerProcess } from './processes.js';

const seed = Number(process.env.CRASH_SEED ?? 20261128);
const kills = Number(process.env.CRASH_KILLS ?? 50);

let directory: string;
let server: FakeModelServer;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'roadmap-crash-'));
  server = await startFakeModelServer({ latencyMs: 15 });
});
afterAll(async () => {
  await server?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('SQLite file + in-process queue, worker killed with SIGKILL and restarted', () => {
  it(`${kills} kills at seeded points (seed ${seed}): nothing lost, nothing stored asked twice`, async () => {
    const filename = join(directory, 'roadmap.db');
    const storage = createSqliteStorage({ filename });
    const api = new RoadmapEngine({ storage, queue: createMemoryQueue(), model: createDemoModel(), worker: false });
    const goals = [
      'Learn Rust for embedded',
      'Learn Go for services',
      'Learn SQL for analytics',
      'Learn Python for automation',
      'Learn React for dashboards',
    ];
    const taskIds: string[] = [];
    for (const goal of goals) {
      const { task } = await api.generate({
        userId: 'crash',
        request: { preferences: { learning_goal: goal, available_hours_per_week: 4 } },
      });
      taskIds.push(task.task_id);
    }
    const environment = {
      STORAGE: `sqlite:${filename}`,
      QUEUE: 'memory',
      MODEL_URL: server.url,
      LEASE_MS: '400',
      CONCURRENCY: '3',
      TASK_CONCURRENCY: '2',
      MAX_ATTEMPTS: '1000',
    };
    const random = seededRandom(seed);
    const records: KillRecord[] = [];
    const allDone = async () => (await tasksOf(storage, taskIds)).every((task) => terminal.has(task.status));

    let worker: WorkerProcess | undefined;
    for (let kill = 0; kill < kills && !(await allDone()); kill += 1) {
      worker = await startWorker(`sqlite-${kill}`, environment);
      const target = server.calls.length + 1 + Math.floor(random() * 5);
      await server
        .waitFor((calls) => calls.length >= target, 20_000)
        .catch(async (error) => {
          if (!(await allDone())) throw error;
        });
      await killHard(worker);
      const storedItems = await storedIdentities(storage, await tasksOf(storage, taskIds));
      const inFlight = inFlightAtKill(server.calls, worker, storedItems);
      records.push({ atCall: server.calls.length, inFlight, storedItems });
    }
    worker = await startWorker('sqlite-final', environment);
    await eventually(allDone, {
      timeoutMs: 60_000,
      describe: async () => JSON.stringify((await tasksOf(storage, taskIds)).map((task) => task.status)),
    });
    // Cleanup only: graceful SIGTERM is asserted by the PostgreSQL + BullMQ SIGTERM test and by runWorker's test.
    // (A worker SIGTERMed right after it printed `ready` has been seen to die by the default action under tsx.)
    worker.kill('SIGTERM');
    await worker.exited;

    const tasks = await tasksOf(storage, taskIds);
    expect(tasks.map((task) => task.status)).toEqual(goals.map(() => 'completed'));
    for (const task of tasks) {
      const items = await storage.listItems(task.roadmap_id);
      expect(items.length).toBeGreaterThan(0);
      expect(items.filter((item) => item.status !== 'completed')).toEqual([]); // lost items = 0
    }
    const audit = auditCalls(server.calls, records);
    console.log('sqlite crash audit', { kills: records.length, ...audit });
    expect(records.length).toBe(kills);
    expect(audit.repeatedStored).toBe(0);
    expect(audit.extraCalls).toBeLessThanOrEqual(audit.inFlightAtKills);
    storage.close();
  }, 240_000);
});
