import { describe, expect, it } from 'vitest';
import { createMemoryBlobStore } from '../covers/memoryBlobStore.js';
import { createOfflineImageProvider } from '../covers/offlineImageProvider.js';
import { createDemoModel } from '../demo/demoModel.js';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import { systemClock } from '../shared/clock.js';
import { RoadmapError } from '../shared/errors.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import { assertAdapterVersions, type EngineAdapters } from './adapterVersion.js';
import { RoadmapEngine, type RoadmapEngineOptions } from './engine.js';

function adapters(): EngineAdapters {
  return {
    storage: createMemoryStorage(),
    queue: createMemoryQueue(),
    model: createDemoModel(),
    imageProvider: createOfflineImageProvider(),
    blobStore: createMemoryBlobStore(),
    clock: systemClock,
  };
}

/** The adapter as a later release of it might look: same methods, another contract version. */
function withVersion<Adapter extends object>(adapter: Adapter, version: unknown): Adapter {
  return Object.assign(Object.create(Object.getPrototypeOf(adapter)), adapter, { specificationVersion: version });
}

function errorOf(run: () => unknown): RoadmapError {
  try {
    run();
  } catch (error) {
    if (RoadmapError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a RoadmapError');
}

describe('assertAdapterVersions', () => {
  it('accepts the adapters of the box, all at version v1', () => {
    expect(() => assertAdapterVersions(adapters())).not.toThrow();
  });

  it.each(['storage', 'queue', 'imageProvider', 'blobStore', 'clock'] as const)(
    'names the %s adapter and the version it declares',
    (option) => {
      const all = adapters();
      all[option] = withVersion(all[option] as object, 'v2');
      const error = errorOf(() => assertAdapterVersions(all));
      expect(error.code).toBe('unsupported_adapter_version');
      expect(error.message).toContain(`Unsupported ${option} adapter`);
      expect(error.message).toContain('has specificationVersion "v2"');
      expect(error.message).toContain('supports adapters of specification version "v1"');
    },
  );

  it('names a model by provider and model id', () => {
    const all = { ...adapters(), model: withVersion(createDemoModel(), 'v3') };
    expect(errorOf(() => assertAdapterVersions(all)).message).toMatch(
      /^Unsupported model adapter \(provider "demo", model "roadmap-demo-1"\): it has specificationVersion "v3"/,
    );
  });

  it('says when an adapter declares no version at all', () => {
    const { specificationVersion: _dropped, ...unversioned } = createMemoryQueue();
    const error = errorOf(() => assertAdapterVersions({ ...adapters(), queue: unversioned }));
    expect(error).toMatchObject({ code: 'unsupported_adapter_version' });
    expect(error.message).toContain('Unsupported queue adapter: it declares no specificationVersion');
  });

  it('refuses a missing adapter as invalid input', () => {
    const error = errorOf(() => assertAdapterVersions({ ...adapters(), storage: undefined }));
    expect(error).toMatchObject({
      code: 'invalid_input',
      message: 'The storage adapter is missing: RoadmapEngine got undefined.',
    });
  });
});

describe('RoadmapEngine construction', () => {
  const options = (): RoadmapEngineOptions => ({
    storage: createMemoryStorage(),
    queue: createMemoryQueue(),
    model: createDemoModel(),
  });

  it('checks the adapters it is given', () => {
    const model = withVersion(createDemoModel(), 'v2');
    const error = errorOf(() => new RoadmapEngine({ ...options(), model }));
    expect(error.code).toBe('unsupported_adapter_version');
    expect(error.message).toContain('model adapter (provider "demo"');
  });

  it('checks optional adapters too, before subscribing to the queue', () => {
    const queue = createMemoryQueue();
    let subscriptions = 0;
    const countingQueue = Object.assign(Object.create(queue), {
      onCancel: (...args: Parameters<typeof queue.onCancel>) => {
        subscriptions += 1;
        return queue.onCancel(...args);
      },
    });
    const blobStore = withVersion(createMemoryBlobStore(), 'v0');
    const error = errorOf(() => new RoadmapEngine({ ...options(), queue: countingQueue, blobStore }));
    expect(error.message).toContain('Unsupported blobStore adapter: it has specificationVersion "v0"');
    expect(subscriptions).toBe(0);
  });

  it('builds with the defaults of the box', () => {
    expect(new RoadmapEngine(options()).clock).toBe(systemClock);
  });
});
