import type { LeaseFence } from '@roadmap/core';

/**
 * SQL the parts of the storage share. Each part (`taskStatements.ts`, `checkpointStatements.ts`,
 * `eventStatements.ts`, `coverStatements.ts`) prepares its own statements once per connection through a statement
 * cache; those whose text depends on the call (a patch's columns, a list's filters) once per shape.
 */

/**
 * Condition "`tasks` row `@taskId` is held by `@leaseToken`": the fence of every worker write. A paused task's worker
 * still holds it while it stores the calls that were in flight when the pause came.
 */
export const held = `tasks.task_id = @taskId AND tasks.status IN ('processing', 'paused') AND tasks.lease_token = @leaseToken`;

/** The fence as a condition on another table's statement, checked in the same statement as its write. */
export const holderExists = `EXISTS (SELECT 1 FROM tasks WHERE ${held})`;

/** The parameters `held` binds. */
export const fenceParameters = (fence: LeaseFence) => ({ taskId: fence.taskId, leaseToken: fence.leaseToken });
