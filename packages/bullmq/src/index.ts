export type { BullmqQueue, BullmqQueueOptions } from './bullmqQueue.js';
export { createBullmqQueue } from './bullmqQueue.js';
export type { RedisConnection } from './redisConnection.js';
export type { RunningWorker, RunWorkerOptions } from './runWorker.js';
export { runWorker } from './runWorker.js';
