import { runQueueConformance } from '../testing/queueConformance.js';
import { createMemoryQueue } from './memoryQueue.js';

runQueueConformance('createMemoryQueue', ({ clock }) => ({ queue: createMemoryQueue({ clock }) }));
