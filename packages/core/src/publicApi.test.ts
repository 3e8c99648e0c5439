import { describe, expect, it } from 'vitest';
import * as root from './index.js';
import * as internal from './internal.js';

/** packages/core/README.md, "Public API": what the root exports, and what stays behind `@roadmap/core/internal`. */
describe('the public API of @roadmap/core', () => {
  it('exports at most 50 runtime values at the root', () => {
    expect(Object.keys(root).length).toBeGreaterThan(0);
    expect(Object.keys(root).length).toBeLessThanOrEqual(50);
  });

  it('exports each name in one place: the root or /internal, never both', () => {
    expect(Object.keys(internal).filter((name) => name in root)).toEqual([]);
  });

  it('keeps helpers off the root', () => {
    for (const helper of [
      'isoTime',
      'abortError',
      'errorMessage',
      'parseRetryAfter',
      'computeProgress',
      'toPublicTask',
    ]) {
      expect(root).not.toHaveProperty(helper);
      expect(internal).toHaveProperty(helper);
    }
  });

  it('exports what an integrator builds an engine with', () => {
    expect(Object.keys(root)).toEqual(
      expect.arrayContaining([
        'RoadmapEngine',
        'RoadmapError',
        'isAbortError',
        'createMemoryStorage',
        'createMemoryQueue',
        'createDemoModel',
        'systemClock',
        'generateRequestSchema',
      ]),
    );
  });
});
