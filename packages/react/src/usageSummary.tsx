import type { ComponentProps } from 'react';
import { Button } from './button.js';
import { cn } from './cn.js';
import { RefreshIcon } from './icons.js';
import { ProgressBar } from './progressBar.js';
import { useRoadmapLabels } from './provider.js';
import { UsageList } from './usageList.js';
import { useUsage } from './useUsage.js';

export type UsageSummaryProps = Omit<ComponentProps<'section'>, 'children'>;

/**
 * The caller's spending in the current budget period (`GET /usage` through the provider's client): "This month: $1.23
 * spent of $10.00" (or "no limit"; with the dollars reserved for calls in progress, if any), a bar of the budget used,
 * tokens and calls; Refresh loads it again. Shows "Loading…" until the first answer, and the server's message when it
 * fails.
 *
 * @example
 * <UsageSummary />
 */
export function UsageSummary({ className, ...props }: UsageSummaryProps) {
  const labels = useRoadmapLabels();
  const { usage, isLoading, error, refresh } = useUsage();
  const budget = usage?.budget_usd ?? null;
  return (
    <section
      data-slot="usage-summary"
      aria-label={labels.usage}
      aria-busy={isLoading}
      className={cn('roadmap-usage-summary', className)}
      {...props}
    >
      <div className="roadmap-toolbar">
        <h2 className="roadmap-subheading">{labels.usage}</h2>
        <span className="roadmap-spacer" />
        <Button variant="outline" size="sm" onClick={() => void refresh()} disabled={isLoading}>
          <RefreshIcon className={cn(isLoading && 'roadmap-spin')} />
          {labels.refresh}
        </Button>
      </div>
      {error && (
        <p role="alert" className="roadmap-error">
          {error.detail}
        </p>
      )}
      {usage ? (
        <>
          <p>
            {labels.usageSpent(
              // The server's period is a UTC day or a UTC month.
              Date.parse(usage.period_end) - Date.parse(usage.period_start) > 86_400_000 ? 'month' : 'day',
              labels.formatUsd(usage.spent_usd),
              budget === null ? null : labels.formatUsd(budget),
              usage.reserved_usd > 0 ? labels.formatUsd(usage.reserved_usd) : null,
            )}
          </p>
          {budget !== null && (
            <ProgressBar aria-label={labels.budgetUsed} value={budget > 0 ? (100 * usage.spent_usd) / budget : 100} />
          )}
          <UsageList usage={usage} />
        </>
      ) : (
        !error && <p className="roadmap-muted">{labels.loading}</p>
      )}
    </section>
  );
}
