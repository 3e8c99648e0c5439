import { createBullmqQueue } from '@roadmap/bullmq';
import { createMemoryQueue, type Queue } from '@roadmap/core';
import type { ServerConfig } from './config.js';

export interface OpenedQueue {
  queue: Queue;
  description: string;
}

/** BullMQ when `REDIS_URL` is set (API and workers in separate processes), else the in-process memory queue. */
export async function openQueue(config: ServerConfig, onError: (error: unknown) => void): Promise<OpenedQueue> {
  if (config.redisUrl !== undefined) {
    const queue = createBullmqQueue({ connection: config.redisUrl, onError });
    await queue.waitUntilReady();
    return { queue, description: `bullmq (${new URL(config.redisUrl).host})` };
  }
  if (config.role !== 'all') {
    // parseConfig refuses this already; kept for callers that build a config by hand.
    throw new Error(
      `ROADMAP_ROLE=${config.role} needs REDIS_URL: the in-process queue only works with ROADMAP_ROLE=all`,
    );
  }
  return { queue: createMemoryQueue(), description: 'memory (in-process)' };
}
