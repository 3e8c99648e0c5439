import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoModel, createMemoryQueue, RoadmapEngine } from '@roadmap/core';
import { createSqliteStorage } from '@roadmap/sqlite';
import { callIdentity, storedIdentities, tasksOf, terminal } from '../tests/crash/src/crashSupport.js';
import { startFakeModelServer } from '../tests/crash/src/fakeModelServer.js';
import { killHard, seededRandom, startWorker } from '../tests/crash/src/processes.js';
import type { Benchmark } from './support.js';

const kills = 12;
const seed = 4242;

/**
 * SQLite file + in-process queue; a worker process is SIGKILLed at seeded points and restarted. For each kill: the
 * work in flight (calls the killed process made whose result was not stored) and how many calls were repeated for
 * exactly those items afterwards, plus calls repeated for anything storage already held (must be 0).
 */
async function measure() {
  const directory = mkdtempSync(join(tmpdir(), 'roadmap-p4-'));
  const server = await startFakeModelServer({ latencyMs: 15 });
  const filename = join(directory, 'roadmap.db');
  const storage = createSqliteStorage({ filename });
  try {
    const api = new RoadmapEngine({ storage, queue: createMemoryQueue(), model: createDemoModel(), worker: false });
    const taskIds: string[] = [];
    for (const goal of ['Learn Rust for P4', 'Learn Go for P4', 'Learn SQL for P4']) {
      const { task } = await api.generate({
        userId: 'bench',
        request: { preferences: { learning_goal: goal, available_hours_per_week: 4 } },
      });
      taskIds.push(task.task_id);
    }
    const environment = {
      STORAGE: `sqlite:${filename}`,
      QUEUE: 'memory',
      MODEL_URL: server.url,
      LEASE_MS: '400',
      MAX_ATTEMPTS: '1000',
    };
    const random = seededRandom(seed);
    const perKill: { inFlight: number; repeated: number; repeatedStored: number }[] = [];
    const open: { inFlight: Set<string>; stored: Set<string>; after: number }[] = [];
    for (let kill = 0; kill < kills; kill += 1) {
      const worker = await startWorker(`p4-${kill}`, environment);
      const target = server.calls.length + 1 + Math.floor(random() * 5);
      await server.waitFor((calls) => calls.length >= target, 20_000);
      await killHard(worker);
      const stored = await storedIdentities(storage, await tasksOf(storage, taskIds));
      const mine = server.calls.filter((call) => call.worker === worker.name).map(callIdentity);
      open.push({
        inFlight: new Set(mine.filter((identity) => !stored.has(identity))),
        stored,
        after: server.calls.length,
      });
    }
    const final = await startWorker('p4-final', environment);
    const deadline = Date.now() + 60_000;
    while (!(await tasksOf(storage, taskIds)).every((task) => terminal.has(task.status))) {
      if (Date.now() > deadline) throw new Error('P4: tasks did not finish');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    final.kill('SIGTERM');
    await final.exited;
    // Calls repeated because of kill k are those its successor (the next process) made for kill k's in-flight work;
    // if the successor is killed too, what it had in flight is counted for that next kill.
    for (const [index, record] of open.entries()) {
      const until = open[index + 1]?.after ?? server.calls.length;
      const later = server.calls.slice(record.after, until).map(callIdentity);
      perKill.push({
        inFlight: record.inFlight.size,
        repeated: later.filter((identity) => record.inFlight.has(identity)).length,
        repeatedStored: server.calls
          .slice(record.after)
          .map(callIdentity)
          .filter((identity) => record.stored.has(identity)).length,
      });
    }
    return perKill;
  } finally {
    storage.close();
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P4',
    title: `model calls repeated after kill -9 (SQLite + worker process, ${kills} kills, seed ${seed})`,
    async run() {
      const perKill = await measure();
      const worst = perKill.reduce(
        (best, kill) => (kill.repeated > best.repeated ? kill : best),
        perKill[0] ?? { inFlight: 0, repeated: 0, repeatedStored: 0 },
      );
      const beyondBound = perKill.reduce((sum, kill) => sum + Math.max(0, kill.repeated - kill.inFlight), 0);
      const repeatedStored = perKill.reduce((sum, kill) => sum + kill.repeatedStored, 0);
      return {
        value: worst.repeated,
        unit: 'calls (max after one kill)',
        detail: {
          kills: perKill.length,
          in_flight_bound_of_that_kill: worst.inFlight,
          calls_over_bound: beyondBound,
          repeated_total: perKill.reduce((sum, kill) => sum + kill.repeated, 0),
          in_flight_total: perKill.reduce((sum, kill) => sum + kill.inFlight, 0),
          repeated_stored: repeatedStored,
        },
      };
    },
  },
];
