import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultWebDir, devJwtSecret, parseConfig, resolveJwtSecret } from './config.js';

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
  it('applies the SPEC §5 defaults to an empty environment', () => {
    const config = parseConfig({}, cwd);
    expect(config).toMatchObject({
      port: 3000,
      jwtSecret: devJwtSecret,
      usingDevJwtSecret: true,
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
      },
      cwd,
    );
    expect(config).toMatchObject({
      port: 0,
      usingDevJwtSecret: false,
      dataDir: '/srv/app/data',
      databaseUrl: 'postgres://u:p@db:5432/roadmap',
      redisUrl: 'redis://cache:6379',
      role: 'worker',
      model: { kind: 'openai', apiKey: 'sk-test', baseURL: 'http://localhost:11434/v1', model: 'llama3.1' },
      imageProvider: { kind: 'openai', apiKey: 'sk-test', model: 'dall-e-3' },
      concurrency: 8,
      leaseMs: 1000,
      demoLatencyMs: 0,
      warnings: [],
    });
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ PORT: '', ROADMAP_ROLE: ' ', OPENAI_API_KEY: '' }, cwd)).toMatchObject({
      port: 3000,
      role: 'all',
      model: { kind: 'demo' },
    });
  });

  it('reports every bad number with its name and range', () => {
    const problems = problemsOf({
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
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT must be from 0 to 65535, got 70000']);
  });

  it('refuses the dev secret in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })[0]).toMatch(
      /ROADMAP_JWT_SECRET is required when NODE_ENV=production/,
    );
    expect(problemsOf({ NODE_ENV: 'production', ROADMAP_JWT_SECRET: devJwtSecret })[0]).toMatch(/dev secret/);
    expect(parseConfig({ NODE_ENV: 'production', ROADMAP_JWT_SECRET: 's'.repeat(32) }, cwd).production).toBe(true);
  });

  it('warns about a short secret', () => {
    expect(parseConfig({ ROADMAP_JWT_SECRET: 'short' }, cwd).warnings[0]).toMatch(/shorter than 32/);
  });

  it('refuses roles api and worker without REDIS_URL', () => {
    for (const role of ['api', 'worker']) {
      const [problem] = problemsOf({ ROADMAP_ROLE: role });
      expect(problem).toContain(`ROADMAP_ROLE=${role} needs a shared queue: set REDIS_URL`);
    }
    expect(parseConfig({ ROADMAP_ROLE: 'API', REDIS_URL: 'redis://r' }, cwd).role).toBe('api');
  });

  it('refuses unknown roles and image providers', () => {
    expect(problemsOf({ ROADMAP_ROLE: 'web' })).toEqual(['ROADMAP_ROLE must be one of api, worker, all, got "web"']);
    expect(problemsOf({ ROADMAP_IMAGE_PROVIDER: 'dalle' })).toEqual([
      'ROADMAP_IMAGE_PROVIDER must be one of offline, openai, unsplash, webhook, got "dalle"',
    ]);
  });

  it('checks URLs', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://db' })).toEqual([
      'DATABASE_URL must start with postgres:// or postgresql://, got mysql://…',
    ]);
    expect(problemsOf({ REDIS_URL: 'not a url' })).toEqual([
      'REDIS_URL is not a valid URL (expected redis://… or rediss://…)',
    ]);
    expect(problemsOf({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'ftp://x' })[0]).toMatch(/^OPENAI_BASE_URL must start/);
  });

  it('needs the credentials of the chosen image provider', () => {
    expect(problemsOf({ ROADMAP_IMAGE_PROVIDER: 'openai' })).toEqual([
      'ROADMAP_IMAGE_PROVIDER=openai needs OPENAI_API_KEY',
    ]);
    expect(problemsOf({ ROADMAP_IMAGE_PROVIDER: 'unsplash' })).toEqual([
      'ROADMAP_IMAGE_PROVIDER=unsplash needs UNSPLASH_ACCESS_KEY',
    ]);
    expect(problemsOf({ ROADMAP_IMAGE_PROVIDER: 'webhook' })).toEqual([
      'ROADMAP_IMAGE_PROVIDER=webhook needs ROADMAP_IMAGE_WEBHOOK_URL',
    ]);
    expect(
      parseConfig({ ROADMAP_IMAGE_PROVIDER: 'webhook', ROADMAP_IMAGE_WEBHOOK_URL: 'https://hook.example/img' }, cwd)
        .imageProvider,
    ).toEqual({ kind: 'webhook', url: 'https://hook.example/img' });
    expect(parseConfig({ ROADMAP_IMAGE_PROVIDER: 'unsplash', UNSPLASH_ACCESS_KEY: 'abc' }, cwd).imageProvider).toEqual({
      kind: 'unsplash',
      accessKey: 'abc',
    });
  });

  it('serves the web build of examples/web by default, or ROADMAP_WEB_DIR; dev login only with the dev secret', () => {
    const defaults = parseConfig({}, cwd);
    expect(defaults.webDir).toBe(defaultWebDir);
    expect(defaultWebDir.split(path.sep).slice(-3)).toEqual(['examples', 'web', 'dist']);
    expect(defaults.devLogin).toBe(true);
    expect(parseConfig({ ROADMAP_WEB_DIR: 'public' }, cwd).webDir).toBe('/srv/app/public');
    expect(parseConfig({ ROADMAP_JWT_SECRET: 'x'.repeat(40) }, cwd).devLogin).toBe(false);
    expect(parseConfig({ ROADMAP_JWT_SECRET: 'x'.repeat(40), NODE_ENV: 'production' }, cwd).devLogin).toBe(false);
  });

  it('lists all problems in one message', () => {
    expect(() => parseConfig({ PORT: 'x', ROADMAP_ROLE: 'nope' }, cwd)).toThrow(
      'Invalid server configuration:\n  - PORT must be a whole number from 0 to 65535, got "x"\n  - ROADMAP_ROLE must be one of api, worker, all, got "nope"',
    );
  });
});

describe('resolveJwtSecret', () => {
  it('uses the env secret, else the dev secret outside production', () => {
    expect(resolveJwtSecret({ ROADMAP_JWT_SECRET: 'abc' })).toEqual({ secret: 'abc', dev: false });
    expect(resolveJwtSecret({})).toEqual({ secret: devJwtSecret, dev: true });
    expect(() => resolveJwtSecret({ NODE_ENV: 'production' })).toThrow(ConfigError);
  });
});
