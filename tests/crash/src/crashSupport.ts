import { isTerminalEvent, type RoadmapEvent, type Storage, type TaskRecord } from '@roadmap/core';
import type { ServedCall } from './fakeModelServer.js';

/** A call's identity across tasks: the goal names the task, the key the step or item. */
export function callIdentity(call: Pick<ServedCall, 'goal' | 'key'>): string {
  return `${call.goal}|${call.key}`;
}

/** Polls `condition` every `intervalMs` until it holds; fails after `timeoutMs` with `describe()`. */
export async function eventually(
  condition: () => Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> | string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) {
      throw new Error(`condition not met in time: ${options.describe ? await options.describe() : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

export const terminal = new Set(['completed', 'failed', 'partial_failure', 'cancelled']);

export async function tasksOf(storage: Storage, taskIds: readonly string[]): Promise<TaskRecord[]> {
  const tasks = await Promise.all(taskIds.map((taskId) => storage.getTask(taskId)));
  return tasks.filter((task): task is TaskRecord => task !== null);
}

/**
 * The model call (its `ServedCall.key`) whose result a framework checkpoint stores: `review:N` and `edit:N` are
 * the review and the edit of round N. Other checkpoints (usage) store no model result.
 */
function checkpointCall(key: string): string | undefined {
  if (key === 'intent') return 'intent_analysis';
  if (key === 'curriculum') return 'curriculum_design';
  const round = /^(review|edit):(\d+)$/.exec(key);
  if (!round) return undefined;
  return `${round[1] === 'review' ? 'structure_review' : 'roadmap_edit'}:${round[2]}`;
}

/**
 * Identities (goal|key) of every model result storage holds now: completed items and checkpointed framework steps.
 * None of them may be asked of the model again.
 */
export async function storedIdentities(storage: Storage, tasks: readonly TaskRecord[]): Promise<Set<string>> {
  const identities = new Set<string>();
  for (const task of tasks) {
    const goal = task.request.preferences.learning_goal;
    for (const key of Object.keys(await storage.getCheckpoints(task.task_id))) {
      const call = checkpointCall(key);
      if (call) identities.add(`${goal}|${call}`);
    }
    for (const item of await storage.listItems(task.roadmap_id)) {
      if (item.status === 'completed') {
        identities.add(`${task.request.preferences.learning_goal}|${item.kind}:${item.concept_id}`);
      }
    }
  }
  return identities;
}

/** What a kill left behind: the calls in flight and the items already stored at that moment. */
export interface KillRecord {
  atCall: number;
  inFlight: number;
  storedItems: Set<string>;
}

/**
 * Work in flight at a kill: distinct calls the killed process made whose result storage does not hold — asked,
 * maybe answered, but not yet durable. These, and only these, may be asked again.
 */
export function inFlightAtKill(
  calls: readonly ServedCall[],
  worker: { name: string; startedAt: number },
  stored: ReadonlySet<string>,
): number {
  const mine = calls.filter((call) => call.worker === worker.name && call.startedAt >= worker.startedAt);
  return new Set(mine.map(callIdentity).filter((identity) => !stored.has(identity))).size;
}

/**
 * Checks the promises of SPEC §2 over a run with kills: no stored item asked again after the kill that found it
 * stored, and repeated calls bounded by the calls in flight at the kills. Returns the numbers for the report.
 */
export function auditCalls(calls: readonly ServedCall[], kills: readonly KillRecord[]) {
  let repeatedStored = 0;
  for (const kill of kills) {
    for (const call of calls.slice(kill.atCall)) {
      if (kill.storedItems.has(callIdentity(call))) repeatedStored += 1;
    }
  }
  const unique = new Set(calls.map(callIdentity)).size;
  const extraCalls = calls.length - unique;
  const inFlightAtKills = kills.reduce((sum, kill) => sum + kill.inFlight, 0);
  return { repeatedStored, extraCalls, inFlightAtKills, calls: calls.length, unique };
}

/** Events that tell a task's status; `cover_updated` follows the roadmap, not the task, and may come after the end. */
const isStatusEvent = (event: RoadmapEvent) => event.type !== 'cover_updated';

/** The terminal event type (and `completed`'s status) that a terminal status must end its log with. */
function terminalEventMatches(event: RoadmapEvent, status: TaskRecord['status']): boolean {
  if (event.type === 'completed') return event.status === status;
  return event.type === status;
}

/**
 * What is wrong with a finished task's event log (empty when nothing): it must end with exactly one terminal event
 * (`completed` for completed and partial_failure, `failed`, `cancelled`) that matches the stored status, with no
 * status event after it. For runs without retries (a retry starts the log's next round).
 */
export async function eventLogProblems(storage: Storage, task: TaskRecord): Promise<string[]> {
  const events = (await storage.listEvents({ taskId: task.task_id, limit: 100_000 })).filter(isStatusEvent);
  const terminals = events.filter((event) => isTerminalEvent(event));
  const last = events.at(-1);
  const problems: string[] = [];
  if (terminals.length === 0) problems.push(`no terminal event (status ${task.status}, last event ${last?.type})`);
  if (terminals.length > 1)
    problems.push(`${terminals.length} terminal events: ${terminals.map((event) => event.type)}`);
  if (last && terminals.length > 0 && !isTerminalEvent(last)) {
    const after = events.slice(events.findIndex((event) => isTerminalEvent(event)) + 1).map((event) => event.type);
    problems.push(`status events after the terminal one: ${after.join(', ')}`);
  }
  if (last && isTerminalEvent(last) && !terminalEventMatches(last, task.status)) {
    problems.push(`ends with ${last.type} but the task is ${task.status}`);
  }
  return problems;
}
