import type { Storage, TaskRecord } from '@roadmap/core';
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

/** Framework checkpoints and the model call each one stores the result of. */
const checkpointOperations: Record<string, string> = {
  intent: 'intent_analysis',
  curriculum: 'curriculum_design',
  'review:0': 'structure_review',
};

/**
 * Identities (goal|key) of every model result storage holds now: completed items and checkpointed framework steps.
 * None of them may be asked of the model again.
 */
export async function storedIdentities(storage: Storage, tasks: readonly TaskRecord[]): Promise<Set<string>> {
  const identities = new Set<string>();
  for (const task of tasks) {
    const goal = task.request.preferences.learning_goal;
    for (const key of Object.keys(await storage.getCheckpoints(task.task_id))) {
      const operation = checkpointOperations[key];
      if (operation) identities.add(`${goal}|${operation}`);
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
