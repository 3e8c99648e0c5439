import { afterEach, describe, expect, it } from 'vitest';
import { curriculumSchema, intentSchema, structureReviewSchema } from '../domain/schemas.js';
import type { ModelOperation } from '../model/languageModel.js';
import { RoadmapError } from '../shared/errors.js';
import { createWorld, learnGo, terminalEvent, type World } from '../testing/engineTestSupport.js';
import type { ScriptRule } from '../testing/scriptedModel.js';
import { makeTaskRecord } from '../testing/storage/fixtures.js';
import { initialUsage } from './usageMeter.js';

let world: World;
afterEach(async () => {
  await world?.stopAll();
});

const leaseMs = 30_000;

/** A model review that sends the curriculum to an edit round. */
const rejectingReview = {
  is_valid: false,
  dimension_scores: { completeness: 20, progression: 30, stage_coherence: 40, module_clarity: 50, user_fit: 60 },
  issues: [{ severity: 'critical', location: 'stage 1', message: 'Too thin to start with' }],
};
const rejectFirstReview: ScriptRule = { operation: 'structure_review', times: 1, respond: () => rejectingReview };

interface Case {
  /** The checkpoint an older release stored in a shape that no longer parses. */
  key: string;
  oldShape: unknown;
  /** Rules of the first run, which crashes once the last of them (a hang) is reached. */
  firstRun: ScriptRule[];
  /** The operation the first run was waiting for when it crashed. */
  crashedAt: ModelOperation;
  /** The step that runs again: exactly one call. */
  askedAgain: ModelOperation;
  schema: { safeParse(value: unknown): { success: boolean } };
}

const cases: Case[] = [
  {
    key: 'intent',
    oldShape: { goal: 'Go', technologies: 'go, sql', level: 3 },
    firstRun: [{ operation: 'structure_review', hang: true }],
    crashedAt: 'structure_review',
    askedAgain: 'intent_analysis',
    schema: intentSchema,
  },
  {
    key: 'curriculum',
    oldShape: { name: 'Go', modules: [{ title: 'Basics', lessons: ['Syntax'] }] },
    firstRun: [{ operation: 'structure_review', hang: true }],
    crashedAt: 'structure_review',
    askedAgain: 'curriculum_design',
    schema: curriculumSchema,
  },
  {
    key: 'review:0',
    oldShape: { valid: true, score: 87 },
    firstRun: [rejectFirstReview, { operation: 'roadmap_edit', hang: true }],
    crashedAt: 'roadmap_edit',
    askedAgain: 'structure_review',
    schema: structureReviewSchema,
  },
  {
    key: 'edit:1',
    oldShape: { title: 'Go', stages: 'see attached' },
    firstRun: [rejectFirstReview, { operation: 'structure_review', hang: true }],
    crashedAt: 'structure_review',
    askedAgain: 'roadmap_edit',
    schema: curriculumSchema,
  },
];

describe('checkpoints are validated on resume', () => {
  for (const { key, oldShape, firstRun, crashedAt, askedAgain, schema } of cases) {
    it(`a "${key}" checkpoint that no longer parses is regenerated (only ${askedAgain} is asked again), reported, and nothing else changes`, async () => {
      world = createWorld();
      // The first run stores some steps, then its process dies while a call is in flight.
      const modelA = world.model({ script: firstRun });
      const engineA = await world.engine(modelA);
      const { task } = await engineA.generate({ userId: 'u1', request: learnGo });
      await modelA.waitForCalls(firstRun.filter((rule) => rule.operation === crashedAt).length, {
        operation: crashedAt,
      });
      await engineA.stop({ releaseTasks: false });
      const held = await world.storage.getTask(task.task_id);
      expect(held?.status).toBe('processing');
      expect(held?.lease_token).toEqual(expect.any(String));
      const fence = { taskId: task.task_id, leaseToken: held?.lease_token ?? '' };

      // An older release wrote this checkpoint in its own shape (written here under the dead run's lease).
      const before = await world.storage.getCheckpoints(task.task_id);
      expect(Object.keys(before)).toContain(key);
      expect(await world.storage.saveCheckpoint(fence, key, oldShape)).toBe(true);

      // A finished task's checkpoints are pruned (SPEC §9): read them as the run left them, just before.
      let after: Record<string, unknown> = {};
      const storage = world.storage;
      const prune = storage.pruneCheckpoints.bind(storage);
      storage.pruneCheckpoints = async (taskIds) => {
        after = await storage.getCheckpoints(task.task_id);
        return prune(taskIds);
      };

      const reported: unknown[] = [];
      const modelB = world.model();
      const engineB = await world.engine(modelB, { onError: (error) => reported.push(error) });
      const done = terminalEvent(engineB, task.task_id);
      await world.clock.advance(leaseMs + 1);
      expect((await done).type).toBe('completed');

      // Only the step behind the unreadable checkpoint was asked again, once.
      expect(modelB.callCount({ operation: askedAgain })).toBe(1);
      const stepOf: Record<string, ModelOperation> = { intent: 'intent_analysis', curriculum: 'curriculum_design' };
      for (const storedKey of Object.keys(before)) {
        const operation = stepOf[storedKey];
        if (storedKey !== key && operation) expect(modelB.callCount({ operation })).toBe(0);
      }

      // It was overwritten with a value that parses; every other checkpoint is as it was — then all were pruned.
      expect(await world.storage.getCheckpoints(task.task_id)).toEqual({});
      expect(schema.safeParse(after[key]).success).toBe(true);
      for (const [storedKey, value] of Object.entries(before)) {
        if (storedKey !== key) expect(after[storedKey]).toEqual(value);
      }

      // The engine said so through onError, naming the checkpoint; it did not fail the task.
      const problems = reported.filter(
        (error) => RoadmapError.isInstance(error) && error.code === 'schema_validation_failed',
      );
      expect(problems).toHaveLength(1);
      expect(String((problems[0] as Error).message)).toContain(`"${key}"`);
      const final = await world.storage.getTask(task.task_id);
      expect(final).toMatchObject({ status: 'completed', attempts: 2 });
    });
  }
});

describe('the legacy usage checkpoint is validated when read', () => {
  it('reads fields that are not counts as 0, so they never turn into text or NaN when added to', () => {
    const task = makeTaskRecord();
    const priced = initialUsage(task, { usage: { input_tokens: '1200', output_tokens: -5, calls: 3 } }, {}, 'm');
    expect(priced).toEqual({ input_tokens: 0, output_tokens: 0, calls: 3, cost_usd: null });
    expect(initialUsage(task, { usage: 'v1:1200/300' }, {}, 'm')).toEqual({
      input_tokens: 0,
      output_tokens: 0,
      calls: 0,
      cost_usd: null,
    });
  });

  it('prices the counts of an old checkpoint, and prefers the usage the task carries', () => {
    const prices = { m: { input_usd_per_million: 1, output_usd_per_million: 2 } };
    const legacy = { usage: { input_tokens: 1_000_000, output_tokens: 500_000, calls: 2 } };
    expect(initialUsage(makeTaskRecord(), legacy, prices, 'm')).toEqual({
      input_tokens: 1_000_000,
      output_tokens: 500_000,
      calls: 2,
      cost_usd: 2,
    });
    const carried = { calls: 1, input_tokens: 10, output_tokens: 20, cost_usd: 0.5 };
    expect(initialUsage(makeTaskRecord({ usage: carried }), legacy, prices, 'm')).toEqual(carried);
  });
});
