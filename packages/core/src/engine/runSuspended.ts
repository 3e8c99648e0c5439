/**
 * Why a run stopped without finishing its task and without an error: the task now waits for its user — a human
 * review (`human_review_pending`) or a resume (`paused`).
 */
export type SuspendReason = 'review' | 'paused';

/**
 * Thrown through the pipeline when a run must stop because its task waits for its user: the worker gives the task
 * up (no lease, no worker slot while it waits) and neither fails it nor counts a fault.
 */
export class RunSuspended extends Error {
  readonly reason: SuspendReason;
  constructor(reason: SuspendReason) {
    super(reason === 'review' ? 'The task waits for a human review.' : 'The task was paused.');
    this.name = 'RunSuspended';
    this.reason = reason;
  }

  static isInstance(error: unknown): error is RunSuspended {
    return error instanceof RunSuspended;
  }
}
