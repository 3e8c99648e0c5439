import { expect } from 'vitest';
import { isTerminalEvent, type RoadmapEvent } from '../../domain/events.js';
import { isTerminalStatus, type TaskStatus } from '../../domain/task.js';
import { RoadmapError } from '../../shared/errors.js';
import type { StatusChange } from '../../storage/taskStore.js';
import { nextTurn } from '../manualClock.js';
import { type ConformanceWorld, frameworkOperations, learnGo } from './conformanceWorld.js';
import type { EngineScenario, EngineScenarioGroup } from './engineScenario.js';
import { type ObservedCall, observeStorage } from './observedStorage.js';
import { respondWithOneConcept as respond } from './oneConceptModel.js';

/** When the cancel starts, relative to the quiz's answer (the last item) and the worker's final compare-and-set. */
type CancelMoment =
  /** The cancel resolves before the quiz answers: cancel must win. */
  | { kind: 'before the last answer' }
  /** The task completed before the cancel: cancel must be refused. */
  | { kind: 'after the terminal event' }
  /** The quiz answers, then `turns` event-loop turns pass, then the cancel starts: either may win. */
  | { kind: 'turns after the last answer'; turns: number }
  /** Every item is stored and the worker's compare-and-set to `completed` is held until the cancel resolved. */
  | { kind: 'while the final compare-and-set waits' }
  /** The cancel's compare-and-set is held until the worker's compare-and-set to `completed` succeeded. */
  | { kind: "while the cancel's compare-and-set waits" };

type Outcome = { ok: true; previousStatus: TaskStatus } | { ok: false; error: unknown };

/** A promise that settles when `release` is called. */
function createGate() {
  let release: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

const changeOf = (call: ObservedCall) => call.args[1] as StatusChange | undefined;

async function raceOnce(world: ConformanceWorld, moment: CancelMoment, from: 'holder' | 'api'): Promise<void> {
  let taskId = '';
  const held = new Map<string, () => void>();
  const model = world.model({
    respond,
    onCall: (call) =>
      frameworkOperations.includes(call.operation)
        ? undefined
        : new Promise<void>((resolve) => held.set(call.operation, resolve)),
  });
  /** The worker's compare-and-set into its outcome (fenced), and the cancel's (not fenced). */
  const isFinish = (call: ObservedCall) =>
    call.method === 'transitionTask' &&
    call.args[0] === taskId &&
    changeOf(call)?.leaseToken !== undefined &&
    isTerminalStatus(changeOf(call)?.to ?? 'pending');
  const isCancel = (call: ObservedCall) =>
    call.method === 'transitionTask' &&
    call.args[0] === taskId &&
    changeOf(call)?.leaseToken === undefined &&
    changeOf(call)?.to === 'cancelled';
  const finishGate = createGate();
  const cancelGate = createGate();
  const observed = observeStorage(world.storage, {
    before: (call) => {
      if (moment.kind === 'while the final compare-and-set waits' && isFinish(call)) return finishGate.promise;
      if (moment.kind === "while the cancel's compare-and-set waits" && isCancel(call)) return cancelGate.promise;
      return undefined;
    },
  });
  const holder = await world.engine(model, { storage: observed.storage, workerId: 'holder' });
  const api = await world.engine(world.model(), { storage: observed.storage, worker: false, workerId: 'api' });
  const emitted: RoadmapEvent[] = [];
  for (const engine of [holder, api]) engine.subscribe((event) => emitted.push(event));
  const { task } = await holder.generate({ userId: 'u1', request: learnGo });
  taskId = task.task_id;

  await world.waitUntil('the three content calls are held', () => held.size === 3);
  held.get('tutorial')?.();
  held.get('resources')?.();
  await world.waitUntil('the tutorial and resources are stored and announced, the quiz is generating', async () => {
    const events = await world.storage.listEvents({ taskId });
    const items = await world.storage.listItems(task.roadmap_id);
    return (
      events.filter((event) => event.type === 'concept_complete').length === 2 &&
      items.some((item) => item.kind === 'quiz' && item.status === 'generating')
    );
  });
  const answerQuiz = () => held.get('quiz')?.();
  const cancel = (): Promise<Outcome> =>
    (from === 'api' ? api : holder).cancel(taskId, { userId: 'u1', reason: 'race' }).then(
      (result) => ({ ok: true, previousStatus: result.previousStatus }),
      (error: unknown) => ({ ok: false, error }),
    );
  const waiting = (matches: (call: ObservedCall) => boolean) => () =>
    observed.calls.some((call) => matches(call) && !call.settled);

  let outcome: Outcome;
  switch (moment.kind) {
    case 'before the last answer':
      outcome = await cancel();
      answerQuiz();
      break;
    case 'after the terminal event':
      answerQuiz();
      await world.terminalEvent(holder, taskId);
      outcome = await cancel();
      break;
    case 'turns after the last answer':
      answerQuiz();
      for (let turn = 0; turn < moment.turns; turn += 1) await nextTurn();
      outcome = await cancel();
      break;
    case 'while the final compare-and-set waits':
      answerQuiz();
      await world.waitUntil("the worker's final compare-and-set waits", waiting(isFinish));
      outcome = await cancel();
      finishGate.release();
      break;
    case "while the cancel's compare-and-set waits": {
      const cancelling = cancel();
      await world.waitUntil("the cancel's compare-and-set waits", waiting(isCancel));
      answerQuiz();
      await world.waitUntil("the worker's final compare-and-set succeeded", () =>
        observed.calls.some((call) => isFinish(call) && call.settled && call.result !== null),
      );
      cancelGate.release();
      outcome = await cancelling;
      break;
    }
  }

  const end = await world.terminalEvent(holder, taskId);
  await world.waitUntil('the worker let go of the task', () => model.inFlight.length === 0 && observed.pending() === 0);
  await world.quiet();
  const stored = await world.storage.getTask(taskId);
  if (!stored) throw new Error('the task vanished');

  // Exactly one terminal status: one compare-and-set into a terminal status succeeded, and it is what is stored.
  const terminalWrites = observed.calls.filter(
    (call) => (isFinish(call) || isCancel(call)) && call.result !== null && call.result !== undefined,
  );
  expect(terminalWrites.map((call) => (call.args[1] as StatusChange).to)).toEqual([stored.status]);
  expect(stored.lease_token).toBeNull();

  const cancelMustWin =
    moment.kind === 'before the last answer' || moment.kind === 'while the final compare-and-set waits';
  if (cancelMustWin) expect(outcome.ok).toBe(true);
  if (moment.kind === 'after the terminal event' || moment.kind === "while the cancel's compare-and-set waits") {
    expect(outcome.ok).toBe(false);
  }
  // A held compare-and-set ran after the other side's had won: storage must have refused it.
  const refused = (matches: (call: ObservedCall) => boolean) =>
    observed.calls.filter((call) => matches(call)).map((call) => call.result);
  if (moment.kind === 'while the final compare-and-set waits') expect(refused(isFinish)).toEqual([null]);
  if (moment.kind === "while the cancel's compare-and-set waits") expect(refused(isCancel)).toEqual([null]);
  if (outcome.ok) {
    expect(outcome.previousStatus).toBe('processing');
    expect(stored).toMatchObject({ status: 'cancelled', cancel_reason: 'race' });
  } else {
    const { error } = outcome;
    expect(RoadmapError.isInstance(error) && error.code, String(error)).toBe('task_not_cancellable');
    expect(stored.status).toBe('completed');
  }

  // Exactly one terminal event, matching the status; listeners of both engines got exactly that event, once.
  const log = await world.storage.listEvents({ taskId });
  expect(log.filter(isTerminalEvent)).toEqual([end]);
  expect(end.type).toBe(stored.status === 'cancelled' ? 'cancelled' : 'completed');
  expect(emitted.filter((event) => event.task_id === taskId && isTerminalEvent(event))).toEqual([end]);

  // The content agrees with the winner: a cancel keeps what was stored.
  const items = await world.storage.listItems(task.roadmap_id);
  const completedKinds = items.filter((item) => item.status === 'completed').map((item) => item.kind);
  if (stored.status === 'completed') {
    expect(completedKinds.sort()).toEqual(['quiz', 'resources', 'tutorial']);
    expect(stored.progress).toMatchObject({ total: 3, completed: 3, percentage: 100 });
  } else {
    expect(completedKinds).toEqual(expect.arrayContaining(['tutorial', 'resources']));
  }
  expect(model.inFlight).toEqual([]);

  // Nothing changes afterwards.
  await world.clock.advance(60_000);
  await world.quiet();
  expect(await world.storage.getTask(taskId)).toEqual(stored);
  expect(await world.storage.listEvents({ taskId })).toEqual(log);
}

const race = (moment: CancelMoment, from: 'holder' | 'api'): EngineScenario => {
  const when = moment.kind === 'turns after the last answer' ? `${moment.turns} ${moment.kind}` : moment.kind;
  const expected =
    moment.kind === 'before the last answer' || moment.kind === 'while the final compare-and-set waits'
      ? 'cancel wins'
      : moment.kind === 'turns after the last answer'
        ? 'one terminal status wins'
        : 'cancel is refused';
  return {
    name: `cancel from the ${from === 'api' ? 'API engine' : 'holding engine'} ${when}: ${expected}, one terminal event`,
    run: (world) => raceOnce(world, moment, from),
  };
};

/**
 * Cancel racing completion (SPEC §2): whoever wins, exactly one compare-and-set into a terminal status succeeds
 * and exactly one terminal event is stored and delivered. The two ends are fixed (cancel first, completion first);
 * between them the order depends on the storage's timing, and the invariants must hold either way.
 */
export const cancelRaceScenarios: EngineScenarioGroup = {
  name: 'cancel racing completion',
  scenarios: [
    race({ kind: 'before the last answer' }, 'holder'),
    race({ kind: 'after the terminal event' }, 'api'),
    race({ kind: 'turns after the last answer', turns: 0 }, 'api'),
    race({ kind: 'turns after the last answer', turns: 1 }, 'holder'),
    race({ kind: 'turns after the last answer', turns: 3 }, 'api'),
    race({ kind: 'while the final compare-and-set waits' }, 'holder'),
    race({ kind: 'while the final compare-and-set waits' }, 'api'),
    race({ kind: "while the cancel's compare-and-set waits" }, 'holder'),
    race({ kind: "while the cancel's compare-and-set waits" }, 'api'),
  ],
};
