import type { z } from 'zod';
import type { Curriculum, Difficulty, Intent, Preferences, ReviewIssue } from '../domain/schemas.js';

/** What a model call is for. One value per pipeline step and content kind. */
export type ModelOperation =
  | 'intent_analysis'
  | 'curriculum_design'
  | 'structure_review'
  | 'roadmap_edit'
  | 'tutorial'
  | 'resources'
  | 'quiz';

/** The concept a content call is about, with its place in the roadmap. */
export interface ConceptContext {
  concept_id: string;
  name: string;
  description: string;
  difficulty: Difficulty;
  keywords: string[];
  /** Names of the prerequisite concepts. */
  prerequisites: string[];
  stage_name: string;
  module_name: string;
  roadmap_title: string;
}

/** The structured data a prompt was built from: real models read `prompt`, offline models read this. */
export interface ModelInput {
  preferences: Preferences;
  additional_context?: string;
  intent?: Intent;
  curriculum?: Curriculum;
  issues?: ReviewIssue[];
  concept?: ConceptContext;
  /**
   * Set when one content item is generated again with the user's feedback (SPEC §7): its previous content and what
   * to change. Only that item is asked; the answer replaces it as a new version.
   */
  revision?: { previous: unknown; feedback: string };
}

export interface ModelRequest {
  operation: ModelOperation;
  /** Stable name of this call within a task: the operation, plus the concept id for content calls. */
  key: string;
  /** Name of the output schema (for `response_format.json_schema.name`). */
  schemaName: string;
  /** The output must be JSON matching this schema. The engine validates it; providers may send it to the model. */
  schema: z.ZodType;
  system: string;
  prompt: string;
  input: ModelInput;
  /** Set on the one re-ask after output that failed the schema: what came back and why it was rejected. */
  feedback?: { output: string; error: string };
  /** Aborts the call: providers must stop the request and reject with an `AbortError`. */
  abortSignal: AbortSignal;
}

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ModelResult {
  /** The model's output: JSON text that should match `request.schema`. */
  text: string;
  usage?: ModelUsage;
}

/**
 * One piece of a streamed answer ({@link LanguageModel.stream}): a piece of the output text, or the end with the
 * provider's reported usage.
 */
export type ModelStreamPart =
  | { type: 'text-delta'; text: string }
  | {
      type: 'finish';
      usage?: ModelUsage;
      /** The whole output when the provider adjusted it after streaming (the pieces stay as they were sent). */
      text?: string;
    };

/**
 * Structured text generation. Throw a `RoadmapError` with `retryable: true` (and `retryAfterMs` when the
 * provider said so) for rate limits, 5xx and timeouts; the engine retries those with backoff.
 */
export interface LanguageModel {
  readonly specificationVersion: 'v1';
  /** Provider name, e.g. `openai` or `demo`. */
  readonly provider: string;
  readonly modelId: string;
  /**
   * The most output tokens one call may produce (the `max_tokens` it sends), for the worst case a budget reserves
   * before each call (SPEC §7 budgets). Default: 16,384.
   */
  readonly maxOutputTokens?: number;
  generate(request: ModelRequest): Promise<ModelResult>;
  /**
   * Optional streaming form of {@link LanguageModel.generate} (SPEC §7 streaming): yields `text-delta` parts whose
   * concatenation is the output text — the same JSON `generate` would resolve with — then exactly one `finish` part
   * with the usage. Stops the request and rejects with an `AbortError` on `request.abortSignal`; fails like
   * `generate` (a retryable `RoadmapError` for rate limits, 5xx and timeouts). The engine streams the content items
   * whose text it shows as it arrives (tutorials) when a model has it.
   */
  stream?(request: ModelRequest): AsyncIterable<ModelStreamPart>;
}
