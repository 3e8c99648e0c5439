import { type ModelPrices, priceOf } from '../domain/modelPrices.js';
import type { Curriculum, Preferences } from '../domain/schemas.js';
import { roundUsd } from '../domain/usage.js';
import type { EstimateResponse } from '../domain/wire.js';
import type { ModelOperation, ModelUsage } from '../model/languageModel.js';

/** Tokens one call of an operation uses on average. */
export interface OperationTokens {
  input_tokens: number;
  output_tokens: number;
}

/** What the estimate assumes about the model: tokens per call of each operation. */
export type EstimateProfile = Readonly<Record<ModelOperation, OperationTokens>>;

/**
 * Tokens per call assumed until the engine has measured its own model (see {@link UsageAverages}): chat models
 * answering this pipeline's prompts with structured output (the JSON schema counts as input), a tutorial of about
 * 900 words. Rough by nature; the measured averages replace them call by call.
 */
export const typicalEstimateProfile: EstimateProfile = Object.freeze({
  intent_analysis: { input_tokens: 700, output_tokens: 250 },
  curriculum_design: { input_tokens: 1_300, output_tokens: 2_500 },
  structure_review: { input_tokens: 3_200, output_tokens: 400 },
  roadmap_edit: { input_tokens: 3_400, output_tokens: 2_500 },
  tutorial: { input_tokens: 600, output_tokens: 1_300 },
  resources: { input_tokens: 650, output_tokens: 450 },
  quiz: { input_tokens: 700, output_tokens: 700 },
});

/** Tokens per call of the offline demo model (`createDemoModel`), measured over 72 generations of 8 goals. */
export const demoEstimateProfile: EstimateProfile = Object.freeze({
  intent_analysis: { input_tokens: 81, output_tokens: 72 },
  curriculum_design: { input_tokens: 179, output_tokens: 1_535 },
  structure_review: { input_tokens: 1_705, output_tokens: 35 },
  roadmap_edit: { input_tokens: 1_900, output_tokens: 1_535 },
  tutorial: { input_tokens: 189, output_tokens: 525 },
  resources: { input_tokens: 169, output_tokens: 351 },
  quiz: { input_tokens: 165, output_tokens: 555 },
});

/** Edit rounds a structure review asks for on average (each one edit call and one more review). */
const expectedEditRounds = 0.2;

/**
 * Concepts the pipeline plans for these preferences before any model answer: 4 stages (3 for advanced learners, who
 * skip foundations, and under 5 hours a week) of 2 modules with 2 concepts (3 from 8 hours a week) — the shape the
 * prompts and the demo model aim at. {@link UsageAverages} corrects it by what curricula really held.
 */
export function plannedConcepts(preferences: Pick<Preferences, 'available_hours_per_week' | 'current_level'>): number {
  const hours = preferences.available_hours_per_week ?? 10;
  const stages = preferences.current_level === 'advanced' || hours < 5 ? 3 : 4;
  return stages * 2 * (hours >= 8 ? 3 : 2);
}

/** Running means of what this engine's model really used: tokens per operation, and concepts per plan. */
export class UsageAverages {
  private readonly tokens = new Map<ModelOperation, { calls: number; input: number; output: number }>();
  private conceptRatio = { roadmaps: 0, sum: 0 };

  /** A call's reported usage. */
  observeCall(operation: ModelOperation, usage: ModelUsage): void {
    const entry = this.tokens.get(operation) ?? { calls: 0, input: 0, output: 0 };
    entry.calls += 1;
    entry.input += usage.inputTokens;
    entry.output += usage.outputTokens;
    this.tokens.set(operation, entry);
  }

  /** A stored curriculum (or roadmap) and the preferences it was planned for. */
  observeCurriculum(curriculum: Pick<Curriculum, 'stages'>, preferences: Preferences): void {
    const concepts = curriculum.stages.reduce(
      (sum, stage) => sum + stage.modules.reduce((count, module) => count + module.concepts.length, 0),
      0,
    );
    this.conceptRatio = {
      roadmaps: this.conceptRatio.roadmaps + 1,
      sum: this.conceptRatio.sum + concepts / plannedConcepts(preferences),
    };
  }

  /** Tokens per call: the measured mean of an operation once it has 3 calls, else `fallback`'s. */
  profile(fallback: EstimateProfile): EstimateProfile {
    const result = { ...fallback };
    for (const [operation, entry] of this.tokens) {
      if (entry.calls < 3) continue;
      result[operation] = {
        input_tokens: Math.round(entry.input / entry.calls),
        output_tokens: Math.round(entry.output / entry.calls),
      };
    }
    return result;
  }

  /** Concepts expected for these preferences: the planned count scaled by what stored curricula held. */
  concepts(preferences: Preferences): number {
    const planned = plannedConcepts(preferences);
    const ratio = this.conceptRatio.roadmaps === 0 ? 1 : this.conceptRatio.sum / this.conceptRatio.roadmaps;
    return Math.max(1, Math.round(planned * ratio));
  }
}

/**
 * Calls, tokens and cost of one generation, from the pipeline's shape: intent, curriculum, review (plus the
 * expected share of edit rounds), then three content calls per concept. No model call is made.
 */
export function estimateGeneration(
  concepts: number,
  profile: EstimateProfile,
  prices: ModelPrices,
  modelId: string,
): EstimateResponse {
  const calls: [ModelOperation, number][] = [
    ['intent_analysis', 1],
    ['curriculum_design', 1],
    ['structure_review', 1 + expectedEditRounds],
    ['roadmap_edit', expectedEditRounds],
    ['tutorial', concepts],
    ['resources', concepts],
    ['quiz', concepts],
  ];
  let count = 0;
  let input = 0;
  let output = 0;
  for (const [operation, times] of calls) {
    count += times;
    input += times * profile[operation].input_tokens;
    output += times * profile[operation].output_tokens;
  }
  const price = priceOf(prices, modelId);
  const inputTokens = Math.round(input);
  const outputTokens = Math.round(output);
  return {
    estimated_calls: Math.round(count),
    estimated_input_tokens: inputTokens,
    estimated_output_tokens: outputTokens,
    estimated_cost_usd:
      price === undefined
        ? null
        : roundUsd(
            (inputTokens * price.input_usd_per_million + outputTokens * price.output_usd_per_million) / 1_000_000,
          ),
  };
}
