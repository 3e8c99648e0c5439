import { describe, expect, it } from 'vitest';
import { emptyProgress, type TaskRecord } from '../domain/task.js';
import { RoadmapError } from '../shared/errors.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import { crashAfter, faultOnce, faultTimes, onMethods, withStorageFaults } from './faults.js';

function taskRecord(taskId: string): TaskRecord {
  const time = '2025-01-01T00:00:00.000Z';
  return {
    task_id: taskId,
    user_id: 'user-1',
    roadmap_id: `learn-rust-${taskId}`,
    title: 'Learn Rust',
    status: 'pending',
    current_step: 'queued',
    progress: emptyProgress,
    error_message: null,
    failed_concepts: { count: 0, concept_ids: [] },
    cancel_reason: null,
    pause_reason: null,
    review_round: 0,
    usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 },
    budget_usd: null,
    attempts: 0,
    created_at: time,
    updated_at: time,
    completed_at: null,
    request: { preferences: { learning_goal: 'Learn Rust', available_hours_per_week: 10, current_level: 'beginner' } },
    idempotency_key: null,
    lease_token: null,
    lease_expires_at: null,
  };
}

describe('withStorageFaults', () => {
  it('passes calls through untouched when no fault is chosen', async () => {
    const storage = withStorageFaults(createMemoryStorage());
    expect(storage.specificationVersion).toBe('v1');
    await storage.createTask(taskRecord('t1'));
    expect((await storage.getTask('t1'))?.task_id).toBe('t1');
    expect(storage.faults.calls.map((call) => [call.index, call.method, call.args[0]])).toEqual([
      [1, 'createTask', expect.objectContaining({ task_id: 't1' })],
      [2, 'getTask', 't1'],
    ]);
    expect(storage.faults.failed).toEqual([]);
  });

  it('fails the chosen call once with a retryable storage error, before it reaches storage', async () => {
    const storage = withStorageFaults(createMemoryStorage(), { failOn: faultOnce(onMethods('createTask')) });
    const error = await storage.createTask(taskRecord('t1')).catch((caught: unknown) => caught);
    expect(RoadmapError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'storage_error', retryable: true });
    expect(await storage.getTask('t1')).toBeNull();
    await storage.createTask(taskRecord('t1'));
    expect(await storage.getTask('t1')).not.toBeNull();
    expect(storage.faults.failed.map((call) => call.index)).toEqual([1]);
  });

  it('can apply the write and still fail the call (a lost acknowledgement)', async () => {
    const storage = withStorageFaults(createMemoryStorage(), {
      failOn: onMethods('createTask'),
      timing: 'after',
      error: (call) => new Error(`lost ack of ${call.method}`),
    });
    await expect(storage.createTask(taskRecord('t1'))).rejects.toThrow('lost ack of createTask');
    expect((await storage.getTask('t1'))?.status).toBe('pending');
  });

  it('fails every selected call until the predicate is replaced', async () => {
    const storage = withStorageFaults(createMemoryStorage(), { failOn: onMethods('getTask') });
    await expect(storage.getTask('t1')).rejects.toThrow(/getTask/);
    await expect(storage.getTask('t1')).rejects.toThrow(/getTask/);
    storage.faults.setFailOn(undefined);
    await expect(storage.getTask('t1')).resolves.toBeNull();
  });

  it('fails a call a given number of times', async () => {
    const storage = withStorageFaults(createMemoryStorage(), { failOn: faultTimes(2) });
    const outcomes = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      outcomes.push(
        await storage.getTask('t1').then(
          () => 'ok',
          () => 'failed',
        ),
      );
    }
    expect(outcomes).toEqual(['failed', 'failed', 'ok']);
  });

  it('simulates a crash: after n selected calls, every later call fails', async () => {
    const crashes: string[] = [];
    const storage = withStorageFaults(createMemoryStorage(), {
      failOn: crashAfter(1, onMethods('createTask'), { onCrash: (call) => crashes.push(call.method) }),
    });
    await storage.getTask('t0');
    await storage.createTask(taskRecord('t1'));
    await expect(storage.createTask(taskRecord('t2'))).rejects.toThrow(/createTask/);
    await expect(storage.getTask('t1')).rejects.toThrow(/getTask/);
    expect(crashes).toEqual(['createTask']);
    storage.faults.setFailOn(undefined);
    expect(await storage.getTask('t1')).not.toBeNull();
    expect(await storage.getTask('t2')).toBeNull();
  });
});
