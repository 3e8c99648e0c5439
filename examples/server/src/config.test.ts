import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultWebDir, devJwtSecret, parseConfig, resolveTokenSigning } from './config.js';

const cwd = '/srv/app';

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies the SPEC §5 defaults to an environment with only the dev login flag', () => {
    const config = parseConfig({ ROADMAP_DEV_LOGIN: '1' }, cwd);
    expect(config).toMatchObject({
      port: 3000,
      auth: { kind: 'secret', secret: devJwtSecret, issuer: undefined, audience: undefined },
      usingDevJwtSecret: true,
      devLogin: true,
      production: false,
      dataDir: path.resolve(cwd, '.roadmap-data'),
      sqliteFile: path.resolve(cwd, '.roadmap-data/roadmap.db'),
      coverImageDir: path.resolve(cwd, '.roadmap-data/cover-images'),
      databaseUrl: undefined,
      redisUrl: undefined,
      role: 'all',
      model: { kind: 'demo', latencyMs: 250 },
      imageProvider: { kind: 'offline' },
      concurrency: 5,
      leaseMs: 30_000,
      eventRetentionMs: 7 * 86_400_000,
      webSocketConnectionsPerUser: 20,
      prices: {},
      budgetPeriod: 'month',
      userBudgetUsd: undefined,
      userConcurrency: 2,
      demoLatencyMs: 250,
      logLevel: 'info',
    });
    expect(config.warnings.join('\n')).toMatch(/dev secret/);
  });

  it('reads every variable', () => {
    const config = parseConfig(
      {
        PORT: '0',
        ROADMAP_JWT_SECRET: 'x'.repeat(40),
        ROADMAP_DATA_DIR: 'data',
        DATABASE_URL: 'postgres://u:p@db:5432/roadmap',
        REDIS_URL: 'redis://cache:6379',
        ROADMAP_ROLE: 'worker',
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: 'http://localhost:11434/v1',
        ROADMAP_MODEL: 'llama3.1',
        ROADMAP_IMAGE_PROVIDER: 'openai',
        ROADMAP_IMAGE_MODEL: 'dall-e-3',
        ROADMAP_CONCURRENCY: '8',
        ROADMAP_LEASE_MS: '1000',
        ROADMAP_DEMO_LATENCY_MS: '0',
        ROADMAP_EVENT_RETENTION: '12h',
        ROADMAP_WS_CONNECTIONS_PER_USER: '50',
        ROADMAP_PRICES: '{"llama3.1":{"input_usd_per_million":0.05,"output_usd_per_million":0.08}}',
        ROADMAP_BUDGET_PERIOD: 'day',
        ROADMAP_USER_BUDGET_USD: '7.50',
        ROADMAP_USER_CONCURRENCY: '3',
      },
      cwd,
    );
    expect(config).toMatchObject({
      port: 0,
      auth: { kind: 'secret', secret: 'x'.repeat(40), issuer: undefined, audience: undefined },
      usingDevJwtSecret: false,
      devLogin: false,
      dataDir: '/srv/app/data',
      databaseUrl: 'postgres://u:p@db:5432/roadmap',
      redisUrl: 'redis://cache:6379',
      role: 'worker',
      model: { kind: 'openai', apiKey: 'sk-test', baseURL: 'http://localhost:11434/v1', model: 'llama3.1' },
      imageProvider: { kind: 'openai', apiKey: 'sk-test', model: 'dall-e-3' },
      concurrency: 8,
      leaseMs: 1000,
      eventRetentionMs: 12 * 3_600_000,
      webSocketConnectionsPerUser: 50,
      prices: { 'llama3.1': { input_usd_per_million: 0.05, output_usd_per_million: 0.08 } },
      budgetPeriod: 'day',
      userBudgetUsd: 7.5,
      userConcurrency: 3,
      demoLatencyMs: 0,
      warnings: [],
    });
  });

  it('reads ROADMAP_EVENT_RETENTION as days, hours, minutes, seconds or milliseconds, and refuses the rest', () => {
    const retention = (value: string) =>
      parseConfig({ ROADMAP_DEV_LOGIN: '1', ROADMAP_EVENT_RETENTION: value }, cwd).eventRetentionMs;
    expect(retention('30d')).toBe(30 * 86_400_000);
    expect(retention('36H')).toBe(36 * 3_600_000);
    expect(retention('90m')).toBe(90 * 60_000);
    expect(retention('120s')).toBe(120_000);
    expect(retention('600000')).toBe(600_000);
    expect(retention('90000ms')).toBe(90_000);
    expect(problemsOf({ ROADMAP_DEV_LOGIN: '1', ROADMAP_EVENT_RETENTION: '1 week' })).toEqual([
      'ROADMAP_EVENT_RETENTION must be a duration such as 7d, 12h, 30m or milliseconds, got "1 week"',
    ]);
    expect(
      problemsOf({ ROADMAP_DEV_LOGIN: '1', ROADMAP_EVENT_RETENTION: '10s', ROADMAP_WS_CONNECTIONS_PER_USER: '0' }),
    ).toEqual([
      'ROADMAP_EVENT_RETENTION must be from 60000 to 315360000000 milliseconds, got 10000',
      'ROADMAP_WS_CONNECTIONS_PER_USER must be from 1 to 10000, got 0',
    ]);
  });

  it('refuses prices that are not a price table, an unknown period and a budget that is not dollars', () => {
    expect(
      problemsOf({
        ROADMAP_DEV_LOGIN: '1',
        ROADMAP_PRICES: '{"gpt-4o":{"input_usd_per_million":"cheap","output_usd_per_million":1}}',
        ROADMAP_BUDGET_PERIOD: 'week',
        ROADMAP_USER_BUDGET_USD: '-5',
      }),
    ).toEqual([
      'ROADMAP_PRICES: gpt-4o.input_usd_per_million: Invalid input: expected number, received string',
      'ROADMAP_BUDGET_PERIOD must be one of day, month, got "week"',
      'ROADMAP_USER_BUDGET_USD must be an amount of US dollars such as 25 or 7.50, got "-5"',
    ]);
    expect(problemsOf({ ROADMAP_DEV_LOGIN: '1', ROADMAP_PRICES: 'gpt-4o=2.5' })).toEqual([
      'ROADMAP_PRICES must be JSON such as {"gpt-4o-mini":{"input_usd_per_million":0.15,"output_usd_per_million":0.6}}',
    ]);
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ PORT: '', ROADMAP_ROLE: ' ', OPENAI_API_KEY: '', ROADMAP_DEV_LOGIN: '1' }, cwd)).toMatchObject(
      {
        port: 3000,
        role: 'all',
        model: { kind: 'demo' },
      },
    );
  });

  it('ROADMAP_DEMO_LATENCY_MS=realistic gives the demo model its own pace; the demo script sets it', async () => {
    expect(parseConfig({ ROADMAP_DEV_LOGIN: '1', ROADMAP_DEMO_LATENCY_MS: 'realistic' }, cwd).model).toEqual({
      kind: 'demo',
      latencyMs: undefined,
    });
    expect(parseConfig({ ROADMAP_DEV_LOGIN: '1', ROADMAP_DEMO_LATENCY_MS: '40' }, cwd).model).toEqual({
      kind: 'demo',
      latencyMs: 40,
    });
    const demoScript = await readFile(path.join(import.meta.dirname, 'demo.ts'), 'utf8');
    expect(demoScript).toContain("process.env.ROADMAP_DEMO_LATENCY_MS ??= 'realistic';");
  });

  it('reports every bad number with its name and range', () => {
    const problems = problemsOf({
      ROADMAP_DEV_LOGIN: '1',
      PORT: 'abc',
      ROADMAP_CONCURRENCY: '0',
      ROADMAP_LEASE_MS: '-5',
      ROADMAP_DEMO_LATENCY_MS: '1.5',
    });
    expect(problems).toEqual([
      'PORT must be a whole number from 0 to 65535, got "abc"',
      'ROADMAP_CONCURRENCY must be from 1 to 100, got 0',
      'ROADMAP_LEASE_MS must be a whole number from 300 to 3600000, got "-5"',
      'ROADMAP_DEMO_LATENCY_MS must be a whole number from 0 to 600000, got "1.5"',
    ]);
    expect(problemsOf({ PORT: '70000', ROADMAP_DEV_LOGIN: '1' })).toEqual(['PORT must be from 0 to 65535, got 70000']);
  });

  it('refuses to start without ROADMAP_JWT_SECRET unless ROADMAP_DEV_LOGIN=1, whatever NODE_ENV says', () => {
    for (const nodeEnv of [undefined, '', 'staging', 'development', 'test', 'production']) {
      const problems = problemsOf(nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv });
      expect(problems, `NODE_ENV=${nodeEnv}`).toHaveLength(1);
      expect(problems[0]).toMatch(/^ROADMAP_JWT_SECRET is required: set it to a long random secret/);
      expect(problems[0]).toContain('ROADMAP_DEV_LOGIN=1');
    }
  });

  it('ROADMAP_DEV_LOGIN=1 turns on the public dev secret and the dev login, and is refused in production', () => {
    const staging = parseConfig({ ROADMAP_DEV_LOGIN: '1', NODE_ENV: 'staging' }, cwd);
    expect(staging).toMatchObject({ devLogin: true, usingDevJwtSecret: true, auth: { secret: devJwtSecret } });
    expect(staging.warnings.join('\n')).toMatch(/ROADMAP_DEV_LOGIN=1: anyone can sign in/);
    expect(problemsOf({ ROADMAP_DEV_LOGIN: '1', NODE_ENV: 'production' })).toEqual([
      'ROADMAP_DEV_LOGIN=1 is refused when NODE_ENV=production: it signs tokens with a public secret. ' +
        'Set ROADMAP_JWT_SECRET (or ROADMAP_JWKS_URL) instead.',
    ]);
    expect(
      problemsOf({ ROADMAP_DEV_LOGIN: '1', NODE_ENV: 'production', ROADMAP_JWT_SECRET: 's'.repeat(32) }),
    ).toHaveLength(1);
    // With its own secret, the dev login signs with that secret.
    const own = parseConfig({ ROADMAP_DEV_LOGIN: '1', ROADMAP_JWT_SECRET: 's'.repeat(32) }, cwd);
    expect(own).toMatchObject({ devLogin: true, usingDevJwtSecret: false, auth: { secret: 's'.repeat(32) } });
    expect(parseConfig({ ROADMAP_DEV_LOGIN: '0', ROADMAP_JWT_SECRET: 's'.repeat(32) }, cwd).devLogin).toBe(false);
    expect(problemsOf({ ROADMAP_DEV_LOGIN: 'yes' })).toEqual([
      'ROADMAP_DEV_LOGIN must be 1 (on) or 0 (off), got "yes"',
      expect.stringMatching(/^ROADMAP_JWT_SECRET is required/),
    ]);
  });

  it('refuses the public dev secret as ROADMAP_JWT_SECRET without the dev login flag', () => {
    expect(problemsOf({ ROADMAP_JWT_SECRET: devJwtSecret })).toEqual([
      'ROADMAP_JWT_SECRET must not be the public dev secret (set ROADMAP_DEV_LOGIN=1 for a local demo)',
    ]);
    expect(problemsOf({ NODE_ENV: 'production', ROADMAP_JWT_SECRET: devJwtSecret })).toHaveLength(1);
    expect(parseConfig({ NODE_ENV: 'production', ROADMAP_JWT_SECRET: 's'.repeat(32) }, cwd).production).toBe(true);
  });

  it('requires iss and aud when ROADMAP_JWT_ISSUER and ROADMAP_JWT_AUDIENCE are set', () => {
    expect(
      parseConfig(
        {
          ROADMAP_JWT_SECRET: 's'.repeat(32),
          ROADMAP_JWT_ISSUER: 'https://auth.example',
          ROADMAP_JWT_AUDIENCE: 'roadmap',
        },
        cwd,
      ).auth,
    ).toEqual({ kind: 'secret', secret: 's'.repeat(32), issuer: 'https://auth.example', audience: 'roadmap' });
  });

  it('checks tokens against an identity provider with ROADMAP_JWKS_URL instead of a secret', () => {
    const provider = { ROADMAP_JWT_ISSUER: 'https://auth.example/', ROADMAP_JWT_AUDIENCE: 'roadmap-api' };
    const config = parseConfig({ ROADMAP_JWKS_URL: 'https://auth.example/.well-known/jwks.json', ...provider }, cwd);
    expect(config.auth).toEqual({
      kind: 'jwks',
      url: 'https://auth.example/.well-known/jwks.json',
      issuer: 'https://auth.example/',
      audience: 'roadmap-api',
    });
    expect(config.devLogin).toBe(false);
    expect(
      problemsOf({ ROADMAP_JWKS_URL: 'https://a.example/jwks', ROADMAP_JWT_ISSUER: 'https://a.example/' }),
    ).toEqual([expect.stringMatching(/^ROADMAP_JWKS_URL needs ROADMAP_JWT_ISSUER and ROADMAP_JWT_AUDIENCE/)]);
    expect(
      problemsOf({ ROADMAP_JWKS_URL: 'https://a.example/jwks', ROADMAP_JWT_SECRET: 's'.repeat(32), ...provider }),
    ).toEqual(['Set either ROADMAP_JWT_SECRET (HS256 tokens) or ROADMAP_JWKS_URL (an identity provider), not both']);
    expect(problemsOf({ ROADMAP_JWKS_URL: 'https://a.example/jwks', ROADMAP_DEV_LOGIN: '1', ...provider })).toEqual([
      'ROADMAP_DEV_LOGIN=1 signs tokens with the HS256 dev secret: it cannot be combined with ROADMAP_JWKS_URL',
    ]);
    expect(problemsOf({ ROADMAP_JWKS_URL: 'ftp://a.example/jwks', ...provider })[0]).toMatch(
      /^ROADMAP_JWKS_URL must start with/,
    );
  });

  it('warns about a short secret', () => {
    expect(parseConfig({ ROADMAP_JWT_SECRET: 'short' }, cwd).warnings[0]).toMatch(/shorter than 32/);
  });

  it('refuses roles api and worker without REDIS_URL', () => {
    for (const role of ['api', 'worker']) {
      const [problem] = problemsOf({ ROADMAP_ROLE: role, ROADMAP_DEV_LOGIN: '1' });
      expect(problem).toContain(`ROADMAP_ROLE=${role} needs a shared queue: set REDIS_URL`);
    }
    expect(parseConfig({ ROADMAP_ROLE: 'API', REDIS_URL: 'redis://r', ROADMAP_DEV_LOGIN: '1' }, cwd).role).toBe('api');
  });

  it('refuses unknown roles and image providers', () => {
    expect(problemsOf({ ROADMAP_DEV_LOGIN: '1', ROADMAP_ROLE: 'web' })).toEqual([
      'ROADMAP_ROLE must be one of api, worker, all, got "web"',
    ]);
    expect(problemsOf({ ROADMAP_DEV_LOGIN: '1', ROADMAP_IMAGE_PROVIDER: 'dalle' })).toEqual([
      'ROADMAP_IMAGE_PROVIDER must be one of offline, openai, unsplash, webhook, got "dalle"',
    ]);
  });

  it('checks URLs', () => {
    expect(problemsOf({ ROADMAP_DEV_LOGIN: '1', DATABASE_URL: 'mysql://db' })).toEqual([
      'DATABASE_URL must start with postgres:// or postgresql://, got mysql://…',
    ]);
    expect(problemsOf({ ROADMAP_DEV_LOGIN: '1', REDIS_URL: 'not a url' })).toEqual([
      'REDIS_URL is not a valid URL (expected redis://… or rediss://…)',
    ]);
    expect(problemsOf({ ROADMAP_DEV_LOGIN: '1', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'ftp://x' })[0]).toMatch(
      /^OPENAI_BASE_URL must start/,
    );
  });

  it('needs the credentials of the chosen image provider', () => {
    expect(problemsOf({ ROADMAP_DEV_LOGIN: '1', ROADMAP_IMAGE_PROVIDER: 'openai' })).toEqual([
      'ROADMAP_IMAGE_PROVIDER=openai needs OPENAI_API_KEY',
    ]);
    expect(problemsOf({ ROADMAP_DEV_LOGIN: '1', ROADMAP_IMAGE_PROVIDER: 'unsplash' })).toEqual([
      'ROADMAP_IMAGE_PROVIDER=unsplash needs UNSPLASH_ACCESS_KEY',
    ]);
    expect(problemsOf({ ROADMAP_DEV_LOGIN: '1', ROADMAP_IMAGE_PROVIDER: 'webhook' })).toEqual([
      'ROADMAP_IMAGE_PROVIDER=webhook needs ROADMAP_IMAGE_WEBHOOK_URL',
    ]);
    expect(
      parseConfig(
        {
          ROADMAP_DEV_LOGIN: '1',
          ROADMAP_IMAGE_PROVIDER: 'webhook',
          ROADMAP_IMAGE_WEBHOOK_URL: 'https://hook.example/img',
        },
        cwd,
      ).imageProvider,
    ).toEqual({ kind: 'webhook', url: 'https://hook.example/img' });
    expect(
      parseConfig({ ROADMAP_DEV_LOGIN: '1', ROADMAP_IMAGE_PROVIDER: 'unsplash', UNSPLASH_ACCESS_KEY: 'abc' }, cwd)
        .imageProvider,
    ).toEqual({
      kind: 'unsplash',
      accessKey: 'abc',
    });
  });

  it('serves the web build of examples/web by default, or ROADMAP_WEB_DIR; dev login only with ROADMAP_DEV_LOGIN=1', () => {
    const defaults = parseConfig({ ROADMAP_DEV_LOGIN: '1' }, cwd);
    expect(defaults.webDir).toBe(defaultWebDir);
    expect(defaultWebDir.split(path.sep).slice(-3)).toEqual(['examples', 'web', 'dist']);
    expect(defaults.devLogin).toBe(true);
    expect(parseConfig({ ROADMAP_DEV_LOGIN: '1', ROADMAP_WEB_DIR: 'public' }, cwd).webDir).toBe('/srv/app/public');
    expect(parseConfig({ ROADMAP_JWT_SECRET: 'x'.repeat(40) }, cwd).devLogin).toBe(false);
    expect(parseConfig({ ROADMAP_JWT_SECRET: 'x'.repeat(40), NODE_ENV: 'production' }, cwd).devLogin).toBe(false);
  });

  it('lists all problems in one message', () => {
    expect(() => parseConfig({ ROADMAP_DEV_LOGIN: '1', PORT: 'x', ROADMAP_ROLE: 'nope' }, cwd)).toThrow(
      'Invalid server configuration:\n  - PORT must be a whole number from 0 to 65535, got "x"\n  - ROADMAP_ROLE must be one of api, worker, all, got "nope"',
    );
  });
});

describe('resolveTokenSigning', () => {
  it('uses ROADMAP_JWT_SECRET (with the required iss and aud), the dev secret only with ROADMAP_DEV_LOGIN=1', () => {
    expect(resolveTokenSigning({ ROADMAP_JWT_SECRET: 'abc' })).toEqual({
      secret: 'abc',
      dev: false,
      issuer: undefined,
      audience: undefined,
    });
    expect(
      resolveTokenSigning({ ROADMAP_JWT_SECRET: 'abc', ROADMAP_JWT_ISSUER: 'https://i', ROADMAP_JWT_AUDIENCE: 'a' }),
    ).toMatchObject({ issuer: 'https://i', audience: 'a' });
    expect(resolveTokenSigning({ ROADMAP_DEV_LOGIN: '1' })).toMatchObject({ secret: devJwtSecret, dev: true });
    expect(() => resolveTokenSigning({})).toThrow(/ROADMAP_JWT_SECRET is required/);
    expect(() => resolveTokenSigning({ NODE_ENV: 'staging' })).toThrow(ConfigError);
    expect(() => resolveTokenSigning({ NODE_ENV: 'production', ROADMAP_DEV_LOGIN: '1' })).toThrow(ConfigError);
  });
});
