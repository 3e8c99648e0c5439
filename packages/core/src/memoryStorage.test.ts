import { createMemoryStorage } from './memoryStorage.js';
import { runStorageConformance } from './storageConformance.js';

runStorageConformance('createMemoryStorage', ({ clock }) => ({ storage: createMemoryStorage({ now: clock.now }) }));
