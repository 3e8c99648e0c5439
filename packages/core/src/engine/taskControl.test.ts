import { afterEach, describe, expect, it } from 'vitest';
import type { RoadmapEvent } from '../domain/events.js';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import type { Storage } from '../storage/storage.js';
import { nextEvent, settle, terminalEvent } from '../testing/engineHelpers.js';
import { createManualClock, type ManualClock } from '../testing/manualClock.js';
import { createScriptedModel, type ScriptedModel, type ScriptRule } from '../testing/scriptedModel.js';
import { RoadmapEngine } from './engine.js';

const engines: RoadmapEngine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

const contentOperations = new Set(['tutorial', 'resources', 'quiz']);

interface Setup {
  clock?: ManualClock;
  storage?: Storage;
  script?: ScriptRule[];
  /** Holds content calls until released (a gate), so a test can act while they are in flight. */
  gateContent?: boolean;
}

function setup(options: Setup = {}) {
  const clock = options.clock ?? createManualClock();
  const storage = options.storage ?? createMemoryStorage({ now: clock.now });
  const gates: (() => void)[] = [];
  const model: ScriptedModel = createScriptedModel({
    clock,
    script: options.script ?? [],
    ...(options.gateContent
      ? {
          onCall: (call) =>
            contentOperations.has(call.operation) ? new Promise<void>((resolve) => gates.push(resolve)) : undefined,
        }
      : {}),
  });
  const engine = new RoadmapEngine({
    storage,
    queue: createMemoryQueue({ clock }),
    model,
    clock,
    concurrency: 2,
    covers: { autoGenerate: false },
    onError: (error) => {
      throw error;
    },
  });
  engines.push(engine);
  const events: RoadmapEvent[] = [];
  engine.subscribe((event) => events.push(event));
  const releaseGates = () => {
    for (const release of gates.splice(0)) release();
  };
  return { engine, model, clock, storage, events, releaseGates };
}

const learn = (goal: string, extra: Record<string, unknown> = {}) => ({
  preferences: { learning_goal: goal },
  ...extra,
});

const contentCalls = (model: ScriptedModel) => model.calls.filter((call) => contentOperations.has(call.operation));

describe('human review (SPEC §7)', () => {
  it('stops after structure validation holding nothing, shows the proposal, and generates content once approved', async () => {
    const { engine, model, storage, events } = setup();
    await engine.start();
    const requested = nextEvent(engine, 'review_requested');
    const { task } = await engine.generate({
      userId: 'u1',
      request: learn('Learn Rust', { review_before_content: true }),
    });
    expect(await requested).toMatchObject({ round: 1, roadmap_id: task.roadmap_id });

    const waiting = await storage.getTask(task.task_id);
    expect(waiting).toMatchObject({ status: 'human_review_pending', current_step: 'human_review', review_round: 1 });
    expect(waiting?.lease_token).toBeNull();
    expect(contentCalls(model)).toHaveLength(0);
    expect(await storage.getRoadmap(task.roadmap_id)).toBeNull();
    const review = await engine.getReview(task.task_id, { userId: 'u1' });
    expect(review).toMatchObject({ task_id: task.task_id, round: 1, max_rounds: 5 });
    expect(review.proposal.stages.length).toBeGreaterThan(0);
    await expect(engine.getReview(task.task_id, { userId: 'u2' })).rejects.toMatchObject({ code: 'forbidden' });

    const frameworkCalls = model.calls.length;
    await engine.review(task.task_id, { userId: 'u1', approved: true });
    const terminal = await terminalEvent(engine, task.task_id);
    expect(terminal).toMatchObject({ type: 'completed', status: 'completed' });
    // Nothing of the design was asked again; the roadmap is the approved proposal.
    expect(model.calls.slice(frameworkCalls).every((call) => contentOperations.has(call.operation))).toBe(true);
    const roadmap = await storage.getRoadmap(task.roadmap_id);
    expect(roadmap?.stages.map((stage) => stage.name)).toEqual(review.proposal.stages.map((stage) => stage.name));
    expect(events.filter((event) => event.type === 'task_recovering')).toEqual([]);
    expect(events.find((event) => event.type === 'review_submitted')).toMatchObject({
      approved: true,
      feedback: null,
      round: 1,
    });
  });

  it('applies feedback as a checkpointed edit and asks again; the approved edit is the roadmap', async () => {
    const { engine, model, storage } = setup();
    await engine.start();
    let requested = nextEvent(engine, 'review_requested');
    const { task } = await engine.generate({
      userId: 'u1',
      request: learn('Learn Go', { review_before_content: true }),
    });
    await requested;
    requested = nextEvent(engine, 'review_requested');
    await engine.review(task.task_id, { userId: 'u1', approved: false, feedback: 'More hands-on projects' });
    expect(await requested).toMatchObject({ round: 2 });

    const edits = model.calls.filter((call) => call.operation === 'roadmap_edit');
    expect(edits).toHaveLength(1);
    expect(JSON.stringify(edits[0]?.request.input.issues)).toContain('More hands-on projects');
    const review = await engine.getReview(task.task_id, { userId: 'u1' });
    expect(review.round).toBe(2);
    expect(review.proposal.stages[0]?.description).toContain('More hands-on projects');
    expect(await storage.getTask(task.task_id)).toMatchObject({ status: 'human_review_pending', review_round: 2 });

    await engine.review(task.task_id, { userId: 'u1', approved: true });
    await terminalEvent(engine, task.task_id);
    expect((await storage.getRoadmap(task.roadmap_id))?.stages[0]?.description).toContain('More hands-on projects');
    expect(model.calls.filter((call) => call.operation === 'roadmap_edit')).toHaveLength(1);
  });

  it('survives a restart while waiting: a new engine on the same storage finishes it without repeating the design', async () => {
    const clock = createManualClock();
    const storage = createMemoryStorage({ now: clock.now });
    const first = setup({ clock, storage });
    await first.engine.start();
    const requested = nextEvent(first.engine, 'review_requested');
    const { task } = await first.engine.generate({
      userId: 'u1',
      request: learn('Learn SQL', { review_before_content: true }),
    });
    await requested;
    await first.engine.stop();

    const second = setup({ clock, storage });
    await second.engine.start();
    await second.engine.review(task.task_id, { userId: 'u1', approved: true });
    expect(await terminalEvent(second.engine, task.task_id)).toMatchObject({ type: 'completed' });
    expect(second.model.calls.every((call) => contentOperations.has(call.operation))).toBe(true);
  });

  it('a task in review can be cancelled; answering it afterwards is refused', async () => {
    const { engine, events } = setup();
    await engine.start();
    const requested = nextEvent(engine, 'review_requested');
    const { task } = await engine.generate({
      userId: 'u1',
      request: learn('Learn C', { review_before_content: true }),
    });
    await requested;
    const cancelled = await engine.cancel(task.task_id, { userId: 'u1' });
    expect(cancelled.previousStatus).toBe('human_review_pending');
    await expect(engine.review(task.task_id, { userId: 'u1', approved: true })).rejects.toMatchObject({
      code: 'task_not_in_review',
    });
    await settle();
    expect(events.filter((event) => event.type === 'cancelled')).toHaveLength(1);
    expect((await engine.getTask(task.task_id))?.status).toBe('cancelled');
  });

  it('refuses changes without feedback, feedback over 2,000 characters, and a task not in review', async () => {
    const { engine } = setup();
    await engine.start();
    const requested = nextEvent(engine, 'review_requested');
    const { task } = await engine.generate({
      userId: 'u1',
      request: learn('Learn Zig', { review_before_content: true }),
    });
    await requested;
    await expect(engine.review(task.task_id, { userId: 'u1', approved: false })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(
      engine.review(task.task_id, { userId: 'u1', approved: false, feedback: 'x'.repeat(2001) }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(engine.review(task.task_id, { userId: 'u2', approved: true })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const plain = await engine.generate({ userId: 'u1', request: learn('Learn Lua') });
    await expect(engine.review(plain.task.task_id, { userId: 'u1', approved: true })).rejects.toMatchObject({
      code: 'task_not_in_review',
    });
  });

  it('after five rounds of changes the last edit is the roadmap, with no sixth review', async () => {
    const { engine, model } = setup();
    await engine.start();
    let requested = nextEvent(engine, 'review_requested');
    const { task } = await engine.generate({
      userId: 'u1',
      request: learn('Learn Elm', { review_before_content: true }),
    });
    for (let round = 1; round <= 5; round += 1) {
      expect(await requested).toMatchObject({ round });
      requested = nextEvent(engine, 'review_requested');
      await engine.review(task.task_id, { userId: 'u1', approved: false, feedback: `change ${round}` });
    }
    const terminal = await terminalEvent(engine, task.task_id);
    expect(terminal, JSON.stringify(terminal)).toMatchObject({ type: 'completed' });
    expect(model.calls.filter((call) => call.operation === 'roadmap_edit')).toHaveLength(5);
  });
});

describe('pause and resume (SPEC §7)', () => {
  it('pause: no call starts after the answer, calls in flight are stored, the lease is given up; resume repeats nothing', async () => {
    const { engine, model, storage, releaseGates } = setup({ gateContent: true });
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learn('Learn Rust') });
    await model.waitForCalls(6, { when: (request) => contentOperations.has(request.operation) });
    const inFlight = contentCalls(model).length;

    const paused = await engine.pause(task.task_id, { userId: 'u1' });
    expect(paused).toMatchObject({ previousStatus: 'processing', task: { status: 'paused', pause_reason: 'user' } });
    const callsAtPause = model.calls.length;
    releaseGates();
    await settle(30);
    expect(model.calls.length).toBe(callsAtPause);
    const stored = (await storage.listItems(task.roadmap_id)).filter((item) => item.status === 'completed');
    expect(stored).toHaveLength(inFlight);
    const held = await storage.getTask(task.task_id);
    expect(held).toMatchObject({ status: 'paused', lease_token: null });

    const resumed = await engine.resume(task.task_id, { userId: 'u1' });
    expect(resumed.task.status).toBe('pending');
    const done = terminalEvent(engine, task.task_id);
    for (let round = 0; round < 40 && !(await isFinished(storage, task.task_id)); round += 1) {
      releaseGates();
      await settle(5);
    }
    expect(await done).toMatchObject({ type: 'completed', status: 'completed' });
    // Every item asked exactly once: the stored ones were not asked again.
    const keys = contentCalls(model).map((call) => call.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe((await storage.listItems(task.roadmap_id)).length);
  });

  it('pause with abort_in_flight aborts the calls; resume asks those items again, once', async () => {
    const { engine, model, storage, events } = setup({ script: [{ hang: true, times: 6, when: isContent }] });
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learn('Learn Go') });
    await model.waitForCalls(6, { when: isContent });
    await engine.pause(task.task_id, { userId: 'u1', abortInFlight: true });
    await settle(20);
    expect(model.aborts).toHaveLength(6);
    expect(model.inFlight).toEqual([]);
    expect((await storage.listItems(task.roadmap_id)).every((item) => item.status === 'pending')).toBe(true);
    expect(events.find((event) => event.type === 'paused')).toMatchObject({ reason: 'user', abort_in_flight: true });

    await engine.resume(task.task_id, { userId: 'u1' });
    expect(await terminalEvent(engine, task.task_id)).toMatchObject({ type: 'completed', status: 'completed' });
    const items = await storage.listItems(task.roadmap_id);
    expect(contentCalls(model)).toHaveLength(items.length + 6);
    expect(events.filter((event) => event.type === 'resumed')).toHaveLength(1);
  });

  it('a pending task paused is never claimed until resumed; pausing twice answers the same and stores one event', async () => {
    const { engine, model, storage, events } = setup();
    const { task } = await engine.generate({ userId: 'u1', request: learn('Learn OCaml') });
    await engine.pause(task.task_id, { userId: 'u1' });
    expect(await engine.pause(task.task_id, { userId: 'u1' })).toMatchObject({ previousStatus: 'paused' });
    await engine.start();
    await settle(20);
    expect(model.calls).toHaveLength(0);
    expect((await storage.getTask(task.task_id))?.status).toBe('paused');
    expect(events.filter((event) => event.type === 'paused')).toHaveLength(1);
    await engine.resume(task.task_id, { userId: 'u1' });
    expect(await terminalEvent(engine, task.task_id)).toMatchObject({ type: 'completed' });
  });

  it('resume racing a second resume: one wins, the other is refused, one resumed event', async () => {
    const { engine, events } = setup();
    const { task } = await engine.generate({ userId: 'u1', request: learn('Learn Nim') });
    await engine.pause(task.task_id, { userId: 'u1' });
    const outcomes = await Promise.allSettled([
      engine.resume(task.task_id, { userId: 'u1' }),
      engine.resume(task.task_id, { userId: 'u1' }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'task_not_paused' });
    expect(events.filter((event) => event.type === 'resumed')).toHaveLength(1);
  });

  it('pause racing completion: exactly one of them wins, and the task ends with one terminal event', async () => {
    const { engine, model, storage, events, releaseGates } = setup({ gateContent: true });
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learn('Learn Dart') });
    const total = async () => (await storage.listItems(task.roadmap_id)).length;
    // Let every call but the last through, then release the last and pause at once.
    for (let round = 0; round < 60; round += 1) {
      const items = await storage.listItems(task.roadmap_id);
      const open = items.filter((item) => item.status !== 'completed').length;
      if (items.length > 0 && open <= 1 && model.inFlight.length === 1) break;
      releaseGates();
      await settle(3);
    }
    releaseGates();
    const pause = engine.pause(task.task_id, { userId: 'u1' }).then(
      () => 'paused',
      (error: { code?: string }) => error.code,
    );
    const outcome = await pause;
    await settle(20);
    if (outcome === 'paused') {
      expect((await storage.getTask(task.task_id))?.status).toBe('paused');
      await engine.resume(task.task_id, { userId: 'u1' });
    } else {
      expect(outcome).toBe('task_not_pausable');
    }
    expect(await terminalEvent(engine, task.task_id)).toMatchObject({ type: 'completed' });
    await settle(10);
    expect(events.filter((event) => event.type === 'completed')).toHaveLength(1);
    expect(contentCalls(model)).toHaveLength(await total());
  });

  it('refuses to pause a finished task and to resume one that is not paused; cancels a paused one', async () => {
    const { engine } = setup();
    const { task } = await engine.generate({ userId: 'u1', request: learn('Learn Ada') });
    await expect(engine.resume(task.task_id, { userId: 'u1' })).rejects.toMatchObject({ code: 'task_not_paused' });
    await engine.pause(task.task_id, { userId: 'u1' });
    await expect(engine.pause(task.task_id, { userId: 'u2' })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await engine.cancel(task.task_id, { userId: 'u1' })).previousStatus).toBe('paused');
    await expect(engine.pause(task.task_id, { userId: 'u1' })).rejects.toMatchObject({ code: 'task_not_pausable' });
  });
});

describe('cancel receipt (SPEC §7)', () => {
  it('the answer and the cancelled event say which calls were aborted, which items were kept, and the usage', async () => {
    const { engine, model, storage, events } = setup({ script: [{ hang: true, operation: 'quiz' }] });
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learn('Learn Rust') });
    // Two lanes: tutorials and resources of two concepts stored, both quizzes hang.
    await model.waitForCalls(2, { operation: 'quiz' });
    for (let turn = 0; turn < 50; turn += 1) {
      const items = await storage.listItems(task.roadmap_id);
      if (items.filter((item) => item.status === 'completed').length === 4) break;
      await settle(2);
    }
    const { receipt } = await engine.cancel(task.task_id, { userId: 'u1' });
    expect(receipt).toEqual({
      aborted_calls: 2,
      kept_items: 4,
      usage: {
        calls: model.calls.filter((call) => call.outcome === 'succeeded').length,
        input_tokens: expect.any(Number),
        output_tokens: expect.any(Number),
        cost_usd: null,
      },
    });
    expect(model.aborts).toHaveLength(2);
    const cancelled = events.find((event) => event.type === 'cancelled');
    expect(cancelled).toMatchObject(receipt);
  });
});

function isContent(request: { operation: string }): boolean {
  return contentOperations.has(request.operation);
}

async function isFinished(storage: Storage, taskId: string): Promise<boolean> {
  const task = await storage.getTask(taskId);
  return task?.status === 'completed' || task?.status === 'failed' || task?.status === 'partial_failure';
}

describe('regenerate one item with feedback (SPEC §7)', () => {
  it('asks only that item again with its previous content and the feedback; keeps and lists versions; restores', async () => {
    const { engine, model, storage, events } = setup();
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learn('Learn Rust') });
    await terminalEvent(engine, task.task_id);
    const items = await storage.listItems(task.roadmap_id);
    const target = items.find((item) => item.kind === 'tutorial') as (typeof items)[number];
    const others = items.filter((item) => item !== target).map((item) => JSON.stringify(item));
    const callsBefore = model.calls.length;
    const seqBefore = (await engine.listEvents({ taskId: task.task_id })).at(-1)?.seq ?? 0;

    const started = await engine.regenerateItem(task.roadmap_id, target.concept_id, 'tutorial', {
      userId: 'u1',
      feedback: 'More examples',
    });
    expect(started).toEqual({ taskId: task.task_id, version: 2 });
    expect(await terminalEvent(engine, task.task_id, seqBefore)).toMatchObject({ type: 'completed' });

    const asked = model.calls.slice(callsBefore);
    expect(asked.map((call) => call.key)).toEqual([`tutorial:${target.concept_id}`]);
    expect(asked[0]?.request.prompt).toContain('Feedback: More examples');
    expect(asked[0]?.request.input.revision?.previous).toEqual(target.content);
    const after = await storage.listItems(task.roadmap_id);
    const regenerated = after.find((item) => item.concept_id === target.concept_id && item.kind === 'tutorial');
    expect((regenerated?.content as { content: string } | undefined)?.content).toContain('> Revised: More examples');
    expect(after.filter((item) => item !== regenerated).map((item) => JSON.stringify(item))).toEqual(others);
    expect(events.find((event) => event.type === 'item_regenerated')).toMatchObject({
      concept_id: target.concept_id,
      content_type: 'tutorial',
      version: 2,
    });

    const versions = await engine.listItemVersions(task.roadmap_id, target.concept_id, 'tutorial', { userId: 'u1' });
    expect(versions.map(({ version, feedback, current }) => ({ version, feedback, current }))).toEqual([
      { version: 1, feedback: null, current: false },
      { version: 2, feedback: 'More examples', current: true },
    ]);
    expect(versions[0]?.content).toEqual(target.content);

    await engine.restoreItemVersion(task.roadmap_id, target.concept_id, 'tutorial', 1, { userId: 'u1' });
    const restored = (await storage.listItems(task.roadmap_id, target.concept_id)).find(
      (item) => item.kind === 'tutorial',
    );
    expect(restored?.content).toEqual(target.content);
    const listed = await engine.listItemVersions(task.roadmap_id, target.concept_id, 'tutorial');
    expect(listed.map((entry) => entry.current)).toEqual([true, false]);
    expect(model.calls.length).toBe(callsBefore + 1);
  });

  it('refuses while the task runs and once it was cancelled (a retry resumes it first)', async () => {
    const { engine, model, storage } = setup({ gateContent: true });
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learn('Learn Go') });
    await model.waitForCalls(1, { when: isContent });
    const [item] = await storage.listItems(task.roadmap_id);
    const conceptId = item?.concept_id as string;
    const regenerate = () =>
      engine.regenerateItem(task.roadmap_id, conceptId, 'tutorial', { userId: 'u1', feedback: 'Shorter' });
    await expect(regenerate()).rejects.toMatchObject({ code: 'item_not_retryable' });
    await engine.cancel(task.task_id, { userId: 'u1' });
    await expect(regenerate()).rejects.toMatchObject({ code: 'item_not_retryable' });
  });

  it('refuses blank or oversized feedback, another user, and an unknown version of a finished task', async () => {
    const { engine, storage } = setup();
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learn('Learn Zig') });
    await terminalEvent(engine, task.task_id);
    const [item] = await storage.listItems(task.roadmap_id);
    const conceptId = item?.concept_id as string;
    const regenerate = (userId: string, feedback: string) =>
      engine.regenerateItem(task.roadmap_id, conceptId, 'tutorial', { userId, feedback });
    await expect(regenerate('u1', '  ')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(regenerate('u1', 'x'.repeat(2001))).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(regenerate('u2', 'Shorter')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      engine.restoreItemVersion(task.roadmap_id, conceptId, 'tutorial', 3, { userId: 'u1' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect((await storage.getTask(task.task_id))?.status).toBe('completed');
  });
});
