import { runStorageConformance } from '../testing/storage/index.js';
import { createMemoryStorage } from './memoryStorage.js';

runStorageConformance('createMemoryStorage', ({ clock }) => ({ storage: createMemoryStorage({ now: clock.now }) }));
