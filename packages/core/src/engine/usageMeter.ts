import { callUsage, type ModelPrices } from '../domain/modelPrices.js';
import type { TaskRecord } from '../domain/task.js';
import { addUsage, type UsageReport, usageOf } from '../domain/usage.js';
import type { ModelUsage } from '../model/languageModel.js';

/** The task checkpoint under which usage was kept before tasks carried `usage` (read once, when a run starts). */
export const usageCheckpointKey = 'usage';

/**
 * The usage a run starts from: the task's own, or, for a task whose usage was counted before tasks carried it, the
 * counts of its old checkpoint, priced now.
 */
export function initialUsage(
  task: TaskRecord,
  checkpoints: Record<string, unknown>,
  prices: ModelPrices,
  modelId: string,
): UsageReport {
  if (task.usage.calls > 0 || !(usageCheckpointKey in checkpoints)) return task.usage;
  const legacy = usageOf(checkpoints[usageCheckpointKey]);
  const priced = callUsage(prices, modelId, { inputTokens: legacy.input_tokens, outputTokens: legacy.output_tokens });
  return { ...legacy, cost_usd: priced.cost_usd };
}

/**
 * Counts one run's usage (calls, tokens, cost at the price table) on top of what earlier runs recorded. `flush`
 * writes the total to the task with the run's lease and announces it (`usage_updated`); flushes run one at a time,
 * and `flushSoon` asks for one at most every `intervalMs` while calls keep reporting.
 */
export class UsageMeter {
  private total: UsageReport;
  private written: UsageReport;
  private flushing: Promise<boolean> = Promise.resolve(true);
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    initial: UsageReport,
    private readonly settings: {
      prices: ModelPrices;
      modelId: string;
      /** Writes the usage to the task (fenced) and publishes `usage_updated`; `false` when the fence failed. */
      write: (usage: UsageReport) => Promise<boolean>;
      now: () => number;
      intervalMs: number;
      onError: (error: unknown) => void;
    },
  ) {
    this.total = { ...initial };
    this.written = { ...initial };
  }

  add(usage: ModelUsage): void {
    this.addReport(callUsage(this.settings.prices, this.settings.modelId, usage));
  }

  /** Adds a usage already priced (an image call of the task's cover). */
  addReport(report: UsageReport): void {
    this.total = addUsage(this.total, report);
  }

  snapshot(): UsageReport {
    return { ...this.total };
  }

  /** Flushes in the background once `intervalMs` passed since the last flush (errors go to `onError`). */
  flushSoon(): void {
    if (this.settings.now() - this.lastFlushAt < this.settings.intervalMs) return;
    this.flush().catch(this.settings.onError);
  }

  /** Writes the total if it changed since the last write, after any flush under way; `false`: the fence failed. */
  flush(): Promise<boolean> {
    this.lastFlushAt = this.settings.now();
    const next = this.flushing.then(
      () => this.writeChanged(),
      () => this.writeChanged(),
    );
    this.flushing = next;
    return next;
  }

  private async writeChanged(): Promise<boolean> {
    const total = this.total;
    if (total.calls === this.written.calls && total.cost_usd === this.written.cost_usd) return true;
    const written = await this.settings.write(total);
    if (written) this.written = total;
    return written;
  }
}
