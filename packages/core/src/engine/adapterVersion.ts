import { RoadmapError } from '../shared/errors.js';

/**
 * The version of the adapter contracts (`Storage`, `Queue`, `LanguageModel`, `ImageProvider`, `BlobStore`, `Clock`)
 * this engine speaks. Each adapter declares the version it implements in `specificationVersion`, so a contract can
 * change without an old adapter failing later in some unexpected call (the AI SDK checks `LanguageModelV2` the same
 * way when it resolves a model).
 */
export const supportedSpecificationVersion = 'v1';

/** The adapters an engine is built from, by the option that names each. */
export interface EngineAdapters {
  storage: unknown;
  queue: unknown;
  model: unknown;
  imageProvider: unknown;
  blobStore: unknown;
  clock: unknown;
}

/**
 * Checks every adapter before the engine uses any: throws `RoadmapError('invalid_input')` for one that is not an
 * object, and `RoadmapError('unsupported_adapter_version')` for one whose `specificationVersion` is not
 * {@link supportedSpecificationVersion} — naming the adapter (its option, and its `provider` and `modelId` when it
 * has them) and the version it declares.
 */
export function assertAdapterVersions(adapters: EngineAdapters): void {
  for (const [option, adapter] of Object.entries(adapters)) {
    if ((typeof adapter !== 'object' && typeof adapter !== 'function') || adapter === null) {
      const got = adapter === null ? 'null' : typeof adapter;
      throw new RoadmapError('invalid_input', `The ${option} adapter is missing: RoadmapEngine got ${got}.`);
    }
    const version: unknown = (adapter as { specificationVersion?: unknown }).specificationVersion;
    if (version === supportedSpecificationVersion) continue;
    const found =
      version === undefined
        ? 'declares no specificationVersion'
        : `has specificationVersion ${JSON.stringify(version)}`;
    throw new RoadmapError(
      'unsupported_adapter_version',
      `Unsupported ${describeAdapter(option, adapter)}: it ${found}, but this version of @roadmap/core only supports ` +
        `adapters of specification version "${supportedSpecificationVersion}". Use a release of the adapter made ` +
        'for this version of @roadmap/core.',
    );
  }
}

/** `model adapter (provider "openai", model "gpt-4o-mini")`, or `storage adapter` when it names no provider. */
function describeAdapter(option: string, adapter: object): string {
  const { provider, modelId } = adapter as { provider?: unknown; modelId?: unknown };
  const names = [
    ...(typeof provider === 'string' ? [`provider ${JSON.stringify(provider)}`] : []),
    ...(typeof modelId === 'string' ? [`model ${JSON.stringify(modelId)}`] : []),
  ];
  return names.length === 0 ? `${option} adapter` : `${option} adapter (${names.join(', ')})`;
}
