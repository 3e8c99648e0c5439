import type { ConformanceWorld } from './conformanceWorld.js';

/** One behaviour of the engine on a storage, run as one test. */
export interface EngineScenario {
  /** The test's name: what a user can see happen. */
  name: string;
  /** Runs the scenario in a fresh world; throws (an `expect` failure) when the storage breaks its contract. */
  run(world: ConformanceWorld): Promise<void>;
}

/** Scenarios of one kind (crash and resume, cancel, …), registered as one `describe` block. */
export interface EngineScenarioGroup {
  name: string;
  scenarios: readonly EngineScenario[];
}
