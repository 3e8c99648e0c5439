/** One delivery of a task to a worker. `token` is also the task's storage lease token. */
export interface QueueJob {
  taskId: string;
  /** Unique per delivery; a redelivery after a lost lease gets a new one. */
  token: string;
}

export interface ClaimOptions {
  /** How long the claim holds without a heartbeat before the job is delivered again. */
  leaseMs: number;
  /** Stops waiting: `claim` then resolves `null`. */
  abortSignal?: AbortSignal;
  /** Names the claiming worker (for logs and adapters that track holders). */
  workerId: string;
}

/**
 * Delivers tasks to workers. Jobs are keyed by task id: enqueueing a task that is already waiting, or held
 * under a live lease, does nothing.
 *
 * Contract (checked by `runQueueConformance` from `@roadmap/core/testing`).
 */
export interface Queue {
  readonly specificationVersion: 'v1';
  /** Makes the task claimable (idempotent). `delayMs` postpones it. */
  enqueue(taskId: string, options?: { delayMs?: number }): Promise<void>;
  /** Waits for a claimable job and holds it for `leaseMs`; `null` once `abortSignal` aborts or the queue closes. */
  claim(options: ClaimOptions): Promise<QueueJob | null>;
  /** Extends the lease; false when the job is no longer held by this token. */
  heartbeat(job: QueueJob, leaseMs: number): Promise<boolean>;
  /** Done with the job: removes it, or with `requeue` makes it claimable again at once. */
  release(job: QueueJob, options?: { requeue?: boolean }): Promise<void>;
  /** Tells every worker sharing this queue (in any process) that `taskId` was cancelled. */
  broadcastCancel(taskId: string): Promise<void>;
  /** Listens for cancel broadcasts; returns the unsubscribe function. */
  onCancel(listener: (taskId: string) => void): () => void;
  /** Wakes pending claims with `null` and stops delivering. */
  close(): Promise<void>;
}
