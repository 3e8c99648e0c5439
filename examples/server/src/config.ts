import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment the server reads: `process.env` or any plain object (tests). */
export type Environment = Record<string, string | undefined>;

export type Role = 'api' | 'worker' | 'all';
export const roles: readonly Role[] = ['api', 'worker', 'all'];

export type ImageProviderKind = 'offline' | 'openai' | 'unsplash' | 'webhook';
export const imageProviderKinds: readonly ImageProviderKind[] = ['offline', 'openai', 'unsplash', 'webhook'];

/** `examples/web/dist`, where `pnpm --filter @roadmap/example-web run build` writes the demo web app. */
export const defaultWebDir = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Secret used when `ROADMAP_JWT_SECRET` is unset outside production. Anyone can mint tokens with it. */
export const devJwtSecret = 'roadmap-kit-dev-secret-do-not-use-in-production';

export type ModelConfig =
  | { kind: 'openai'; apiKey: string; baseURL: string | undefined; model: string | undefined }
  | { kind: 'demo'; latencyMs: number };

export type ImageProviderConfig =
  | { kind: 'offline' }
  | { kind: 'openai'; apiKey: string; baseURL: string | undefined; model: string | undefined }
  | { kind: 'unsplash'; accessKey: string }
  | { kind: 'webhook'; url: string };

/** Everything SPEC §5 configures, validated. */
export interface ServerConfig {
  port: number;
  jwtSecret: string;
  /** True when `ROADMAP_JWT_SECRET` was unset and {@link devJwtSecret} is used. */
  usingDevJwtSecret: boolean;
  production: boolean;
  /** Absolute path of `ROADMAP_DATA_DIR`. */
  dataDir: string;
  /** `${dataDir}/roadmap.db`, used unless `databaseUrl` is set. */
  sqliteFile: string;
  /** `${dataDir}/cover-images`: the file blob store. */
  coverImageDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  role: Role;
  model: ModelConfig;
  imageProvider: ImageProviderConfig;
  concurrency: number;
  leaseMs: number;
  demoLatencyMs: number;
  logLevel: string;
  /** Absolute path of `ROADMAP_WEB_DIR` (default {@link defaultWebDir}): the built web app, served when it exists. */
  webDir: string;
  /** True when the dev login (printed link, `POST /api/dev/login`) is on: dev secret in use, not production. */
  devLogin: boolean;
  /** Things worth saying at start (e.g. the dev secret is in use). */
  warnings: string[];
}

/** Thrown by {@link parseConfig} with every problem found, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid server configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads a variable; empty or whitespace-only counts as unset. */
function read(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) {
    problems.push(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  const value = Number(raw);
  if (value < min || value > max) {
    problems.push(`${name} must be from ${min} to ${max}, got ${value}`);
    return fallback;
  }
  return value;
}

function url(env: Environment, name: string, protocols: string[], problems: string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    problems.push(`${name} is not a valid URL (expected ${protocols.map((p) => `${p}//…`).join(' or ')})`);
    return undefined;
  }
  if (!protocols.includes(parsed.protocol)) {
    problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got ${parsed.protocol}//…`);
    return undefined;
  }
  return raw;
}

function oneOf<T extends string>(
  env: Environment,
  name: string,
  allowed: readonly T[],
  fallback: T,
  problems: string[],
): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase() as T;
  if (!allowed.includes(value)) {
    problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  return value;
}

/**
 * Parses and validates the server environment (SPEC §5). Pure: reads only `env` (and resolves `ROADMAP_DATA_DIR`
 * against `cwd`). Throws a {@link ConfigError} listing every bad value.
 */
export function parseConfig(env: Environment, cwd: string = process.cwd()): ServerConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const production = read(env, 'NODE_ENV') === 'production';

  const port = integer(env, 'PORT', 3000, 0, 65_535, problems);

  const secret = read(env, 'ROADMAP_JWT_SECRET');
  if (secret === undefined && production) {
    problems.push('ROADMAP_JWT_SECRET is required when NODE_ENV=production (the dev secret is refused)');
  } else if (secret === undefined) {
    warnings.push(
      'ROADMAP_JWT_SECRET is not set: using the built-in dev secret. Anyone can mint tokens; set a secret for real use.',
    );
  } else if (secret === devJwtSecret && production) {
    problems.push('ROADMAP_JWT_SECRET must not be the dev secret when NODE_ENV=production');
  } else if (secret.length < 32) {
    warnings.push('ROADMAP_JWT_SECRET is shorter than 32 characters; use a long random secret.');
  }

  const dataDir = path.resolve(cwd, read(env, 'ROADMAP_DATA_DIR') ?? '.roadmap-data');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:'], problems);

  const role = oneOf(env, 'ROADMAP_ROLE', roles, 'all', problems);
  if (role !== 'all' && read(env, 'REDIS_URL') === undefined) {
    problems.push(
      `ROADMAP_ROLE=${role} needs a shared queue: set REDIS_URL (BullMQ). Without it the queue is in-process, ` +
        'so API and worker must run in one process (ROADMAP_ROLE=all).',
    );
  }

  const concurrency = integer(env, 'ROADMAP_CONCURRENCY', 5, 1, 100, problems);
  const leaseMs = integer(env, 'ROADMAP_LEASE_MS', 30_000, 300, 3_600_000, problems);
  const demoLatencyMs = integer(env, 'ROADMAP_DEMO_LATENCY_MS', 250, 0, 600_000, problems);

  const apiKey = read(env, 'OPENAI_API_KEY');
  const baseURL = url(env, 'OPENAI_BASE_URL', ['http:', 'https:'], problems);
  const model: ModelConfig =
    apiKey === undefined
      ? { kind: 'demo', latencyMs: demoLatencyMs }
      : { kind: 'openai', apiKey, baseURL, model: read(env, 'ROADMAP_MODEL') };

  const imageKind = oneOf(env, 'ROADMAP_IMAGE_PROVIDER', imageProviderKinds, 'offline', problems);
  let imageProvider: ImageProviderConfig = { kind: 'offline' };
  if (imageKind === 'openai') {
    if (apiKey === undefined) problems.push('ROADMAP_IMAGE_PROVIDER=openai needs OPENAI_API_KEY');
    else imageProvider = { kind: 'openai', apiKey, baseURL, model: read(env, 'ROADMAP_IMAGE_MODEL') };
  } else if (imageKind === 'unsplash') {
    const accessKey = read(env, 'UNSPLASH_ACCESS_KEY');
    if (accessKey === undefined) problems.push('ROADMAP_IMAGE_PROVIDER=unsplash needs UNSPLASH_ACCESS_KEY');
    else imageProvider = { kind: 'unsplash', accessKey };
  } else if (imageKind === 'webhook') {
    const webhook = url(env, 'ROADMAP_IMAGE_WEBHOOK_URL', ['http:', 'https:'], problems);
    if (read(env, 'ROADMAP_IMAGE_WEBHOOK_URL') === undefined) {
      problems.push('ROADMAP_IMAGE_PROVIDER=webhook needs ROADMAP_IMAGE_WEBHOOK_URL');
    } else if (webhook !== undefined) imageProvider = { kind: 'webhook', url: webhook };
  }

  const logLevel = oneOf(env, 'ROADMAP_LOG_LEVEL', logLevels, 'info', problems);
  const webDirSetting = read(env, 'ROADMAP_WEB_DIR');
  const webDir = webDirSetting === undefined ? defaultWebDir : path.resolve(cwd, webDirSetting);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    jwtSecret: secret ?? devJwtSecret,
    usingDevJwtSecret: secret === undefined,
    production,
    dataDir,
    sqliteFile: path.join(dataDir, 'roadmap.db'),
    coverImageDir: path.join(dataDir, 'cover-images'),
    databaseUrl,
    redisUrl,
    role,
    model,
    imageProvider,
    concurrency,
    leaseMs,
    demoLatencyMs,
    logLevel,
    webDir,
    devLogin: secret === undefined && !production,
    warnings,
  };
}

/** The JWT secret alone (for the token script): `ROADMAP_JWT_SECRET`, else the dev secret outside production. */
export function resolveJwtSecret(env: Environment): { secret: string; dev: boolean } {
  const secret = read(env, 'ROADMAP_JWT_SECRET');
  if (secret !== undefined) return { secret, dev: false };
  if (read(env, 'NODE_ENV') === 'production') {
    throw new ConfigError(['ROADMAP_JWT_SECRET is required when NODE_ENV=production (the dev secret is refused)']);
  }
  return { secret: devJwtSecret, dev: true };
}
