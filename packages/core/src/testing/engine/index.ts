export type { EngineConformanceContext, EngineStorageFactory, EngineStorageFixture } from './conformanceWorld.js';
export type { EngineConformanceOptions } from './runEngineConformance.js';
export { runEngineConformance } from './runEngineConformance.js';
