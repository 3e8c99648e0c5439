import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { hasRedisServer, type OwnRedisServer, startOwnRedis } from '../../../packages/bullmq/src/redisTestSupport.js';
import {
  auditCalls,
  callIdentity,
  eventLogProblems,
  eventually,
  inFlightAtKill,
  type KillRecord,
  storedIdentities,
  tasksOf,
  terminal,
} from './crashSupport.js';
import { type FakeModelServer, startFakeModelServer } from './fakeModelServer.js';
import { generate, type PgBullmqSetup, setUpPgBullmq, waitForTerminal } from './pgBullmqSetup.js';
import { seededRandom, type WorkerProcess } from './processes.js';
import { postgresUrl, servicesAvailable } from './services.js';

// The chaos run: PostgreSQL + BullMQ with three worker processes and 30 tasks, while workers are SIGKILLed (and
// restarted) at seeded points, the workers' PostgreSQL connections are terminated, and Redis (our own
// `redis-server` on a free port, with an append-only file, never the machine's shared one) is stopped for a while
// and started again on the same port with its data. Every fault is placed by the number of model calls served so
// far, from the seed, so a run is reproducible. At the end: every task terminal, no lost event (each task's log
// ends with one terminal event), no stored item asked of the model again; the figures are printed.

const services = await servicesAvailable();
const mustRun = process.env.CI === 'true';
const redisServer = hasRedisServer();
if (!(services.available && redisServer) && !mustRun) {
  console.warn(`Skipping the chaos run: ${services.reason || 'no redis-server on the PATH'}`);
}
const suite = (services.available && redisServer) || mustRun ? describe : describe.skip;

const seed = Number(process.env.CHAOS_SEED ?? 20261204);
const taskCount = Number(process.env.CHAOS_TASKS ?? 30);
const workerCount = 3;
const killCount = Number(process.env.CHAOS_KILLS ?? 12);
const postgresKillRounds = Number(process.env.CHAOS_POSTGRES_KILLS ?? 4);
/** How long Redis stays down: the outage itself, a real duration. */
const redisOutageMs = Number(process.env.CHAOS_REDIS_OUTAGE_MS ?? 10_000);
const conceptsPerRoadmap = 4;
/** Every fifth goal's curriculum is rejected once by the review, so some runs go through `roadmap_edit` too. */
const editEvery = 5;

type Fault = { atCall: number; kind: 'kill' | 'postgres' | 'redis' };

/** Fault points, by the number of model calls served, spread over the run's expected calls. */
function planFaults(random: () => number, expectedCalls: number): Fault[] {
  const at = (from: number, to: number) => Math.floor(expectedCalls * (from + random() * (to - from)));
  const faults: Fault[] = [
    ...Array.from({ length: killCount }, () => ({ atCall: at(0.05, 0.85), kind: 'kill' as const })),
    ...Array.from({ length: postgresKillRounds }, () => ({ atCall: at(0.1, 0.8), kind: 'postgres' as const })),
    { atCall: at(0.3, 0.5), kind: 'redis' },
  ];
  return faults.sort((left, right) => left.atCall - right.atCall);
}

const pad = (label: string) => label.padEnd(30);

let server: FakeModelServer | undefined;
let redis: OwnRedisServer | undefined;
let setup: PgBullmqSetup | undefined;
let redisDirectory: string | undefined;
let outage: Promise<void> = Promise.resolve();
const adminPool = new pg.Pool({ connectionString: postgresUrl, max: 1 });

suite('chaos run: PostgreSQL + BullMQ, 3 workers, SIGKILLs, killed connections, a Redis outage', () => {
  afterAll(async () => {
    await outage.catch(() => undefined);
    await setup?.cleanup();
    await redis?.stop();
    await server?.close();
    await adminPool.end();
    if (redisDirectory) rmSync(redisDirectory, { recursive: true, force: true });
  }, 60_000);

  it(`${taskCount} tasks, ${killCount} SIGKILLs, ${postgresKillRounds} rounds of killed PostgreSQL connections, Redis down ${redisOutageMs} ms (seed ${seed}): every task terminal, no lost event, nothing stored asked again`, async () => {
    if (!services.available) throw new Error(`CI=true and the servers are missing: ${services.reason}`);
    const random = seededRandom(seed);
    const goals = Array.from({ length: taskCount }, (_, index) => `Learn chaos topic ${index + 1}`);
    const edited = goals.filter((_, index) => index % editEvery === 0);
    server = await startFakeModelServer({
      latencyMs: 10,
      conceptsPerRoadmap,
      rejectedReviewRounds: Object.fromEntries(edited.map((goal) => [goal, 1])),
    });
    const model = server;
    redisDirectory = mkdtempSync(join(tmpdir(), 'roadmap-chaos-redis-'));
    redis = await startOwnRedis({ directory: redisDirectory });
    const ownRedis = redis;
    const applicationName = `roadmap-chaos-${process.pid}-${seed}`;
    setup = await setUpPgBullmq({
      name: 'chaos',
      modelUrl: model.url,
      redisUrl: ownRedis.url,
      workerApplicationName: applicationName,
      workerEnvironment: { MAX_ATTEMPTS: '1000' },
      onError: () => {}, // the API process sees the Redis outage too; its errors are expected
    });
    const { storage, api, cluster } = setup;

    const records: KillRecord[] = [];
    let taskIds: string[] = [];
    /** Records what storage holds now: any later call for it is a stored item asked again. */
    const snapshot = async (killed?: WorkerProcess) => {
      const stored = await storedIdentities(storage, await tasksOf(storage, taskIds));
      const inFlight = killed
        ? inFlightAtKill(model.calls, killed, stored)
        : new Set(
            model
              .inFlight()
              .map(callIdentity)
              .filter((identity) => !stored.has(identity)),
          ).size;
      records.push({ atCall: model.calls.length, inFlight, storedItems: stored });
    };

    const restarts = new Set<Promise<void>>();
    let failedStarts = 0;
    /** Starts a killed worker again, as a process manager would; a start during the outage may fail, then waits. */
    const restart = (name: string) => {
      const restarted = (async () => {
        for (let attempt = 1; ; attempt += 1) {
          try {
            await cluster.restart(name);
            return;
          } catch (error) {
            failedStarts += 1;
            if (attempt >= 5) throw error;
            await outage;
          }
        }
      })();
      restarts.add(restarted);
      void restarted.finally(() => restarts.delete(restarted)).catch(() => undefined);
    };

    let kills = 0;
    const kill = async () => {
      await eventually(async () => cluster.names().length > 0, { timeoutMs: 60_000 });
      const names = cluster.names();
      const victim = cluster.workers.get(names[Math.floor(random() * names.length)] as string) as WorkerProcess;
      await cluster.kill(victim.name);
      kills += 1;
      await snapshot(victim);
      restart(victim.name);
    };

    let connectionsKilled = 0;
    let postgresRounds = 0;
    const killPostgresConnections = async () => {
      // Only this run's workers' connections (by their application_name), never another session.
      const result = await adminPool.query<{ terminated: boolean }>(
        `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`,
        [applicationName],
      );
      connectionsKilled += result.rows.filter((row) => row.terminated).length;
      postgresRounds += 1;
      await snapshot();
    };

    let redisDowntimeMs = 0;
    let answeredDuringOutage = 0;
    const stopRedis = () => {
      outage = (async () => {
        const stoppedAt = Date.now();
        await ownRedis.stop();
        const answeredAtStop = model.calls.filter((call) => call.answeredAt !== undefined).length;
        await snapshot();
        await new Promise((resolve) => setTimeout(resolve, redisOutageMs));
        answeredDuringOutage = model.calls.filter((call) => call.answeredAt !== undefined).length - answeredAtStop;
        await ownRedis.start();
        redisDowntimeMs = Date.now() - stoppedAt;
        await snapshot();
      })();
    };

    const startedAt = Date.now();
    taskIds = await generate(api, goals);
    await cluster.start(workerCount, { supervise: true });
    const expectedCalls = taskCount * (3 + 3 * conceptsPerRoadmap) + edited.length * 2;
    const faults = planFaults(random, expectedCalls);
    for (const fault of faults) {
      await model.waitFor((calls) => calls.length >= fault.atCall, 60_000);
      if (fault.kind === 'kill') await kill();
      else if (fault.kind === 'postgres') await killPostgresConnections();
      else stopRedis();
    }
    await outage;
    await Promise.all(restarts);
    await waitForTerminal(storage, taskIds, 120_000);
    const wallTimeMs = Date.now() - startedAt;

    const tasks = await tasksOf(storage, taskIds);
    const statuses = new Map<string, number>();
    for (const task of tasks) statuses.set(task.status, (statuses.get(task.status) ?? 0) + 1);
    const lostEvents: string[] = [];
    for (const task of tasks) {
      for (const problem of await eventLogProblems(storage, task)) lostEvents.push(`${task.task_id}: ${problem}`);
    }
    const audit = auditCalls(model.calls, records);
    const terminalCount = tasks.filter((task) => terminal.has(task.status)).length;
    console.log(
      [
        `chaos run (seed ${seed}): ${workerCount} workers, ${taskCount} tasks of ${conceptsPerRoadmap} concepts, ${edited.length} through roadmap_edit`,
        `${pad('tasks terminal')}${terminalCount}/${taskCount} (${[...statuses].map(([status, count]) => `${status} ${count}`).join(', ')})`,
        `${pad('lost events')}${lostEvents.length}`,
        `${pad('stored items regenerated')}${audit.repeatedStored}`,
        `${pad('SIGKILLs')}${kills} (failed restarts ${failedStarts}, unexpected exits ${cluster.unexpectedExits})`,
        `${pad('PostgreSQL connections killed')}${connectionsKilled} in ${postgresRounds} rounds`,
        `${pad('Redis downtime')}${redisDowntimeMs} ms (${answeredDuringOutage} model answers meanwhile)`,
        `${pad('model calls')}${audit.calls} (${audit.unique} distinct, ${audit.extraCalls} asked again; ${audit.inFlightAtKills} in flight at the faults)`,
        `${pad('wall time')}${(wallTimeMs / 1000).toFixed(1)} s`,
        ...lostEvents.map((problem) => `  lost: ${problem}`),
        ...cluster.deaths.map((death) => `  ${death.name} died on its own (${death.code}):\n${death.output}`),
      ].join('\n'),
    );
    expect(terminalCount).toBe(taskCount);
    expect(tasks.map((task) => task.status)).toEqual(taskIds.map(() => 'completed'));
    expect(lostEvents).toEqual([]);
    expect(audit.repeatedStored).toBe(0);
    expect(kills).toBe(killCount);
    expect(postgresRounds).toBe(postgresKillRounds);
    expect(connectionsKilled).toBeGreaterThan(0);
    expect(redisDowntimeMs).toBeGreaterThanOrEqual(redisOutageMs);
    expect(cluster.unexpectedExits).toBe(0);
  }, 300_000);
});
