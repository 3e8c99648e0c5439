import type { Curriculum, Intent, Quiz, Resources, StructureReview, Tutorial } from '../domain/schemas.js';
import type {
  ConceptContext,
  LanguageModel,
  ModelInput,
  ModelOperation,
  ModelRequest,
  ModelStreamPart,
  ModelUsage,
} from '../model/languageModel.js';
import { type Clock, sleep, systemClock } from '../shared/clock.js';
import { RoadmapError } from '../shared/errors.js';
import { demoQuiz, demoResources, demoTutorial } from './demoContent.js';
import { demoCurriculum, demoIntent, demoRoadmapEdit, demoStructureReview } from './demoCurriculum.js';
import { resolveDemoTopic } from './demoSubject.js';

/** The object each operation of the demo model answers with (each passes the step's schema). */
export interface DemoOutputs {
  intent_analysis: Intent;
  curriculum_design: Curriculum;
  structure_review: StructureReview;
  roadmap_edit: Curriculum;
  tutorial: Tutorial;
  resources: Resources;
  quiz: Quiz;
}

export interface DemoResponseOptions {
  /** Varies how content is arranged (e.g. where quiz answers sit) while staying deterministic. Default: 0. */
  seed?: number;
}

export interface DemoModelOptions extends DemoResponseOptions {
  /**
   * Simulated response time of every call, in milliseconds, waited on `clock`. Default: a hosted model's pace, per
   * operation (2 s for an intent analysis up to 4 s for a curriculum or a tutorial: `demoPace`), so a
   * roadmap takes about half a minute and a person can watch its progress and cancel it. Tests and benchmarks set
   * their own (`0` answers at once).
   */
  latencyMs?: number;
  /** Clock the latency is waited on; a manual clock makes latency instant in tests. Default: `systemClock`. */
  clock?: Clock;
  /**
   * Share of `latencyMs` a streamed call waits before its first piece (the model's first-token latency); the rest is
   * spread over the pieces. Default: 0.3.
   */
  firstTokenShare?: number;
  /** Whether the model offers `stream` (SPEC §7 streaming). Default: true. */
  stream?: boolean;
}

/**
 * The demo model's default response time of each operation, in milliseconds: a hosted model's pace, scaled down. A
 * 24-concept roadmap (72 items) at the engine's default concurrency of 5 takes about 30 seconds.
 */
export const demoPace: Readonly<Record<ModelOperation, number>> = {
  intent_analysis: 2_000,
  curriculum_design: 4_000,
  structure_review: 2_000,
  roadmap_edit: 4_000,
  tutorial: 4_000,
  resources: 2_000,
  quiz: 2_500,
};

/** Pieces a streamed answer is cut into, at most: a delta every few per cent of the call. */
const maxStreamPieces = 40;

function conceptOf(operation: ModelOperation, input: ModelInput): ConceptContext {
  if (input.concept) return input.concept;
  throw new RoadmapError('invalid_input', `The demo model needs request.input.concept for a ${operation} call.`);
}

function answer(operation: ModelOperation, input: ModelInput, seed: number): DemoOutputs[ModelOperation] {
  switch (operation) {
    case 'intent_analysis':
      return demoIntent(input);
    case 'curriculum_design':
      return demoCurriculum(input);
    case 'structure_review':
      return demoStructureReview(input);
    case 'roadmap_edit':
      return demoRoadmapEdit(input);
    case 'tutorial': {
      const tutorial = demoTutorial(conceptOf(operation, input), resolveDemoTopic(input.preferences.learning_goal));
      // Regenerated with feedback (SPEC §7): the new version says what it was asked to change.
      if (!input.revision) return tutorial;
      return { ...tutorial, content: `> Revised: ${input.revision.feedback}\n\n${tutorial.content}` };
    }
    case 'resources': {
      const resources = demoResources(conceptOf(operation, input), resolveDemoTopic(input.preferences.learning_goal));
      const [first, ...rest] = resources.resources;
      if (!input.revision || !first) return resources;
      const description = `${first.description} (Revised: ${input.revision.feedback})`;
      return { ...resources, resources: [{ ...first, description }, ...rest] };
    }
    case 'quiz': {
      const quiz = demoQuiz(conceptOf(operation, input), resolveDemoTopic(input.preferences.learning_goal), seed);
      const [first, ...rest] = quiz.questions;
      if (!input.revision || !first) return quiz;
      const explanation = `${first.explanation} (Revised: ${input.revision.feedback})`;
      return { ...quiz, questions: [{ ...first, explanation }, ...rest] };
    }
    default:
      throw new RoadmapError('invalid_input', `The demo model does not know the operation ${String(operation)}.`);
  }
}

/**
 * The demo model's answer to a request, as an object: derived from `request.input` only (never the prompt),
 * deterministic (same input and seed, same output), and valid against the operation's schema. Knows about eight
 * popular topics (Rust, Python, React/frontend, machine learning, Go, SQL, Kubernetes/DevOps, data science)
 * and builds a generic roadmap from the goal's words for anything else.
 *
 * @example
 * const curriculum = demoResponse({ operation: 'curriculum_design', input: { preferences } });
 */
export function demoResponse<Operation extends ModelOperation>(
  request: { operation: Operation; input: ModelInput },
  options: DemoResponseOptions = {},
): DemoOutputs[Operation] {
  return answer(request.operation, request.input, options.seed ?? 0) as DemoOutputs[Operation];
}

/** Rough token counts (4 characters a token), so usage accounting has numbers to add up. */
export function estimateUsage(request: Pick<ModelRequest, 'system' | 'prompt'>, text: string): ModelUsage {
  return {
    inputTokens: Math.ceil((request.system.length + request.prompt.length) / 4),
    outputTokens: Math.ceil(text.length / 4),
  };
}

/**
 * A `LanguageModel` that needs no network and no key: answers every operation with plausible, schema-valid
 * JSON built by {@link demoResponse}, marked as demo content. Used by the CLI demo, examples and tests.
 *
 * @example
 * const model = createDemoModel({ latencyMs: 200 });
 * const { text } = await model.generate(request); // JSON text that matches request.schema
 */
export function createDemoModel(options: DemoModelOptions = {}): LanguageModel {
  const clock = options.clock ?? systemClock;
  const latencyOf = (operation: ModelOperation) => options.latencyMs ?? demoPace[operation] ?? 0;
  const seed = options.seed ?? 0;
  const model: LanguageModel = {
    specificationVersion: 'v1',
    provider: 'demo',
    modelId: 'roadmap-demo-1',
    // Its longest answers (tutorials) are about 1,500 tokens.
    maxOutputTokens: 4_096,
    async generate(request) {
      await sleep(clock, latencyOf(request.operation), request.abortSignal);
      const text = JSON.stringify(demoResponse(request, { seed }));
      return { text, usage: estimateUsage(request, text) };
    },
  };
  if (options.stream === false) return model;
  const firstTokenShare = Math.min(1, Math.max(0, options.firstTokenShare ?? 0.3));
  model.stream = async function* (request: ModelRequest): AsyncIterable<ModelStreamPart> {
    const latencyMs = latencyOf(request.operation);
    const firstTokenMs = Math.round(latencyMs * firstTokenShare);
    await sleep(clock, firstTokenMs, request.abortSignal);
    const text = JSON.stringify(demoResponse(request, { seed }));
    const size = Math.max(1, Math.ceil(text.length / maxStreamPieces));
    const pieces = Math.ceil(text.length / size);
    const pieceMs = (latencyMs - firstTokenMs) / pieces;
    for (let start = 0, index = 1; start < text.length; start += size, index += 1) {
      yield { type: 'text-delta', text: text.slice(start, start + size) };
      // Waits in whole milliseconds, the rounding carried so the call takes `latencyMs` in all.
      const due = Math.round(index * pieceMs) - Math.round((index - 1) * pieceMs);
      if (due > 0) await sleep(clock, due, request.abortSignal);
      else request.abortSignal.throwIfAborted();
    }
    yield { type: 'finish', usage: estimateUsage(request, text) };
  };
  return model;
}
