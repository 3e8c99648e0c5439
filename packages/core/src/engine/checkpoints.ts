import type { z } from 'zod';
import { curriculumSchema, intentSchema, structureReviewSchema } from '../domain/schemas.js';
import { describeIssues } from '../model/structuredGeneration.js';
import { RoadmapError } from '../shared/errors.js';
import type { RunContext } from './runContext.js';

/** Checkpoint keys: each step's result is stored under one before the pipeline moves on. */
export const checkpointKeys = {
  intent: 'intent',
  curriculum: 'curriculum',
  review: (round: number) => `review:${round}`,
  edit: (round: number) => `edit:${round}`,
  /** The framework shown to the user in human review round `round`. */
  reviewProposal: (round: number) => `review_proposal:${round}`,
  /** The framework the model edited with the user's feedback of review round `round`. */
  reviewEdit: (round: number) => `review_edit:${round}`,
  /** That edit repaired, when it broke a structural rule. */
  reviewRepair: (round: number) => `review_repair:${round}`,
} as const;

/** The schema a pipeline checkpoint's value must match; `undefined` for keys that are no pipeline step's. */
export function checkpointSchemaFor(key: string): z.ZodType | undefined {
  if (key === checkpointKeys.intent) return intentSchema;
  if (key === checkpointKeys.curriculum || /^(edit|review_proposal|review_edit|review_repair):\d+$/.test(key)) {
    return curriculumSchema;
  }
  if (/^review:\d+$/.test(key)) return structureReviewSchema;
  return undefined;
}

/**
 * The task's step checkpoints, each parsed with its step's schema. One stored by an older release in a shape that
 * no longer parses is left out, as if it had never been stored, so its step runs again and overwrites it; the
 * engine's `onError` is told about it. Keys that are no pipeline step's are left out too (the pipeline reads none).
 */
export async function readCheckpoints(
  context: Pick<RunContext, 'storage' | 'task' | 'onError'>,
): Promise<Record<string, unknown>> {
  const stored = await context.storage.getCheckpoints(context.task.task_id);
  const valid: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    const schema = checkpointSchemaFor(key);
    if (!schema) continue;
    const parsed = schema.safeParse(value);
    if (parsed.success) {
      valid[key] = parsed.data;
      continue;
    }
    context.onError(
      new RoadmapError(
        'schema_validation_failed',
        `Checkpoint "${key}" of task ${context.task.task_id} no longer matches its schema ` +
          `(${describeIssues(parsed.error)}); its step runs again.`,
      ),
    );
  }
  return valid;
}
