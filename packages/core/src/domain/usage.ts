/** Calls, tokens and cost of a task's model calls, as providers reported them (SPEC §7). */
export interface UsageReport {
  /** Model calls that reported usage. */
  calls: number;
  input_tokens: number;
  output_tokens: number;
  /**
   * What the calls cost in US dollars at the engine's price table; `null` when a call's model has no price there
   * (the tokens are still counted).
   */
  cost_usd: number | null;
}

/** The usage of a task no call has reported to yet. */
export const emptyUsage: UsageReport = Object.freeze({ calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 });

/** Dollars kept to 1e-9 (a nano-dollar): sums of float prices otherwise show digits no price has. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** The sum of two usages; the cost is unknown (`null`) once either is. */
export function addUsage(total: UsageReport, more: UsageReport): UsageReport {
  return {
    calls: total.calls + more.calls,
    input_tokens: total.input_tokens + more.input_tokens,
    output_tokens: total.output_tokens + more.output_tokens,
    cost_usd: total.cost_usd === null || more.cost_usd === null ? null : roundUsd(total.cost_usd + more.cost_usd),
  };
}

/** A stored count, or 0 when it is missing or not a count. */
function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

/**
 * A usage read from storage or an older record: counts that are missing or not counts read as 0, a cost that is
 * not a non-negative number as `null` (unknown), and a missing cost (written before costs existed) as `null` too.
 */
export function usageOf(value: unknown): UsageReport {
  const fields = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const cost = fields.cost_usd;
  return {
    calls: countOf(fields.calls),
    input_tokens: countOf(fields.input_tokens),
    output_tokens: countOf(fields.output_tokens),
    cost_usd: typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 ? cost : value == null ? 0 : null,
  };
}
