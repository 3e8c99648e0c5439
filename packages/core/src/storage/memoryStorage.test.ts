import { runStorageConformance } from '../testing/storageConformance.js';
import { createMemoryStorage } from './memoryStorage.js';

runStorageConformance('createMemoryStorage', ({ clock }) => ({ storage: createMemoryStorage({ now: clock.now }) }));
