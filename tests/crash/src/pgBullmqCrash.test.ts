import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, type OwnRedisServer, startOwnRedis } from '../../../packages/bullmq/src/redisTestSupport.js';
import { auditCalls, eventually, inFlightAtKill, type KillRecord, storedIdentities, tasksOf } from './crashSupport.js';
import { type FakeModelServer, startFakeModelServer } from './fakeModelServer.js';
import {
  generate,
  type PgBullmqSetup,
  type PgBullmqSetupOptions,
  setUpPgBullmq,
  waitForTerminal,
} from './pgBullmqSetup.js';
import { seededRandom } from './processes.js';
import { servicesAvailable } from './services.js';

const services = await servicesAvailable();
const mustRun = process.env.CI === 'true';
if (!services.available && !mustRun) console.warn(`Skipping the PostgreSQL + BullMQ crash tests: ${services.reason}`);
const suite = services.available || mustRun ? describe : describe.skip;

const seed = Number(process.env.CRASH_SEED ?? 20261128);
const kills = Number(process.env.CRASH_KILLS ?? 50);

let server: FakeModelServer;
let current: PgBullmqSetup | undefined;
/** The Redis of the restart test: our own `redis-server`, never the machine's shared one. */
let ownRedis: OwnRedisServer | undefined;

function setUp(name: string, options: Omit<PgBullmqSetupOptions, 'name' | 'modelUrl'> = {}): Promise<PgBullmqSetup> {
  return setUpPgBullmq({ name, modelUrl: server.url, ...options });
}

suite('PostgreSQL + BullMQ, three worker processes', () => {
  beforeAll(async () => {
    if (!services.available) throw new Error(`CI=true and the servers are missing: ${services.reason}`);
    server = await startFakeModelServer({ latencyMs: 15 });
  });
  afterEach(async () => {
    server?.configure({});
    server?.setLatency(15);
    await current?.cleanup();
    current = undefined;
    await ownRedis?.stop();
    ownRedis = undefined;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it(`${kills} SIGKILLs of random workers at seeded points (seed ${seed}): nothing lost, nothing stored asked twice`, async () => {
    current = await setUp('kill', { workerEnvironment: { MAX_ATTEMPTS: '1000' } });
    const { storage, api, cluster } = current;
    const goals = Array.from({ length: 16 }, (_, index) => `Learn topic ${index + 1} for the crash test`);
    const callsBefore = server.calls.length;
    const taskIds = await generate(api, goals);
    await cluster.start(3);
    const random = seededRandom(seed);
    const records: KillRecord[] = [];
    const restarts: Promise<void>[] = [];
    for (let kill = 0; kill < kills; kill += 1) {
      const target = server.calls.length + 1 + Math.floor(random() * 4);
      await server
        .waitFor((calls) => calls.length >= target, 30_000)
        .catch(async (error: unknown) => {
          const now = Date.now();
          const states = (await tasksOf(storage, taskIds)).map(
            (task) =>
              `${task.status}/${task.current_step}/a${task.attempts}/${task.lease_token ? `lease${(task.lease_expires_at ?? 0) - now}` : 'free'}`,
          );
          throw new Error(
            `${String(error)}; kill ${kill}; workers ${cluster.names().join(',')}; tasks ${states.join(' ')}`,
          );
        });
      while (cluster.names().length === 0) await Promise.race(restarts);
      const names = cluster.names();
      const victim = names[Math.floor(random() * names.length)] as string;
      const process = cluster.workers.get(victim);
      await cluster.kill(victim);
      const storedItems = await storedIdentities(storage, await tasksOf(storage, taskIds));
      const inFlight = process ? inFlightAtKill(server.calls, process, storedItems) : 0;
      records.push({ atCall: server.calls.length - callsBefore, inFlight, storedItems });
      // Restarted in the background, as a process manager would, while the others keep working.
      restarts.push(cluster.restart(victim));
    }
    await Promise.all(restarts);
    await waitForTerminal(storage, taskIds);
    const tasks = await tasksOf(storage, taskIds);
    expect(tasks.map((task) => task.status)).toEqual(goals.map(() => 'completed'));
    for (const task of tasks) {
      expect((await storage.listItems(task.roadmap_id)).filter((item) => item.status !== 'completed')).toEqual([]);
    }
    const audit = auditCalls(server.calls.slice(callsBefore), records);
    console.log('postgres + bullmq crash audit', { kills: records.length, ...audit });
    expect(records).toHaveLength(kills);
    expect(audit.repeatedStored).toBe(0);
    expect(audit.extraCalls).toBeLessThanOrEqual(audit.inFlightAtKills);
  }, 300_000);

  it('a poison task that kills its worker on every start ends failed after a bounded number of starts; 20 others complete', async () => {
    // One task per process: a poison task then kills only itself (with more, its neighbours share its crashes).
    current = await setUp('poison', { workerEnvironment: { MAX_ATTEMPTS: '3', TASK_CONCURRENCY: '1' } });
    const { storage, api, cluster } = current;
    server.configure({ poisonGoals: ['Poison pill roadmap'] });
    const [poisonId, ...otherIds] = await generate(api, [
      'Poison pill roadmap',
      ...Array.from({ length: 20 }, (_, index) => `Learn healthy topic ${index + 1}`),
    ]);
    await cluster.start(3, { supervise: true });
    await waitForTerminal(storage, [poisonId as string, ...otherIds], 180_000);
    const poison = await storage.getTask(poisonId as string);
    expect(poison).toMatchObject({ status: 'failed' });
    expect(poison?.error_message).toMatch(/Gave up after 3 starts/);
    expect(poison?.attempts).toBe(4);
    const others = await tasksOf(storage, otherIds);
    expect(others.map((task) => task.status)).toEqual(otherIds.map(() => 'completed'));
    expect(cluster.unexpectedExits).toBe(3);
  }, 240_000);

  it('a cancel accepted by the API process aborts the holder’s in-flight calls through the broadcast', async () => {
    // Leases of a minute: the holder's first heartbeat (which would also see the cancel) is 20 s away, after the
    // awaited aborts' deadline, so only the cross-process cancel broadcast can abort the calls.
    current = await setUp('cancel', { workerEnvironment: { LEASE_MS: '60000' } });
    const { storage, api, cluster } = current;
    server.configure({ hangGoals: ['Hanging roadmap'] });
    await cluster.start(3);
    const [taskId] = await generate(api, ['Hanging roadmap']);
    const isMine = (call: { goal: string; operation: string }) =>
      call.goal === 'Hanging roadmap' && ['tutorial', 'resources', 'quiz'].includes(call.operation);
    await server.waitFor((calls) => calls.filter(isMine).length >= 3);
    const hanging = server.calls.filter(isMine);
    expect(hanging.every((call) => call.abandonedAt === undefined)).toBe(true);
    const cancelledAt = Date.now();
    await api.cancel(taskId as string, { reason: 'test' });
    // Evidence: the fake model server saw every hanging call's connection closed by its caller.
    await server.waitFor(() => hanging.every((call) => call.abandonedAt !== undefined), 10_000);
    const latency = Math.max(...hanging.map((call) => (call.abandonedAt as number) - cancelledAt));
    console.log('cross-process cancel latency (ms, not asserted)', latency);
    expect((await storage.getTask(taskId as string))?.status).toBe('cancelled');
  }, 60_000);

  it('SIGTERM mid-task: the worker releases its tasks at once and nothing is stuck after a restart', async () => {
    current = await setUp('sigterm');
    const { storage, api, cluster } = current;
    server.setLatency(200);
    await cluster.start(1);
    const taskIds = await generate(api, ['Learn Haskell gently', 'Learn Elixir gently']);
    await server.waitFor((calls) => calls.some((call) => call.operation === 'tutorial'));
    const [only] = cluster.names();
    expect(await cluster.terminate(only as string)).toBe(0);
    const afterStop = await tasksOf(storage, taskIds);
    for (const task of afterStop) {
      expect(task.lease_token).toBeNull(); // released at once, not left to expire
    }
    server.setLatency(15);
    await cluster.restart(only as string);
    await waitForTerminal(storage, taskIds);
    expect((await tasksOf(storage, taskIds)).map((task) => task.status)).toEqual(['completed', 'completed']);
  }, 120_000);

  it.skipIf(!hasRedisServer() && !mustRun)(
    'Redis (our own, without persistence) restarted mid-run: every task completes, no item is completed twice',
    async () => {
      ownRedis = await startOwnRedis();
      const redis = ownRedis;
      current = await setUp('redis', { redisUrl: redis.url, onError: () => {} });
      const { storage, api, cluster } = current;
      server.setLatency(50);
      await cluster.start(3);
      const taskIds = await generate(
        api,
        // More tasks than the 6 worker slots: some jobs are waiting in Redis when it goes down (it keeps nothing on
        // disk), so the recovery sweep has to requeue their pending tasks.
        Array.from({ length: 12 }, (_, index) => `Learn resilient topic ${index + 1}`),
      );
      await server.waitFor((calls) => calls.filter((call) => call.operation === 'tutorial').length >= 6);
      const workers = [...cluster.workers.values()];
      const outputAtStop = workers.map((worker) => worker.output().length);
      await redis.stop();
      const answeredAtStop = server.calls.filter((call) => call.answeredAt !== undefined).length;
      try {
        // Down until the outage has been felt and worked through: every worker reported losing Redis, and the
        // runs went on without it (10 more answers stored or in flight to storage).
        await eventually(
          async () =>
            workers.every((worker, index) => /ECONNREFUSED/.test(worker.output().slice(outputAtStop[index]))) &&
            server.calls.filter((call) => call.answeredAt !== undefined).length >= answeredAtStop + 10,
          { timeoutMs: 30_000, describe: () => workers.map((worker) => worker.output().slice(-300)).join('\n') },
        );
      } finally {
        await redis.start();
      }
      await waitForTerminal(storage, taskIds, 120_000);
      const tasks = await tasksOf(storage, taskIds);
      expect(tasks.map((task) => task.status)).toEqual(taskIds.map(() => 'completed'));
      for (const task of tasks) {
        const events = await storage.listEvents({ taskId: task.task_id });
        const completions = events.filter((event) => event.type === 'concept_complete');
        const identities = completions.map((event) => `${event.concept_id}:${event.content_type}`);
        expect(new Set(identities).size).toBe(identities.length);
        expect(identities.length).toBe((await storage.listItems(task.roadmap_id)).length);
      }
    },
    180_000,
  );
});
