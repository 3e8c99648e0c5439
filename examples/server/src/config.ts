import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BudgetPeriod, budgetPeriods, type ModelPrices, modelPricesSchema } from '@roadmap/core';

/** The environment the server reads: `process.env` or any plain object (tests). */
export type Environment = Record<string, string | undefined>;

export type Role = 'api' | 'worker' | 'all';
export const roles: readonly Role[] = ['api', 'worker', 'all'];

export type ImageProviderKind = 'offline' | 'openai' | 'unsplash' | 'webhook';
export const imageProviderKinds: readonly ImageProviderKind[] = ['offline', 'openai', 'unsplash', 'webhook'];

/** `examples/web/dist`, where `pnpm --filter @roadmap/example-web run build` writes the demo web app. */
export const defaultWebDir = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * Secret used with `ROADMAP_DEV_LOGIN=1` when `ROADMAP_JWT_SECRET` is unset. It is public: anyone can mint tokens
 * with it, so the server only uses it when asked to by that flag, and never under `NODE_ENV=production`.
 */
export const devJwtSecret = 'roadmap-kit-dev-secret-do-not-use-in-production';

/** How bearer tokens are checked: an HS256 secret, or the JSON Web Key Set of an identity provider (RS256). */
export type AuthConfig =
  | { kind: 'secret'; secret: string; issuer: string | undefined; audience: string | undefined }
  | { kind: 'jwks'; url: string; issuer: string | undefined; audience: string | undefined };

export type ModelConfig =
  | { kind: 'openai'; apiKey: string; baseURL: string | undefined; model: string | undefined }
  /** `latencyMs` undefined: the demo model's own pace (`ROADMAP_DEMO_LATENCY_MS=realistic`). */
  | { kind: 'demo'; latencyMs: number | undefined };

export type ImageProviderConfig =
  | { kind: 'offline' }
  | { kind: 'openai'; apiKey: string; baseURL: string | undefined; model: string | undefined }
  | { kind: 'unsplash'; accessKey: string }
  | { kind: 'webhook'; url: string };

/** Everything SPEC §5 configures, validated. */
export interface ServerConfig {
  port: number;
  /**
   * `ROADMAP_JWT_SECRET` (or {@link devJwtSecret} with `ROADMAP_DEV_LOGIN=1`), or `ROADMAP_JWKS_URL`; with the
   * `iss` and `aud` that `ROADMAP_JWT_ISSUER` and `ROADMAP_JWT_AUDIENCE` require.
   */
  auth: AuthConfig;
  /** True when `ROADMAP_JWT_SECRET` was unset and {@link devJwtSecret} is used (only with `ROADMAP_DEV_LOGIN=1`). */
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
  /** `ROADMAP_EVENT_RETENTION` in milliseconds: how long the event log keeps finished tasks' events (default 7 days). */
  eventRetentionMs: number;
  /** `ROADMAP_PRICES`: model prices (USD per million tokens) over the engine's defaults; empty when unset. */
  prices: ModelPrices;
  /** `ROADMAP_BUDGET_PERIOD`: the UTC `day` or `month` (default) that `GET /usage` and user budgets cover. */
  budgetPeriod: BudgetPeriod;
  /** `ROADMAP_USER_BUDGET_USD`: what each user may spend per period; `undefined`: unlimited (default). */
  userBudgetUsd: number | undefined;
  /** `ROADMAP_USER_CONCURRENCY`: tasks of one user processing at once across every worker (default 2). */
  userConcurrency: number;
  /** `ROADMAP_WS_CONNECTIONS_PER_USER`: open WebSockets per user and process (default 20). */
  webSocketConnectionsPerUser: number;
  /** `ROADMAP_DEMO_LATENCY_MS`: per-call latency of the demo model; `undefined` for its own pace (`realistic`). */
  demoLatencyMs: number | undefined;
  logLevel: string;
  /** Absolute path of `ROADMAP_WEB_DIR` (default {@link defaultWebDir}): the built web app, served when it exists. */
  webDir: string;
  /** True when the dev login (printed link, `POST /api/dev/login`) is on: `ROADMAP_DEV_LOGIN=1`, not production. */
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

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration: `7d`, `12h`, `30m`, `45s`, `500ms`, or a whole number of milliseconds; from `min` to `max` ms. */
function duration(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const match = /^(\d+)\s*(ms|s|m|h|d)?$/i.exec(raw);
  if (!match) {
    problems.push(`${name} must be a duration such as 7d, 12h, 30m or milliseconds, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  const value = Number(match[1]) * (durationUnits[(match[2] ?? 'ms').toLowerCase()] ?? 1);
  if (value < min || value > max) {
    problems.push(`${name} must be from ${min} to ${max} milliseconds, got ${value}`);
    return fallback;
  }
  return value;
}

/** `ROADMAP_PRICES`: JSON `{ "<model id>": { "input_usd_per_million": n, "output_usd_per_million": n } }`. */
function modelPrices(env: Environment, problems: string[]): ModelPrices {
  const raw = read(env, 'ROADMAP_PRICES');
  if (raw === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    problems.push(
      'ROADMAP_PRICES must be JSON such as {"gpt-4o-mini":{"input_usd_per_million":0.15,"output_usd_per_million":0.6}}',
    );
    return {};
  }
  const parsed = modelPricesSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  problems.push(`ROADMAP_PRICES: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  return {};
}

/** An amount of US dollars, 0 or more; `undefined` when unset. */
function dollars(env: Environment, name: string, problems: string[]): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(value)) {
    problems.push(`${name} must be an amount of US dollars such as 25 or 7.50, got ${JSON.stringify(raw)}`);
    return undefined;
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

  const { auth, devLogin } = authentication(env, production, problems, warnings);

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
  // `realistic`: the demo model's own pace per operation, about 30 s a roadmap (what `pnpm demo` sets).
  const demoLatencyMs =
    read(env, 'ROADMAP_DEMO_LATENCY_MS') === 'realistic'
      ? undefined
      : integer(env, 'ROADMAP_DEMO_LATENCY_MS', 250, 0, 600_000, problems);
  const eventRetentionMs = duration(
    env,
    'ROADMAP_EVENT_RETENTION',
    7 * 86_400_000,
    60_000,
    3650 * 86_400_000,
    problems,
  );
  const webSocketConnectionsPerUser = integer(env, 'ROADMAP_WS_CONNECTIONS_PER_USER', 20, 1, 10_000, problems);
  const prices = modelPrices(env, problems);
  const userConcurrency = integer(env, 'ROADMAP_USER_CONCURRENCY', 2, 1, 1_000, problems);
  const budgetPeriod = oneOf(env, 'ROADMAP_BUDGET_PERIOD', budgetPeriods, 'month', problems);
  const userBudgetUsd = dollars(env, 'ROADMAP_USER_BUDGET_USD', problems);

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
    auth,
    usingDevJwtSecret: auth.kind === 'secret' && auth.secret === devJwtSecret,
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
    eventRetentionMs,
    webSocketConnectionsPerUser,
    prices,
    budgetPeriod,
    userBudgetUsd,
    userConcurrency,
    demoLatencyMs,
    logLevel,
    webDir,
    devLogin,
    warnings,
  };
}

/** `ROADMAP_DEV_LOGIN`: `1` on, `0` or unset off. */
function devLoginFlag(env: Environment, problems: string[]): boolean {
  const raw = read(env, 'ROADMAP_DEV_LOGIN');
  if (raw === undefined || raw === '0') return false;
  if (raw === '1') return true;
  problems.push(`ROADMAP_DEV_LOGIN must be 1 (on) or 0 (off), got ${JSON.stringify(raw)}`);
  return false;
}

const missingSecret =
  'ROADMAP_JWT_SECRET is required: set it to a long random secret (openssl rand -hex 32), or set ROADMAP_JWKS_URL ' +
  "to your identity provider's key set. For a local demo only, set ROADMAP_DEV_LOGIN=1 (a public dev secret and a " +
  'dev login; npm run demo does).';

/**
 * The token check of SPEC §5, failing closed: `ROADMAP_JWT_SECRET` or `ROADMAP_JWKS_URL` is required, unless
 * `ROADMAP_DEV_LOGIN=1` asks for the public dev secret and the dev login, which `NODE_ENV=production` refuses.
 * Whatever `NODE_ENV` says otherwise, nothing falls back to the dev secret on its own.
 */
function authentication(
  env: Environment,
  production: boolean,
  problems: string[],
  warnings: string[],
): { auth: AuthConfig; devLogin: boolean } {
  const devLogin = devLoginFlag(env, problems);
  const secret = read(env, 'ROADMAP_JWT_SECRET');
  const jwksSetting = read(env, 'ROADMAP_JWKS_URL');
  const jwksUrl = url(env, 'ROADMAP_JWKS_URL', ['https:', 'http:'], problems);
  const issuer = read(env, 'ROADMAP_JWT_ISSUER');
  const audience = read(env, 'ROADMAP_JWT_AUDIENCE');
  const refused = { auth: { kind: 'secret', secret: '', issuer, audience } as AuthConfig, devLogin: false };

  if (devLogin && production) {
    problems.push(
      'ROADMAP_DEV_LOGIN=1 is refused when NODE_ENV=production: it signs tokens with a public secret. ' +
        'Set ROADMAP_JWT_SECRET (or ROADMAP_JWKS_URL) instead.',
    );
    return refused;
  }
  if (jwksSetting !== undefined) {
    if (secret !== undefined) {
      problems.push(
        'Set either ROADMAP_JWT_SECRET (HS256 tokens) or ROADMAP_JWKS_URL (an identity provider), not both',
      );
    } else if (devLogin) {
      problems.push(
        'ROADMAP_DEV_LOGIN=1 signs tokens with the HS256 dev secret: it cannot be combined with ROADMAP_JWKS_URL',
      );
    } else if (issuer === undefined || audience === undefined) {
      problems.push(
        'ROADMAP_JWKS_URL needs ROADMAP_JWT_ISSUER and ROADMAP_JWT_AUDIENCE: one provider signs tokens for many ' +
          'applications, so only tokens issued for this API may be accepted',
      );
    } else if (jwksUrl !== undefined) {
      return { auth: { kind: 'jwks', url: jwksUrl, issuer, audience }, devLogin: false };
    }
    return refused;
  }
  if (secret === undefined) {
    if (!devLogin) {
      problems.push(missingSecret);
      return refused;
    }
    warnings.push(
      'ROADMAP_DEV_LOGIN=1: anyone can sign in, and anyone can mint tokens with the public dev secret. ' +
        'For local demos only; set ROADMAP_JWT_SECRET for real use.',
    );
    return { auth: { kind: 'secret', secret: devJwtSecret, issuer, audience }, devLogin: true };
  }
  if (secret === devJwtSecret && !devLogin) {
    problems.push('ROADMAP_JWT_SECRET must not be the public dev secret (set ROADMAP_DEV_LOGIN=1 for a local demo)');
    return refused;
  }
  if (devLogin) {
    warnings.push('ROADMAP_DEV_LOGIN=1: anyone who reaches this server can sign in as the demo user.');
  }
  if (secret.length < 32) warnings.push('ROADMAP_JWT_SECRET is shorter than 32 characters; use a long random secret.');
  return { auth: { kind: 'secret', secret, issuer, audience }, devLogin };
}

/** What the token script signs with: the server's HS256 secret (the dev secret only with `ROADMAP_DEV_LOGIN=1`). */
export interface TokenSigning {
  secret: string;
  /** True when it is the public dev secret. */
  dev: boolean;
  /** `iss` the server requires (`ROADMAP_JWT_ISSUER`), put in the token. */
  issuer: string | undefined;
  /** `aud` the server requires (`ROADMAP_JWT_AUDIENCE`), put in the token. */
  audience: string | undefined;
}

/** The HS256 signing settings alone, for the token script, under the same rules as the server's. */
export function resolveTokenSigning(env: Environment): TokenSigning {
  const problems: string[] = [];
  const { auth } = authentication(env, read(env, 'NODE_ENV') === 'production', problems, []);
  if (problems.length === 0 && auth.kind === 'jwks') {
    problems.push('ROADMAP_JWKS_URL is set: tokens come from your identity provider, this script cannot sign them');
  }
  if (problems.length > 0 || auth.kind !== 'secret') throw new ConfigError(problems);
  return { secret: auth.secret, dev: auth.secret === devJwtSecret, issuer: auth.issuer, audience: auth.audience };
}
