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

/** Reads a task's recorded usage from its checkpoints. */
export function usageFrom(checkpoints: Record<string, unknown>): TaskUsage {
  const stored = checkpoints[usageCheckpointKey] as Partial<TaskUsage> | undefined;
  return {
    input_tokens: stored?.input_tokens ?? 0,
    output_tokens: stored?.output_tokens ?? 0,
    calls: stored?.calls ?? 0,
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
