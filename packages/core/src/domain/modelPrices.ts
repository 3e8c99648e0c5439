import { z } from 'zod';
import type { UsageReport } from './usage.js';

/** What one model charges, in US dollars per million tokens (SPEC §7 `ROADMAP_PRICES`). */
export const modelPriceSchema = z.strictObject({
  input_usd_per_million: z.number().nonnegative(),
  output_usd_per_million: z.number().nonnegative(),
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
