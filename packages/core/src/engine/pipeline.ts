import type { z } from 'zod';
import {
  type Curriculum,
  curriculumSchema,
  type Intent,
  intentSchema,
  type Preferences,
  type ReviewIssue,
  type Roadmap,
  type StructureReview,
  structureReviewSchema,
} from '../domain/schemas.js';
import { checkStructure } from '../domain/structure.js';
import type { CurrentStep } from '../domain/task.js';
import type { ModelInput, ModelOperation } from '../model/languageModel.js';
import { buildPrompt } from '../model/prompts.js';
import { generateStructured } from '../model/structuredGeneration.js';
import { RoadmapError } from '../shared/errors.js';
import { yieldToEventLoop } from '../shared/yieldToEventLoop.js';
import { checkpointKeys, readCheckpoints } from './checkpoints.js';
import { type ContentOutcome, contentGeneration } from './contentGeneration.js';
import { humanReview } from './humanReview.js';
import { readOwnRoadmap, storeRoadmap } from './ownRoadmap.js';
import { assertFenced, assertNotPaused, nowIso, type RunContext } from './runContext.js';

async function enterStep(context: RunContext, step: CurrentStep, message: string): Promise<void> {
  // A paused task starts no step (its progress event would announce `processing`).
  assertNotPaused(context);
  const updated = await context.storage.updateTask(context.fence, { current_step: step, updated_at: nowIso(context) });
  assertFenced(updated, context, `enter ${step}`);
  await context.publish('progress', {
    step,
    status: 'processing',
    message,
    progress: updated?.progress ?? context.task.progress,
  });
}

function call<Output>(
  context: RunContext,
  operation: ModelOperation,
  schemaName: string,
  schema: z.ZodType<Output>,
  input: ModelInput,
): Promise<Output> {
  assertNotPaused(context);
  const { system, prompt } = buildPrompt(operation, input);
  return generateStructured(
    { operation, key: operation, schemaName, schema, system, prompt, input },
    {
      model: context.model,
      clock: context.clock,
      retryPolicy: context.retryPolicy,
      abortSignal: context.abortSignal,
      ...(context.onUsage ? { onUsage: context.onUsage } : {}),
    },
  );
}

/** Runs `produce` unless `key` is checkpointed; stores the result before returning it. */
async function checkpointed<Value>(
  context: RunContext,
  saved: Record<string, unknown>,
  key: string,
  produce: () => Promise<Value>,
): Promise<Value> {
  if (key in saved) return saved[key] as Value;
  const value = await produce();
  assertFenced(await context.storage.saveCheckpoint(context.fence, key, value), context, `checkpoint ${key}`);
  saved[key] = value;
  return value;
}

/**
 * intent → curriculum → structure validation with at most `maxEditRounds` edits. Returns the curriculum to
 * store. A curriculum that still breaks structural rules after the last edit fails the task; one the model
 * review still dislikes but that is structurally sound is accepted (documented in docs/ARCHITECTURE.md).
 */
async function designFramework(context: RunContext, saved: Record<string, unknown>): Promise<Curriculum> {
  const preferences: Preferences = context.task.request.preferences;
  const base: ModelInput = {
    preferences,
    ...(context.task.request.additional_context ? { additional_context: context.task.request.additional_context } : {}),
  };

  if (!(checkpointKeys.intent in saved)) await enterStep(context, 'intent_analysis', 'Analysing your goal');
  const intent = await checkpointed<Intent>(context, saved, checkpointKeys.intent, () =>
    call(context, 'intent_analysis', 'intent', intentSchema, base),
  );

  if (!(checkpointKeys.curriculum in saved)) await enterStep(context, 'curriculum_design', 'Designing the curriculum');
  let curriculum = await checkpointed<Curriculum>(context, saved, checkpointKeys.curriculum, () =>
    call(context, 'curriculum_design', 'curriculum', curriculumSchema, { ...base, intent }),
  );

  let round = 0;
  while (checkpointKeys.edit(round + 1) in saved) {
    round += 1;
    curriculum = saved[checkpointKeys.edit(round)] as Curriculum;
  }

  for (;;) {
    const structural = checkStructure(curriculum);
    let issues: ReviewIssue[] = structural;
    const reviewed = checkpointKeys.review(round) in saved;
    const edited = checkpointKeys.edit(round + 1) in saved;
    if (!reviewed && !edited) await enterStep(context, 'structure_validation', 'Validating the structure');
    if (structural.length === 0) {
      const review = await checkpointed<StructureReview>(context, saved, checkpointKeys.review(round), () =>
        call(context, 'structure_review', 'structure_review', structureReviewSchema, { ...base, intent, curriculum }),
      );
      const critical = review.issues.filter((issue) => issue.severity === 'critical');
      if (review.is_valid && critical.length === 0) return curriculum;
      issues = review.issues;
    }
    if (round >= context.maxEditRounds) {
      if (structural.length === 0) return curriculum;
      throw new RoadmapError(
        'structure_invalid',
        `The roadmap is still invalid after ${round} edit rounds: ${structural.map((issue) => issue.message).join(' ')}`,
      );
    }
    round += 1;
    const editRound = round;
    const current = curriculum;
    if (!(checkpointKeys.edit(editRound) in saved)) {
      await enterStep(context, 'roadmap_edit', `Improving the roadmap (round ${editRound})`);
    }
    curriculum = await checkpointed<Curriculum>(context, saved, checkpointKeys.edit(editRound), () =>
      call(context, 'roadmap_edit', 'curriculum', curriculumSchema, { ...base, intent, curriculum: current, issues }),
    );
  }
}

/** The human review gate ({@link humanReview}) with the pipeline's checkpointed steps and edit call. */
async function reviewed(
  context: RunContext,
  saved: Record<string, unknown>,
  designed: Curriculum,
): Promise<Curriculum> {
  const base: ModelInput = {
    preferences: context.task.request.preferences,
    ...(context.task.request.additional_context ? { additional_context: context.task.request.additional_context } : {}),
  };
  const intent = saved[checkpointKeys.intent] as Intent | undefined;
  return humanReview(context, saved, designed, {
    checkpointed: (key, produce) => checkpointed(context, saved, key, produce),
    enterStep: (message) => enterStep(context, 'roadmap_edit', message),
    edit: (curriculum, message, location) =>
      call(context, 'roadmap_edit', 'curriculum', curriculumSchema, {
        ...base,
        ...(intent ? { intent } : {}),
        curriculum,
        issues: [{ severity: 'critical', location, message }],
      }),
  });
}

/**
 * The whole pipeline of SPEC §2 for one task, resuming from whatever is stored: checkpointed steps and
 * completed items are never asked of the model again. Only the task's own data is trusted: a roadmap stored under
 * its id by another user is never used (the task moves to a new id), and a checkpoint or roadmap that no longer
 * parses counts as missing. Returns the outcome of content generation; throws on a failed framework step or when
 * the run is aborted.
 */
export async function runPipeline(context: RunContext): Promise<ContentOutcome> {
  const stored = await readOwnRoadmap(context);
  let roadmap: Roadmap;
  if (stored.kind === 'own') {
    roadmap = stored.roadmap;
  } else {
    const saved = await readCheckpoints(context);
    let curriculum = await designFramework(context, saved);
    if (context.task.request.review_before_content) curriculum = await reviewed(context, saved, curriculum);
    roadmap = await storeRoadmap(context, curriculum, stored.kind === 'foreign');
  }
  // The cover starts in the background, after the first content calls: it never blocks or fails the pipeline.
  void yieldToEventLoop().then(() => context.onRoadmapStored?.(roadmap));
  // Content generation's first write also adopts the roadmap's title (also on resume, after a crash between storing
  // the roadmap and that write).
  return contentGeneration(context, roadmap);
}
