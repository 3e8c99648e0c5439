import type { ModelUsage } from '../model/languageModel.js';
import type { Storage } from '../storage/storage.js';
import type { LeaseFence } from '../storage/taskStore.js';

/** Tokens a task's model calls used (what providers reported), summed over every run of the task. */
export interface TaskUsage {
  input_tokens: number;
  output_tokens: number;
  /** Model calls that reported usage. */
  calls: number;
}

/** The task checkpoint under which usage is kept (it is data about the task, not a pipeline step). */
export const usageCheckpointKey = 'usage';

export const emptyUsage: TaskUsage = { input_tokens: 0, output_tokens: 0, calls: 0 };

/** A stored count, or 0 when it is missing or not a count (a checkpoint written in another shape). */
function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

/** Reads a task's recorded usage from its checkpoints; fields that are not counts read as 0. */
export function usageFrom(checkpoints: Record<string, unknown>): TaskUsage {
  const stored = checkpoints[usageCheckpointKey];
  const fields = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  return {
    input_tokens: countOf(fields.input_tokens),
    output_tokens: countOf(fields.output_tokens),
    calls: countOf(fields.calls),
  };
}

/**
 * Counts one run's usage on top of what earlier runs recorded, and writes the total with the run's lease (on each
 * heartbeat and when the run ends), so a crash loses at most one heartbeat period of counting.
 */
export class UsageMeter {
  private total: TaskUsage;
  private dirty = false;

  constructor(initial: TaskUsage) {
    this.total = { ...initial };
  }

  add(usage: ModelUsage): void {
    this.total = {
      input_tokens: this.total.input_tokens + usage.inputTokens,
      output_tokens: this.total.output_tokens + usage.outputTokens,
      calls: this.total.calls + 1,
    };
    this.dirty = true;
  }

  snapshot(): TaskUsage {
    return { ...this.total };
  }

  /** Writes the total if it changed; false when the lease was lost (nothing written). */
  async flush(storage: Storage, fence: LeaseFence): Promise<boolean> {
    if (!this.dirty) return true;
    const written = await storage.saveCheckpoint(fence, usageCheckpointKey, this.snapshot());
    if (written) this.dirty = false;
    return written;
  }
}
