/**
 * Fixtures of the storage conformance suites, also handy in any test: valid records with deterministic ids and
 * times. Free of vitest, so a child process of a test (or a benchmark) may import them too.
 */
import type { NewRoadmapEvent } from '../../domain/events.js';
import type { Concept, Quiz, Resources, Roadmap, Stage, Tutorial } from '../../domain/schemas.js';
import { emptyProgress, type TaskRecord } from '../../domain/task.js';
import { emptyUsage } from '../../domain/usage.js';
import { isoTime } from '../../shared/clock.js';

/** Time of the fixtures: 2026-01-01T00:00:00Z, the manual clock's default start. */
export const fixtureEpochMs = Date.UTC(2026, 0, 1);

let fixtureCount = 0;

/** A well-formed UUID v4 made from a number (`00000000-0000-4000-8000-00000000002a` for 42): stable test ids. */
export function fixtureUuid(value: number): string {
  return `00000000-0000-4000-8000-${value.toString(16).padStart(12, '0')}`;
}

/**
 * A valid `pending` task record. Each call takes the next fixture number for its `task_id`, `roadmap_id` and
 * `created_at` (one second apart), so records made later are newer; `overrides` replace any field.
 */
export function makeTaskRecord(overrides: Partial<TaskRecord> = {}): TaskRecord {
  fixtureCount += 1;
  const number = fixtureCount;
  const createdAt = isoTime(fixtureEpochMs + number * 1_000);
  return {
    task_id: fixtureUuid(number),
    user_id: 'user-1',
    roadmap_id: `learn-typescript-${number.toString(16).padStart(8, '0')}`,
    title: 'Learn TypeScript',
    status: 'pending',
    current_step: 'queued',
    progress: { ...emptyProgress },
    error_message: null,
    failed_concepts: { count: 0, concept_ids: [] },
    cancel_reason: null,
    attempts: 0,
    created_at: createdAt,
    updated_at: createdAt,
    completed_at: null,
    request: {
      preferences: { learning_goal: 'Learn TypeScript', available_hours_per_week: 10, current_level: 'beginner' },
    },
    idempotency_key: null,
    lease_token: null,
    lease_expires_at: null,
    pause_reason: null,
    review_round: 0,
    usage: { ...emptyUsage },
    budget_usd: null,
    ...overrides,
  };
}

export interface RoadmapShape {
  /** Default: 2. */
  stages?: number;
  /** Default: 1. */
  modulesPerStage?: number;
  /** Default: 2. */
  conceptsPerModule?: number;
}

/**
 * A valid roadmap. Ids are readable and the same in every roadmap: `stage-1`, `module-1-1`, `concept-1`,
 * `concept-2`, … numbered across the whole roadmap. Every concept `*_status` is `pending`.
 */
export function makeRoadmap(overrides: Partial<Roadmap> = {}, shape: RoadmapShape = {}): Roadmap {
  const { stages = 2, modulesPerStage = 1, conceptsPerModule = 2 } = shape;
  let conceptNumber = 0;
  const stageList: Stage[] = Array.from({ length: stages }, (_, stageIndex) => ({
    stage_id: `stage-${stageIndex + 1}`,
    name: `Stage ${stageIndex + 1}`,
    description: `What stage ${stageIndex + 1} teaches.`,
    order: stageIndex + 1,
    modules: Array.from({ length: modulesPerStage }, (_, moduleIndex) => ({
      module_id: `module-${stageIndex + 1}-${moduleIndex + 1}`,
      name: `Module ${stageIndex + 1}.${moduleIndex + 1}`,
      description: 'A module.',
      concepts: Array.from({ length: conceptsPerModule }, (): Concept => {
        conceptNumber += 1;
        return makeConcept(`concept-${conceptNumber}`, conceptNumber > 1 ? [`concept-${conceptNumber - 1}`] : []);
      }),
    })),
  }));
  return {
    roadmap_id: 'learn-typescript-00000001',
    user_id: 'user-1',
    title: 'TypeScript from zero',
    goal: 'Learn TypeScript',
    stages: stageList,
    total_estimated_hours: conceptNumber * 2,
    recommended_completion_weeks: 4,
    created_at: isoTime(fixtureEpochMs),
    ...overrides,
  };
}

/** A valid concept with every content status `pending`. */
export function makeConcept(conceptId: string, prerequisites: string[] = []): Concept {
  return {
    concept_id: conceptId,
    name: `Concept ${conceptId}`,
    description: 'A concept.',
    estimated_hours: 2,
    difficulty: 'medium',
    prerequisites,
    keywords: ['typescript'],
    tutorial_status: 'pending',
    resources_status: 'pending',
    quiz_status: 'pending',
  };
}

/** Concept ids of a roadmap in planned order (stages, then modules, then concepts). */
export function conceptIdsOf(roadmap: Roadmap): string[] {
  return roadmap.stages.flatMap((stage) =>
    stage.modules.flatMap((module) => module.concepts.map((concept) => concept.concept_id)),
  );
}

/** A tutorial that passes `tutorialSchema`. */
export function makeTutorial(overrides: Partial<Tutorial> = {}): Tutorial {
  return { title: 'Types', summary: 'What types are.', content: '# Types\n\nA type describes values.', ...overrides };
}

/** Resources that pass `resourcesSchema` (`count` between 5 and 10). */
export function makeResources(count = 5): Resources {
  return {
    resources: Array.from({ length: count }, (_, index) => ({
      title: `Resource ${index + 1}`,
      url: `https://example.com/resource-${index + 1}`,
      type: 'article' as const,
      description: 'Worth reading.',
    })),
  };
}

/** A quiz that passes `quizSchema` (`count` between 5 and 8). */
export function makeQuiz(count = 5): Quiz {
  return {
    questions: Array.from({ length: count }, (_, index) => ({
      question_id: `q${index + 1}`,
      question_type: 'single_choice' as const,
      question: `Question ${index + 1}?`,
      options: ['Yes', 'No'],
      correct_answer: [0],
      explanation: 'Because.',
      difficulty: 'easy' as const,
    })),
  };
}

/** A `progress` event of the task, ready for `appendEvent`. */
export function makeEvent(task: Pick<TaskRecord, 'task_id' | 'user_id'>, message = 'working'): NewRoadmapEvent {
  return {
    type: 'progress',
    task_id: task.task_id,
    user_id: task.user_id,
    timestamp: isoTime(fixtureEpochMs),
    step: 'intent_analysis',
    status: 'processing',
    message,
    progress: { ...emptyProgress },
  };
}

/**
 * Writes to a value a storage returned, as a careless caller would: a storage may return frozen data (events, item
 * content), where the write throws a `TypeError` instead; either way what is stored must not change.
 */
export function writeToResult(write: () => void): void {
  try {
    write();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}
