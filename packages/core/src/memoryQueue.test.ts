import { createMemoryQueue } from './memoryQueue.js';
import { runQueueConformance } from './queueConformance.js';

runQueueConformance('createMemoryQueue', ({ clock }) => ({ queue: createMemoryQueue({ clock }) }));
