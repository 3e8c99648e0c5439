import type { UsageReport } from '@roadmap/core/client';
import type { ComponentProps } from 'react';
import { cn } from './cn.js';
import type { RoadmapLabels } from './labels.js';
import { useRoadmapLabels } from './provider.js';

export interface UsageListProps extends Omit<ComponentProps<'dl'>, 'children'> {
  /**
   * Tokens and calls to show. With `cost_usd` (a task's `usage`), its cost comes first: formatted dollars, or "Not
   * priced" when it is `null`; without it (a `GET /usage` answer), no cost.
   */
  usage: Omit<UsageReport, 'cost_usd'> & { cost_usd?: number | null };
  /** A budget to show after the cost (a task's `budget_usd`). Default: `null`, none. */
  budgetUsd?: number | null;
}

/** @internal A cost for people: formatted dollars, or "Not priced" when the server could not price it. */
export const costText = (labels: RoadmapLabels, cost: number | null) =>
  cost === null ? labels.notPriced : labels.formatUsd(cost);

/**
 * Cost, budget, input and output tokens and model calls, as a description list (one `<div>` per term).
 *
 * @example
 * <UsageList usage={task.usage} budgetUsd={task.budget_usd} />
 */
export function UsageList({ usage, budgetUsd = null, className, ...props }: UsageListProps) {
  const labels = useRoadmapLabels();
  const entries: [string, string][] = [
    [labels.inputTokens, labels.formatNumber(usage.input_tokens)],
    [labels.outputTokens, labels.formatNumber(usage.output_tokens)],
    [labels.calls, labels.formatNumber(usage.calls)],
  ];
  if (budgetUsd !== null) entries.unshift([labels.budget, labels.formatUsd(budgetUsd)]);
  if (usage.cost_usd !== undefined) entries.unshift([labels.cost, costText(labels, usage.cost_usd)]);
  return (
    <dl data-slot="usage-list" className={cn('roadmap-usage', className)} {...props}>
      {entries.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
