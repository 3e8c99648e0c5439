/**
 * Cancel racing completion (SPEC §2 "Cancellation": exactly one terminal status wins, exactly one terminal event is
 * emitted). A task is run until only its last content item(s) are in flight; then fast-check's scheduler decides
 * the order in which (a) the model answers those items, the worker stores them and compare-and-sets the outcome,
 * and (b) `engine.cancel()` starts and compare-and-sets `cancelled`, plus every event append of both sides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTerminalEvent, type RoadmapEvent } from '../domain/events.js';
import { type ContentKind, contentKinds } from '../domain/schemas.js';
import { isAllowedTransition, isTerminalStatus, type Task, type TaskStatus } from '../domain/task.js';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import type { Queue } from '../queue/queue.js';
import { RoadmapError } from '../shared/errors.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import type { Storage } from '../storage/storage.js';
import { respondWithOneConcept as respond } from '../testing/engine/oneConceptModel.js';
import { createManualClock, nextTurn } from '../testing/manualClock.js';
import { createScriptedModel } from '../testing/scriptedModel.js';
import { RoadmapEngine } from './engine.js';

/** Fixed so runs are reproducible; `FC_SEED=<n> FC_RUNS=<n>` explores other interleavings. */
const seed = Number(process.env.FC_SEED ?? 20_260_102);
const numRuns = Number(process.env.FC_RUNS ?? 1_500);

interface Scenario {
  /** Content items whose model answer is released by the scheduler (the others finish before the race). */
  racing: ContentKind[];
  /** Whether the quiz call answers or fails (a failed item is the last item finishing, as a failure). */
  quiz: 'answer' | 'fail';
  /** With a failed quiz (1 of 3 items), 0.5 gives `partial_failure` and 0.3 gives `failed`. */
  failureThreshold: number;
  /** Cancel through a second, API-only engine: the holder learns it from the queue broadcast. */
  remoteCancel: boolean;
  /** Scheduler steps the cancel waits before starting (the worker needs several steps to finish; without a head
   * start for it, cancel would nearly always win). */
  cancelDelay: number;
}

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  racing: fc.subarray([...contentKinds], { minLength: 1 }),
  quiz: fc.constantFrom('answer', 'fail'),
  failureThreshold: fc.constantFrom(0.5, 0.3),
  remoteCancel: fc.boolean(),
  cancelDelay: fc.nat({ max: 12 }),
});

function expectedOutcome(scenario: Scenario): TaskStatus {
  if (scenario.quiz === 'answer') return 'completed';
  return 1 / 3 >= scenario.failureThreshold ? 'failed' : 'partial_failure';
}

/**
 * Before each scheduled step, one turn of the event loop: the engine yields to it (`setImmediate`) after a model
 * call ends, so promise callbacks alone would never reach the worker's next storage write.
 */
async function betweenSteps(step: () => Promise<unknown>): Promise<void> {
  await nextTurn();
  await step();
}

/** Real-time guard so that a deadlock reports the scheduler's log instead of hanging the suite. */
function withDeadline<Value>(promise: Promise<Value>, explain: () => string): Promise<Value> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`race did not finish:\n${explain()}`)), 5_000);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function raceOnce(s: fc.Scheduler, scenario: Scenario): Promise<TaskStatus> {
  const clock = createManualClock();
  const inner = createMemoryStorage({ now: clock.now });
  let racing = false;
  /** While racing, a storage write starts only when the scheduler says so. */
  const gate = (label: string) => (racing ? s.schedule(Promise.resolve(), label) : Promise.resolve());
  const statuses: (TaskStatus | null)[] = [];
  /** The task's status right after each status-changing call (the memory storage applies changes synchronously). */
  const snap = (taskId: string) => {
    const slot = statuses.length;
    statuses.push(null);
    void inner.getTask(taskId).then((task) => {
      statuses[slot] = task?.status ?? null;
    });
  };
  const storage: Storage = {
    ...inner,
    createTask(...args) {
      const result = inner.createTask(...args);
      snap(args[0].task_id);
      return result;
    },
    acquireLease(...args) {
      const result = inner.acquireLease(...args);
      snap(args[0]);
      return result;
    },
    async transitionTask(...args) {
      const [taskId, change] = args;
      await gate(`transitionTask(→ ${change.to}${change.leaseToken ? ', fenced' : ''})`);
      const result = inner.transitionTask(...args);
      snap(taskId);
      return result;
    },
    async saveItem(...args) {
      await gate(`saveItem(${args[1].kind})`);
      return inner.saveItem(...args);
    },
    async setItemStatus(...args) {
      await gate(`setItemStatus(${args[1].kind} → ${args[2]})`);
      return inner.setItemStatus(...args);
    },
    async appendEvent(...args) {
      const [event] = args;
      await gate(`appendEvent(${event.type}${'content_type' in event ? ` ${event.content_type}` : ''})`);
      return inner.appendEvent(...args);
    },
  };

  let taskId = '';
  let markRunDone: () => void = () => {};
  const runDone = new Promise<void>((resolve) => {
    markRunDone = resolve;
  });
  const memoryQueue = createMemoryQueue({ clock });
  const queue: Queue = {
    ...memoryQueue,
    async release(job, options) {
      await memoryQueue.release(job, options);
      if (job.taskId === taskId) markRunDone(); // the worker's run of the task ended, whoever won
    },
  };

  const answers = new Map<ContentKind, () => void>();
  const model = createScriptedModel({
    clock,
    respond,
    script:
      scenario.quiz === 'fail'
        ? [{ operation: 'quiz', fail: () => new RoadmapError('model_error', 'scripted quiz failure') }]
        : [],
    onCall: (call) => {
      const kind = call.operation as ContentKind;
      if (!scenario.racing.includes(kind)) return;
      return new Promise<void>((resolve) => answers.set(kind, resolve));
    },
  });

  const errors: unknown[] = [];
  let final: TaskStatus | undefined;
  let ids = 0;
  const common = {
    storage,
    queue,
    model,
    clock,
    generateId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    failureThreshold: scenario.failureThreshold,
    // The race is between the task's outcome and its cancel; covers (coverService.test.ts) would only add work.
    covers: { autoGenerate: false },
    onError: (error: unknown) => errors.push(error),
  };
  const engine = new RoadmapEngine({ ...common, workerId: 'holder' });
  const api = new RoadmapEngine({ ...common, worker: false, workerId: 'api' });
  const emitted: RoadmapEvent[] = [];
  engine.subscribe((event) => emitted.push(event));
  api.subscribe((event) => emitted.push(event));

  try {
    await engine.start();
    await api.start();
    const { task } = await engine.generate({
      userId: 'u1',
      request: { preferences: { learning_goal: 'Learn racing' } },
    });
    taskId = task.task_id;

    // Run until the racing items are in flight and every other item is stored and announced (no time passes:
    // the model has no latency, and heartbeats are not due).
    const settledBeforeRace = async () => {
      const items = await inner.listItems(task.roadmap_id);
      const events = await inner.listEvents({ taskId });
      const announced = events.filter((event) => event.type === 'concept_complete' || event.type === 'concept_failed');
      return (
        answers.size === scenario.racing.length &&
        items.length === 3 &&
        items.every((item) =>
          scenario.racing.includes(item.kind) ? item.status === 'generating' : item.status !== 'generating',
        ) &&
        announced.length === 3 - scenario.racing.length
      );
    };
    for (let turn = 0; !(await settledBeforeRace()); turn += 1) {
      if (turn > 200) throw new Error('the task never reached its last content items');
      await nextTurn();
    }
    expect((await inner.getTask(taskId))?.status).toBe('processing');

    // The race: the scheduler orders the model answers, the start of cancel, and every gated storage write.
    racing = true;
    for (const kind of scenario.racing) {
      void s.schedule(Promise.resolve(), `model answers ${kind}`).then(() => answers.get(kind)?.());
    }
    const canceller = scenario.remoteCancel ? api : engine;
    let cancelStart = s.schedule(Promise.resolve(), 'cancel waits');
    for (let step = 1; step < scenario.cancelDelay; step += 1) {
      cancelStart = cancelStart.then(() => s.schedule(Promise.resolve(), 'cancel waits'));
    }
    const cancelled = cancelStart
      .then(() =>
        s.schedule(Promise.resolve(), `cancel starts (${scenario.remoteCancel ? 'api engine' : 'holder engine'})`),
      )
      .then(() => canceller.cancel(taskId, { userId: 'u1', reason: 'race' }))
      .then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    const [outcome] = await withDeadline(s.waitFor(Promise.all([cancelled, runDone])), () => String(s));
    racing = false;
    for (let turn = 0; turn < 3; turn += 1) await nextTurn();

    const stored = await inner.getTask(taskId);
    if (!stored) throw new Error('task vanished');
    const report = `\n${String(s)}`;

    // Exactly one terminal status: the run entered a terminal status once, through legal transitions only.
    const trace = statuses.filter((status): status is TaskStatus => status !== null);
    const distinct = trace.filter((status, index) => index === 0 || trace[index - 1] !== status);
    for (let index = 1; index < distinct.length; index += 1) {
      const from = distinct[index - 1] as TaskStatus;
      const to = distinct[index] as TaskStatus;
      expect(isAllowedTransition(from, to), `${from} → ${to} (${distinct.join(' → ')})${report}`).toBe(true);
    }
    expect(distinct.filter(isTerminalStatus), `${distinct.join(' → ')}${report}`).toEqual([stored.status]);
    expect(stored.lease_token, report).toBeNull();

    // cancel() resolved with the cancelled task, or refused because the worker's outcome won first.
    if (outcome.ok) {
      expect(stored.status, report).toBe('cancelled');
      expect(outcome.result.previousStatus, report).toBe('processing');
      expect((outcome.result.task as Task).status, report).toBe('cancelled');
      expect(stored.cancel_reason, report).toBe('race');
    } else {
      const { error } = outcome;
      expect(RoadmapError.isInstance(error) && error.code, `${String(error)}${report}`).toBe('task_not_cancellable');
      expect(stored.status, report).toBe(expectedOutcome(scenario));
    }

    // Exactly one terminal event in the log, matching the status; listeners got exactly that event, once.
    const log = await inner.listEvents({ taskId });
    const terminal = log.filter(isTerminalEvent);
    expect(
      terminal.map((event) => event.type),
      report,
    ).toEqual([stored.status === 'cancelled' ? 'cancelled' : stored.status === 'failed' ? 'failed' : 'completed']);
    const [only] = terminal;
    if (only?.type === 'completed') expect(only.status, report).toBe(stored.status);
    if (only?.type === 'cancelled') expect(only.previous_status, report).toBe('processing');
    const emittedTerminal = emitted.filter((event) => event.task_id === taskId && isTerminalEvent(event));
    expect(emittedTerminal, report).toEqual(terminal);
    const bySeq = (a: RoadmapEvent, b: RoadmapEvent) => a.seq - b.seq;
    expect([...emitted].sort(bySeq), report).toEqual(log);

    // The content agrees with the winner; nothing is left in flight.
    const items = await inner.listItems(task.roadmap_id);
    if (stored.status !== 'cancelled') {
      expect(items.map((item) => item.status).sort(), report).toEqual(
        scenario.quiz === 'fail' ? ['completed', 'completed', 'failed'] : ['completed', 'completed', 'completed'],
      );
      expect(stored.progress, report).toMatchObject({ total: 3, completed: scenario.quiz === 'fail' ? 2 : 3 });
    }
    expect(model.inFlight, report).toEqual([]);
    expect(errors, report).toEqual([]);
    final = stored.status;
  } finally {
    racing = false;
    await engine.stop();
    await api.stop();
    await queue.close();
  }
  expect(clock.pendingTimers(), 'timers left after stop').toBe(0);
  return final as TaskStatus;
}

describe('cancel racing completion (fast-check scheduler)', () => {
  it('exactly one terminal status and one terminal event, whatever the interleaving', async () => {
    const outcomes = new Map<TaskStatus, number>();
    await fc.assert(
      fc.asyncProperty(fc.scheduler({ act: betweenSteps }), scenarioArbitrary, async (s, scenario) => {
        const status = await raceOnce(s, scenario);
        outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
      }),
      { numRuns, seed },
    );
    // Each side won in many orderings, and every outcome raced: the property did not pass by never racing.
    for (const status of ['cancelled', 'completed', 'partial_failure', 'failed'] as const) {
      expect(outcomes.get(status) ?? 0, `${status} won ${outcomes.get(status) ?? 0} times`).toBeGreaterThan(
        numRuns / 20,
      );
    }
  }, 120_000);
});
