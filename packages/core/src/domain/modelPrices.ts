import { z } from 'zod';
import type { UsageReport } from './usage.js';

/** What one model charges, in US dollars per million tokens (SPEC §7 `ROADMAP_PRICES`). */
export const modelPriceSchema = z.strictObject({
  input_usd_per_million: z.number().nonnegative(),
  output_usd_per_million: z.number().nonnegative(),
  /** An image model's price per image, for providers that report no tokens for their images (DALL·E). */
  usd_per_image: z.number().nonnegative().optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** Prices by model id. A dated id (`gpt-4o-mini-2024-07-18`) takes the price of its longest listed prefix. */
export const modelPricesSchema = z.record(z.string().min(1), modelPriceSchema);
export type ModelPrices = Readonly<Record<string, ModelPrice>>;

/**
 * List prices of common OpenAI chat models (standard tier, USD per million tokens, as published in 2026), and the
 * offline demo model priced like `gpt-4o-mini`, so that a demo shows the figures a small real model would cost.
 * Prices change: pass `prices` to the engine (or `ROADMAP_PRICES` to the reference server) to override any of them.
 */
export const defaultModelPrices: ModelPrices = Object.freeze({
  'gpt-4o-mini': { input_usd_per_million: 0.15, output_usd_per_million: 0.6 },
  'gpt-4o': { input_usd_per_million: 2.5, output_usd_per_million: 10 },
  'gpt-4.1': { input_usd_per_million: 2, output_usd_per_million: 8 },
  'gpt-4.1-mini': { input_usd_per_million: 0.4, output_usd_per_million: 1.6 },
  'gpt-4.1-nano': { input_usd_per_million: 0.1, output_usd_per_million: 0.4 },
  'gpt-5': { input_usd_per_million: 1.25, output_usd_per_million: 10 },
  'gpt-5-mini': { input_usd_per_million: 0.25, output_usd_per_million: 2 },
  'gpt-5-nano': { input_usd_per_million: 0.05, output_usd_per_million: 0.4 },
  'o4-mini': { input_usd_per_million: 1.1, output_usd_per_million: 4.4 },
  o3: { input_usd_per_million: 2, output_usd_per_million: 8 },
  'roadmap-demo-1': { input_usd_per_million: 0.15, output_usd_per_million: 0.6 },
  // Image models (cover images): GPT image models report text input and image output tokens; DALL·E is per image
  // (a landscape cover at standard quality).
  'gpt-image-1': { input_usd_per_million: 5, output_usd_per_million: 40 },
  'gpt-image-1-mini': { input_usd_per_million: 2, output_usd_per_million: 8 },
  'dall-e-3': { input_usd_per_million: 0, output_usd_per_million: 0, usd_per_image: 0.08 },
  'dall-e-2': { input_usd_per_million: 0, output_usd_per_million: 0, usd_per_image: 0.02 },
});

/** The price of `modelId`: its own entry, else the longest listed prefix followed by `-`; `undefined` if none. */
export function priceOf(prices: ModelPrices, modelId: string): ModelPrice | undefined {
  const exact = prices[modelId];
  if (exact) return exact;
  let best: string | undefined;
  for (const listed of Object.keys(prices)) {
    if (modelId.startsWith(`${listed}-`) && (best === undefined || listed.length > best.length)) best = listed;
  }
  return best === undefined ? undefined : prices[best];
}

/** The usage of one call of `modelId` with these token counts, its cost `null` when the model has no price. */
export function callUsage(
  prices: ModelPrices,
  modelId: string,
  tokens: { inputTokens: number; outputTokens: number },
): UsageReport {
  const price = priceOf(prices, modelId);
  return {
    calls: 1,
    input_tokens: tokens.inputTokens,
    output_tokens: tokens.outputTokens,
    cost_usd:
      price === undefined
        ? null
        : (tokens.inputTokens * price.input_usd_per_million + tokens.outputTokens * price.output_usd_per_million) /
          1_000_000,
  };
}

/** What one image call used, as an image provider reports it (`ImageResult.usage`). */
export interface ImageCallTokens {
  /** Images made. */
  images: number;
  /** Tokens of the prompt, when the provider reports them (GPT image models). */
  inputTokens?: number;
  /** Tokens of the images made, when the provider reports them. */
  outputTokens?: number;
}

/**
 * The usage of one image call of `modelId`: its tokens at the model's token prices when the provider reported tokens,
 * else its images at the model's `usd_per_image`; the cost `null` when the model has no such price.
 */
export function imageCallUsage(prices: ModelPrices, modelId: string, usage: ImageCallTokens): UsageReport {
  const price = priceOf(prices, modelId);
  const inputTokens = usage.inputTokens ?? 0;
  const outputTokens = usage.outputTokens ?? 0;
  const byTokens = usage.inputTokens !== undefined || usage.outputTokens !== undefined;
  const cost =
    price === undefined
      ? null
      : byTokens
        ? (inputTokens * price.input_usd_per_million + outputTokens * price.output_usd_per_million) / 1_000_000
        : price.usd_per_image === undefined
          ? null
          : price.usd_per_image * usage.images;
  return { calls: 1, input_tokens: inputTokens, output_tokens: outputTokens, cost_usd: cost };
}
