import path from 'node:path';

/** The environment the example reads: `process.env` or any plain object (tests). */
export type Environment = Record<string, string | undefined>;

/**
 * Secret of the dev login (`ROADMAP_DEV_LOGIN=1` without `ROADMAP_JWT_SECRET`), the same public one as the reference
 * server's: anyone can mint tokens with it, so it is never used under `NODE_ENV=production`.
 */
export const devJwtSecret = 'roadmap-kit-dev-secret-do-not-use-in-production';

/** What the Next.js example configures, from the same variables as the reference server (SPEC §5). */
export interface NextExampleConfig {
  /** Absolute path of `ROADMAP_DATA_DIR` (default `.roadmap-data` under the directory Next runs in). */
  dataDir: string;
  /** `${dataDir}/roadmap.db`. */
  sqliteFile: string;
  /** `${dataDir}/cover-images`: the file blob store, served at `/api/v1/cover-images/{file}`. */
  coverImageDir: string;
  /** HS256 secret the API checks tokens with: `ROADMAP_JWT_SECRET`, or the dev secret with the dev login. */
  jwtSecret: string;
  /** `ROADMAP_DEV_LOGIN=1` outside production: `POST /api/dev-login` signs a token for the demo user. */
  devLogin: boolean;
  /** `ROADMAP_DEMO_LATENCY_MS` (default 250): per-call latency of the offline demo model, so progress is visible. */
  demoLatencyMs: number;
  /** `ROADMAP_IMAGE_PROVIDER`: `offline` (default) or `webhook` with `ROADMAP_IMAGE_WEBHOOK_URL`. */
  imageProvider: { kind: 'offline' } | { kind: 'webhook'; url: string };
  /** `ROADMAP_CONCURRENCY` (default 5): concepts generated at once per task. */
  concurrency: number;
  /** Things worth saying at start. */
  warnings: string[];
}

function read(environment: Environment, name: string): string | undefined {
  const value = environment[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function wholeNumber(environment: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = read(environment, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Reads the example's configuration. Fails closed as the reference server does: without `ROADMAP_JWT_SECRET` only
 * `ROADMAP_DEV_LOGIN=1` gives a (public) secret, and never under `NODE_ENV=production` — which `next start` always
 * sets, so a production build needs a real secret (`pnpm demo:nextjs` generates one and prints a sign-in link).
 */
export function readConfig(environment: Environment, cwd: string = process.cwd()): NextExampleConfig {
  const warnings: string[] = [];
  const production = read(environment, 'NODE_ENV') === 'production';
  const devLoginAsked = read(environment, 'ROADMAP_DEV_LOGIN') === '1';
  const devLogin = devLoginAsked && !production;
  if (devLoginAsked && production) {
    warnings.push('ROADMAP_DEV_LOGIN=1 is refused under NODE_ENV=production (next start): the dev login stays off.');
  }
  const secret = read(environment, 'ROADMAP_JWT_SECRET');
  if (secret === undefined && !devLogin) {
    throw new Error(
      'ROADMAP_JWT_SECRET is required: set it to a long random secret (openssl rand -hex 32). For a local demo ' +
        'under next dev only, set ROADMAP_DEV_LOGIN=1 (a public dev secret and a dev login).',
    );
  }
  if (secret === devJwtSecret && production) {
    throw new Error('ROADMAP_JWT_SECRET must not be the public dev secret under NODE_ENV=production');
  }
  const dataDir = path.resolve(cwd, read(environment, 'ROADMAP_DATA_DIR') ?? '.roadmap-data');
  const imageKind = read(environment, 'ROADMAP_IMAGE_PROVIDER') ?? 'offline';
  let imageProvider: NextExampleConfig['imageProvider'] = { kind: 'offline' };
  if (imageKind === 'webhook') {
    const url = read(environment, 'ROADMAP_IMAGE_WEBHOOK_URL');
    if (url === undefined) throw new Error('ROADMAP_IMAGE_PROVIDER=webhook needs ROADMAP_IMAGE_WEBHOOK_URL');
    imageProvider = { kind: 'webhook', url };
  } else if (imageKind !== 'offline') {
    throw new Error(`ROADMAP_IMAGE_PROVIDER must be offline or webhook in this example, got ${imageKind}`);
  }
  return {
    dataDir,
    sqliteFile: path.join(dataDir, 'roadmap.db'),
    coverImageDir: path.join(dataDir, 'cover-images'),
    jwtSecret: secret ?? devJwtSecret,
    devLogin,
    demoLatencyMs: wholeNumber(environment, 'ROADMAP_DEMO_LATENCY_MS', 250, 0, 600_000),
    imageProvider,
    concurrency: wholeNumber(environment, 'ROADMAP_CONCURRENCY', 5, 1, 100),
    warnings,
  };
}
