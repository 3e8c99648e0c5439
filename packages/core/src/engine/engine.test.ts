import { afterEach, describe, expect, it } from 'vitest';
import type { RoadmapEvent } from '../domain/events.js';
import { contentKinds } from '../domain/schemas.js';
import { RoadmapError } from '../shared/errors.js';
import { createWorld, latestSeq, learnGo, settle, terminalEvent, type World } from '../testing/engineTestSupport.js';

let world: World;
afterEach(async () => {
  await world?.stopAll();
});

async function conceptCount(taskRoadmapId: string): Promise<number> {
  const items = await world.storage.listItems(taskRoadmapId);
  return items.length / 3;
}

describe('RoadmapEngine: a task from generate to completed', () => {
  it('runs every step once, stores every item, and reports progress and events in order', async () => {
    world = createWorld();
    const model = world.model();
    const engine = await world.engine(model);
    const events: RoadmapEvent[] = [];
    engine.subscribe((event) => events.push(event));
    const { task, created } = await engine.generate({ userId: 'u1', request: learnGo });
    expect(created).toBe(true);
    expect(task.status).toBe('pending');
    expect(task.roadmap_id).toMatch(/^learn-go-for-backend-services-[0-9a-f]{8}$/);
    const done = await terminalEvent(engine, task.task_id);
    expect(done.type).toBe('completed');

    const stored = await engine.getTask(task.task_id);
    const concepts = await conceptCount(task.roadmap_id);
    expect(concepts).toBeGreaterThan(5);
    expect(stored).toMatchObject({
      status: 'completed',
      current_step: 'completed',
      progress: { completed: concepts * 3, failed: 0, total: concepts * 3, percentage: 100 },
      error_message: null,
      attempts: 1,
    });
    expect(stored?.completed_at).not.toBeNull();
    expect(model.callCount({ operation: 'intent_analysis' })).toBe(1);
    expect(model.callCount({ operation: 'curriculum_design' })).toBe(1);
    expect(model.callCount({ operation: 'structure_review' })).toBe(1);
    expect(model.callCount({ operation: 'roadmap_edit' })).toBe(0);
    for (const kind of contentKinds) expect(model.callCount({ operation: kind })).toBe(concepts);

    const steps = events.filter((event) => event.type === 'progress').map((event) => event.step);
    expect(steps).toEqual([
      'queued',
      'intent_analysis',
      'curriculum_design',
      'structure_validation',
      'content_generation',
    ]);
    const seqs = events.map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(events.filter((event) => event.type === 'concept_complete')).toHaveLength(concepts * 3);
    expect(await engine.listEvents({ taskId: task.task_id })).toEqual(events);

    const roadmap = await engine.getRoadmap(task.roadmap_id, { userId: 'u1' });
    expect(roadmap?.stages[0]?.stage_id).toBe('s1');
    expect(roadmap?.stages[0]?.modules[0]?.concepts[0]).toMatchObject({
      concept_id: 's1-m1-c1',
      tutorial_status: 'completed',
      resources_status: 'completed',
      quiz_status: 'completed',
    });
    const detail = await engine.getConcept(task.roadmap_id, 's1-m1-c1', { userId: 'u1' });
    expect(detail?.tutorial?.content).toContain('```mermaid');
    expect(detail?.resources?.length).toBeGreaterThanOrEqual(5);
    expect(detail?.quiz?.length).toBeGreaterThanOrEqual(5);
    const page = await engine.listRoadmaps('u1');
    expect(page.next_cursor).toBeNull();
    expect(page.roadmaps[0]).toMatchObject({
      roadmap_id: task.roadmap_id,
      total_concepts: concepts,
      completed_concepts: concepts,
      task_id: task.task_id,
      task_status: 'completed',
    });
  });

  it('rejects invalid requests with field errors and stores nothing', async () => {
    world = createWorld();
    const engine = await world.engine(world.model());
    const attempt = engine.generate({
      userId: 'u1',
      request: { preferences: { learning_goal: 'x', current_level: 'guru' } } as never,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'invalid_input' });
    const error = await attempt.catch((caught: unknown) => caught);
    expect(RoadmapError.isInstance(error) && error.errors.map((entry) => entry.path)).toEqual([
      'preferences.learning_goal',
      'preferences.current_level',
    ]);
    expect((await engine.listTasks()).total).toBe(0);
  });

  it('enforces ownership on every read and command', async () => {
    world = createWorld();
    const engine = await world.engine(world.model());
    const { task } = await engine.generate({ userId: 'owner', request: learnGo });
    await terminalEvent(engine, task.task_id);
    const other = { userId: 'intruder' };
    await expect(engine.getTask(task.task_id, other)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(engine.getRoadmap(task.roadmap_id, other)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(engine.getConcept(task.roadmap_id, 's1-m1-c1', other)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(engine.cancel(task.task_id, other)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(engine.retry(task.task_id, other)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(engine.retryItem(task.roadmap_id, 's1-m1-c1', 'quiz', other)).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect((await engine.listTasks({ userId: 'intruder' })).total).toBe(0);
    expect(await engine.listRoadmaps('intruder')).toEqual({ roadmaps: [], next_cursor: null });
  });
});

describe('idempotency', () => {
  it('100 concurrent generate calls with one key create exactly one task', async () => {
    world = createWorld();
    const engine = await world.engine(world.model(), { worker: false });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => engine.generate({ userId: 'u1', request: learnGo, idempotencyKey: 'key-1' })),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.task.task_id)).size).toBe(1);
    expect((await engine.listTasks({ userId: 'u1' })).total).toBe(1);
    expect(await engine.listEvents({ userId: 'u1' })).toHaveLength(1);
    const otherUser = await engine.generate({ userId: 'u2', request: learnGo, idempotencyKey: 'key-1' });
    expect(otherUser.created).toBe(true);
  });
});

describe('cancellation', () => {
  it('aborts every in-flight call, starts none after cancel resolves, keeps what was stored', async () => {
    world = createWorld();
    const model = world.model({ script: [{ operation: 'quiz', hang: true }] });
    const engine = await world.engine(model);
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await model.waitForCalls(2, { operation: 'quiz' });
    await settle();
    const inFlight = [...model.inFlight];
    expect(inFlight.length).toBeGreaterThanOrEqual(2);
    const callsBefore = model.calls.length;

    const result = await engine.cancel(task.task_id, { userId: 'u1', reason: 'changed my mind' });
    expect(result.previousStatus).toBe('processing');
    expect([...model.aborts].sort()).toEqual([...inFlight].sort());
    const callsAtCancel = model.calls.length;
    expect(callsAtCancel).toBe(callsBefore);
    await settle(20);
    await world.clock.advance(60_000);
    expect(model.calls.length).toBe(callsAtCancel);

    const stored = await engine.getTask(task.task_id);
    expect(stored).toMatchObject({ status: 'cancelled', current_step: 'cancelled', cancel_reason: 'changed my mind' });
    const items = await world.storage.listItems(task.roadmap_id);
    expect(items.filter((item) => item.status === 'completed').length).toBeGreaterThan(0);
    const terminal = (await engine.listEvents({ taskId: task.task_id })).filter((event) =>
      ['completed', 'failed', 'cancelled'].includes(event.type),
    );
    expect(terminal).toEqual([
      expect.objectContaining({ type: 'cancelled', reason: 'changed my mind', previous_status: 'processing' }),
    ]);
  });

  it('cancels a pending task before any worker touches it', async () => {
    world = createWorld();
    const model = world.model();
    const api = await world.engine(model, { worker: false });
    const { task } = await api.generate({ userId: 'u1', request: learnGo });
    const result = await api.cancel(task.task_id, { userId: 'u1' });
    expect(result.previousStatus).toBe('pending');
    const worker = await world.engine(model);
    await settle(10);
    expect(model.calls).toHaveLength(0);
    expect((await worker.getTask(task.task_id))?.status).toBe('cancelled');
  });

  it('reaches the worker of another engine sharing storage and queue', async () => {
    world = createWorld();
    const model = world.model({ script: [{ operation: 'curriculum_design', hang: true }] });
    await world.engine(model);
    const api = await world.engine(world.model(), { worker: false });
    const { task } = await api.generate({ userId: 'u1', request: learnGo });
    await model.waitForCalls(1, { operation: 'curriculum_design' });
    await api.cancel(task.task_id, { userId: 'u1' });
    expect(model.aborts).toEqual(['curriculum_design']);
    expect(model.inFlight).toEqual([]);
  });

  it('refuses tasks that are not pending or processing, unknown tasks, and answers with clear codes', async () => {
    world = createWorld();
    const engine = await world.engine(world.model());
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);
    await expect(engine.cancel(task.task_id, { userId: 'u1' })).rejects.toMatchObject({ code: 'task_not_cancellable' });
    await expect(engine.cancel('00000000-0000-4000-8000-00000000dead')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('generating again with the same input after a cancel starts from scratch and leaves the old task alone', async () => {
    world = createWorld();
    const model = world.model({ script: [{ operation: 'tutorial', hang: true, times: 1 }] });
    const engine = await world.engine(model);
    const first = await engine.generate({ userId: 'u1', request: learnGo });
    await model.waitForCalls(1, { operation: 'tutorial' });
    await engine.cancel(first.task.task_id, { userId: 'u1' });
    const cancelledTask = await engine.getTask(first.task.task_id);
    const cancelledItems = await world.storage.listItems(first.task.roadmap_id);
    const callsBefore = model.callCount({ operation: 'intent_analysis' });

    const second = await engine.generate({ userId: 'u1', request: learnGo });
    expect(second.created).toBe(true);
    expect(second.task.task_id).not.toBe(first.task.task_id);
    expect(second.task.roadmap_id).not.toBe(first.task.roadmap_id);
    await terminalEvent(engine, second.task.task_id);
    expect(model.callCount({ operation: 'intent_analysis' })).toBe(callsBefore + 1);
    expect((await engine.getTask(second.task.task_id))?.status).toBe('completed');
    expect(await engine.getTask(first.task.task_id)).toEqual(cancelledTask);
    expect(await world.storage.listItems(first.task.roadmap_id)).toEqual(cancelledItems);
  });
});

describe('failures, retry and per-item retry', () => {
  // Retry after a partial failure and per-item retry: runEngineConformance's retry scenarios (memoryEngine.test.ts).

  it('fails the task when the failed share reaches the threshold', async () => {
    world = createWorld();
    const fatal = new RoadmapError('model_error', 'down');
    const model = world.model({
      script: [
        { operation: 'quiz', fail: fatal },
        { operation: 'resources', fail: fatal },
      ],
    });
    const engine = await world.engine(model);
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    const end = await terminalEvent(engine, task.task_id);
    expect(end).toMatchObject({ type: 'failed', step: 'content_generation' });
    expect(await engine.getTask(task.task_id)).toMatchObject({ status: 'failed', current_step: 'failed' });
  });

  it('re-asks once with feedback after output that fails the schema, then fails the item', async () => {
    world = createWorld();
    const model = world.model({
      script: [
        { key: 'intent_analysis', badJson: true, times: 1 },
        { key: 'tutorial:s1-m1-c1', invalid: true, times: 2 },
      ],
    });
    const engine = await world.engine(model);
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);
    const intentCalls = model.calls.filter((call) => call.key === 'intent_analysis');
    expect(intentCalls).toHaveLength(2);
    expect(intentCalls[1]?.request.feedback?.error).toMatch(/not valid JSON/);
    expect(model.callCount('tutorial:s1-m1-c1')).toBe(2);
    const [item] = (await world.storage.listItems(task.roadmap_id, 's1-m1-c1')).filter(
      (entry) => entry.kind === 'tutorial',
    );
    expect(item?.status).toBe('failed');
    expect(item?.error).toMatch(/does not match the schema/);
  });

  it('retries transient errors after the provider’s retry-after, on the injected clock', async () => {
    world = createWorld();
    const rateLimited = new RoadmapError('rate_limited', '429 Too Many Requests', {
      retryable: true,
      retryAfterMs: 5_000,
    });
    const model = world.model({ script: [{ key: 'intent_analysis', fail: rateLimited, times: 1 }] });
    const engine = await world.engine(model);
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    const done = terminalEvent(engine, task.task_id);
    await model.waitForCalls(1, 'intent_analysis');
    await settle();
    await world.clock.advance(4_999);
    expect(model.callCount('intent_analysis')).toBe(1);
    await world.clock.advance(1);
    await model.waitForCalls(2, 'intent_analysis');
    expect((await done).type).toBe('completed');
  });

  it('fails a framework step whose error is not transient, with the step in the event', async () => {
    world = createWorld();
    const model = world.model({
      script: [{ key: 'curriculum_design', fail: new RoadmapError('model_error', 'bad key') }],
    });
    const engine = await world.engine(model);
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    const end = await terminalEvent(engine, task.task_id);
    expect(end).toMatchObject({ type: 'failed', step: 'curriculum_design', error: 'bad key' });
  });

  it('repairs a structurally broken curriculum with an edit round, and gives up after three', async () => {
    world = createWorld();
    const broken = {
      title: 'Broken',
      recommended_completion_weeks: 4,
      stages: [{ name: 'Only', description: '', modules: [] }],
    };
    const model = world.model({ script: [{ operation: 'curriculum_design', respond: () => broken }] });
    const engine = await world.engine(model);
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    expect((await terminalEvent(engine, task.task_id)).type).toBe('completed');
    expect(model.callCount({ operation: 'roadmap_edit' })).toBe(1);
    expect(model.calls.find((call) => call.operation === 'roadmap_edit')?.request.input.issues?.[0]?.message).toMatch(
      /no modules/,
    );

    const stubborn = world.model({
      script: [
        { operation: 'curriculum_design', respond: () => broken },
        { operation: 'roadmap_edit', respond: () => broken },
      ],
    });
    const second = await world.engine(stubborn);
    await engine.stop();
    const next = await second.generate({ userId: 'u1', request: learnGo });
    const end = await terminalEvent(second, next.task.task_id);
    expect(end).toMatchObject({ type: 'failed', step: 'structure_validation' });
    expect(stubborn.callCount({ operation: 'roadmap_edit' })).toBe(3);
  });
});

describe('token usage', () => {
  it('records the usage every model call reported, per task, readable by its owner', async () => {
    world = createWorld();
    const model = world.model();
    const engine = await world.engine(model);
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);
    const usage = await engine.getUsage(task.task_id, { userId: 'u1' });
    const reported = model.calls.length;
    expect(usage.calls).toBe(reported);
    expect(usage.input_tokens).toBeGreaterThan(reported);
    expect(usage.output_tokens).toBeGreaterThan(reported);
    await expect(engine.getUsage(task.task_id, { userId: 'intruder' })).rejects.toMatchObject({ code: 'forbidden' });

    // A retry adds to what the first run used.
    const failing = world.model({
      script: [{ key: 'quiz:s1-m1-c1', fail: new RoadmapError('model_error', 'x'), times: 1 }],
    });
    const second = await world.engine(failing);
    await engine.stop();
    const next = await second.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(second, next.task.task_id);
    const before = await second.getUsage(next.task.task_id);
    const mark = await latestSeq(second, next.task.task_id);
    await second.retry(next.task.task_id);
    await terminalEvent(second, next.task.task_id, mark);
    const after = await second.getUsage(next.task.task_id);
    expect(after.calls).toBe(before.calls + 1); // the failed call reported nothing; its retry did
    expect(after.input_tokens).toBeGreaterThan(before.input_tokens);
    expect(failing.calls.length).toBe(before.calls + 2);
  });
});
