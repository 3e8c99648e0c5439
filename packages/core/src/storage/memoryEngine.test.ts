import { runEngineConformance } from '../testing/engine/index.js';
import { createMemoryStorage } from './memoryStorage.js';

runEngineConformance(({ clock }) => ({ storage: createMemoryStorage({ now: clock.now }) }), {
  name: 'createMemoryStorage',
});
