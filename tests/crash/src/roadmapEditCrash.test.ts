import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditCalls, inFlightAtKill, type KillRecord, storedIdentities, tasksOf } from './crashSupport.js';
import { type FakeModelServer, type ServedCall, startFakeModelServer } from './fakeModelServer.js';
import { generate, type PgBullmqSetup, setUpPgBullmq, waitForTerminal } from './pgBullmqSetup.js';
import { servicesAvailable } from './services.js';

// A worker SIGKILLed during structure validation's edit round (SPEC §2: every step checkpointed). The review of the
// designed curriculum rejects it once, so the pipeline asks `roadmap_edit`; the worker dies while that call is in
// flight, and again while the review of the edited curriculum is in flight. Each restart resumes from the
// checkpoints: only the call that was in flight is asked again.

const services = await servicesAvailable();
const mustRun = process.env.CI === 'true';
if (!services.available && !mustRun) console.warn(`Skipping the roadmap_edit crash test: ${services.reason}`);
const suite = services.available || mustRun ? describe : describe.skip;

const goal = 'Learn Rust after an edit';

let server: FakeModelServer;
let current: PgBullmqSetup | undefined;

suite('PostgreSQL + BullMQ, a worker killed during roadmap_edit', () => {
  beforeAll(async () => {
    if (!services.available) throw new Error(`CI=true and the servers are missing: ${services.reason}`);
    server = await startFakeModelServer({ latencyMs: 15 });
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('resumes the edit round from its checkpoints: nothing stored is asked again, the edited curriculum is kept', async () => {
    current = await setUpPgBullmq({ name: 'edit', modelUrl: server.url });
    const { storage, api, cluster } = current;
    const rejectedReviewRounds = { [goal]: 1 };
    const mine = (predicate: (call: ServedCall) => boolean) => (calls: ServedCall[]) =>
      calls.some((call) => call.goal === goal && predicate(call));
    const records: KillRecord[] = [];
    const [taskId] = await generate(api, [goal]);
    const task = async () => (await tasksOf(storage, [taskId as string]))[0];

    /** Waits until `key` is in flight (its answer held back), then SIGKILLs the worker and records what it left. */
    const killDuring = async (key: string) => {
      await server.waitFor(mine((call) => call.key === key && call.answeredAt === undefined));
      const [name] = cluster.names();
      const worker = cluster.workers.get(name as string);
      if (!worker) throw new Error('no worker to kill');
      await cluster.kill(worker.name);
      const storedItems = await storedIdentities(storage, await tasksOf(storage, [taskId as string]));
      records.push({
        atCall: server.calls.length,
        inFlight: inFlightAtKill(server.calls, worker, storedItems),
        storedItems,
      });
      // Gone with the process: the server saw the caller go away.
      await server.waitFor(mine((call) => call.key === key && call.abandonedAt !== undefined));
      return { name: worker.name, storedItems };
    };

    // 1. Killed while the edit of round 1 is in flight: intent, curriculum and the rejecting review are stored.
    server.configure({
      rejectedReviewRounds,
      hangCalls: (call) => call.goal === goal && call.key === 'roadmap_edit:1',
    });
    await cluster.start(1);
    const first = await killDuring('roadmap_edit:1');
    expect([...first.storedItems].sort()).toEqual(
      ['intent_analysis', 'curriculum_design', 'structure_review:0'].map((key) => `${goal}|${key}`).sort(),
    );
    expect((await task())?.current_step).toBe('roadmap_edit');

    // 2. Restarted, then killed while the review of the edited curriculum is in flight: the edit is stored now.
    server.configure({
      rejectedReviewRounds,
      hangCalls: (call) => call.goal === goal && call.key === 'structure_review:1',
    });
    await cluster.restart(first.name);
    const second = await killDuring('structure_review:1');
    expect(second.storedItems.has(`${goal}|roadmap_edit:1`)).toBe(true);

    // 3. Restarted with nothing held back: the task completes.
    server.configure({ rejectedReviewRounds });
    await cluster.restart(second.name);
    await waitForTerminal(storage, [taskId as string]);
    const finished = await task();
    expect(finished?.status).toBe('completed');

    const calls = server.calls.filter((call) => call.goal === goal);
    const asked = (key: string) => calls.filter((call) => call.key === key).length;
    // Each framework call asked once, except the two killed in flight (asked once more, after the restart).
    expect({
      intent: asked('intent_analysis'),
      curriculum: asked('curriculum_design'),
      review0: asked('structure_review:0'),
      edit1: asked('roadmap_edit:1'),
      review1: asked('structure_review:1'),
    }).toEqual({ intent: 1, curriculum: 1, review0: 1, edit1: 2, review1: 2 });
    const audit = auditCalls(server.calls, records);
    console.log('roadmap_edit crash audit', { kills: records.length, ...audit });
    expect(audit.repeatedStored).toBe(0);
    expect(audit.extraCalls).toBe(2);
    // The roadmap is the edited curriculum (the checkpointed edit's answer), with every item stored.
    const roadmap = await storage.getRoadmap(finished?.roadmap_id as string);
    expect(roadmap?.title).toMatch(/\[edit 1\]$/);
    const items = await storage.listItems(finished?.roadmap_id as string);
    expect(items.length).toBeGreaterThan(0);
    expect(items.filter((item) => item.status !== 'completed')).toEqual([]);
  }, 120_000);
});
