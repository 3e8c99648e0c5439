import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { type RunningServer, startServer } from './createServerApp.js';
import { createLogger } from './logging.js';
import { runFailingServer, type ServerProcess, startServerProcess, stopProcess, testSecret } from './serverProcess.js';

const indexHtml = '<!doctype html><html><head><title>demo</title></head><body><div id="root"></div></body></html>';

/** A stand-in for `examples/web/dist`. */
function makeWebBuild(root: string): string {
  const webDir = path.join(root, 'web');
  mkdirSync(path.join(webDir, 'assets'), { recursive: true });
  writeFileSync(path.join(webDir, 'index.html'), indexHtml);
  writeFileSync(path.join(webDir, 'assets', 'index-abc123.js'), 'console.log("app");');
  writeFileSync(path.join(webDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return webDir;
}

async function startInProcess(environment: Record<string, string>): Promise<RunningServer> {
  const config = parseConfig({ PORT: '0', ROADMAP_LOG_LEVEL: 'silent', ...environment });
  return startServer(config, createLogger('silent'));
}

describe('the reference server serves the web app (in process)', () => {
  let root: string;
  let server: RunningServer;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'roadmap-web-'));
    server = await startInProcess({
      ROADMAP_DATA_DIR: path.join(root, 'data'),
      ROADMAP_WEB_DIR: makeWebBuild(root),
      ROADMAP_JWT_SECRET: testSecret,
    });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / with a CSP and no caching', async () => {
    expect(server.webDir).toBe(path.join(root, 'web'));
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe(indexHtml);
  });

  it('serves files, hashed assets cached for a year', async () => {
    const asset = await fetch(`${server.url}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log("app");');
    const icon = await fetch(`${server.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  });

  it('answers deep links with index.html (SPA fallback), HEAD too', async () => {
    for (const route of [
      '/tasks',
      '/tasks/0b7c2f1e-4a4f-4a8e-9d3c-3a3f0c1d2e4f',
      '/roadmaps/learn-rust-1a2b3c4d/concepts/c1',
    ]) {
      const response = await fetch(`${server.url}${route}?x=1`);
      expect(response.status, route).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toBe(indexHtml);
    }
    const head = await fetch(`${server.url}/tasks`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('does not answer missing files, other methods or path traversal with the app', async () => {
    const missing = await fetch(`${server.url}/assets/missing-123.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: 'Not found.', code: 'not_found' });
    expect((await fetch(`${server.url}/tasks`, { method: 'POST' })).status).toBe(404);
    const traversal = await fetch(`${server.url}/assets/..%2f..%2fdata%2froadmap.db`);
    expect(traversal.status).not.toBe(200);
  });

  it('never shadows /api/v1, /api, /healthz or /readyz', async () => {
    const unauthorized = await fetch(`${server.url}/api/v1/roadmaps`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('content-type')).toMatch(/^application\/json/);
    const unknownApi = await fetch(`${server.url}/api/v1/no-such-route`);
    expect(unknownApi.headers.get('content-type')).toMatch(/^application\/json/);
    expect([401, 404]).toContain(unknownApi.status);
    const unknownOutside = await fetch(`${server.url}/api/nothing`);
    expect(unknownOutside.status).toBe(404);
    expect(await unknownOutside.json()).toEqual({ detail: 'Not found.', code: 'not_found' });
    expect((await fetch(`${server.url}/api`)).status).toBe(404);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${server.url}/readyz`)).headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('refuses the dev login without ROADMAP_DEV_LOGIN=1', async () => {
    const status = await fetch(`${server.url}/api/dev/login`);
    expect(await status.json()).toEqual({ enabled: false });
    const login = await fetch(`${server.url}/api/dev/login`, { method: 'POST' });
    expect(login.status).toBe(403);
    expect(await login.json()).toMatchObject({ code: 'dev_login_disabled' });
  });
});

describe('without a web build', () => {
  it('serves only the API and answers JSON 404 elsewhere', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'roadmap-web-'));
    const server = await startInProcess({
      ROADMAP_DATA_DIR: path.join(root, 'data'),
      ROADMAP_WEB_DIR: path.join(root, 'no-build'),
      ROADMAP_JWT_SECRET: testSecret,
    });
    try {
      expect(server.webDir).toBeUndefined();
      const response = await fetch(`${server.url}/tasks`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: 'Not found.', code: 'not_found' });
    } finally {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('dev login (child process)', () => {
  let root: string;
  const running: ServerProcess[] = [];

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'roadmap-web-'));
  });

  afterAll(async () => {
    await Promise.all(running.splice(0).map(stopProcess));
    rmSync(root, { recursive: true, force: true });
  });

  it('run demo (as npm run demo) sets ROADMAP_DEV_LOGIN=1: login link for "demo", dev tokens handed out', async () => {
    const webDir = makeWebBuild(root);
    const server = await startServerProcess(
      {
        ROADMAP_DATA_DIR: path.join(root, 'dev'),
        ROADMAP_WEB_DIR: webDir,
        ROADMAP_JWT_SECRET: '',
        ROADMAP_DEV_LOGIN: '',
        ROADMAP_LOG_LEVEL: 'warn',
      },
      'demo',
    );
    running.push(server);
    const link = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no login link in:\n${server.output()}`)), 5_000);
      const check = () => {
        const match = /open as user "demo": (http:\/\/127\.0\.0\.1:\d+\/#token=[\w.-]+)/.exec(server.output());
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        } else setTimeout(check, 20);
      };
      check();
    });
    expect(server.output()).toContain(`Web app: ${server.url}/`);
    const token = new URL(link).hash.slice('#token='.length);
    const listed = await fetch(`${server.url}/api/v1/roadmaps`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);

    expect(await (await fetch(`${server.url}/api/dev/login`)).json()).toEqual({ enabled: true });
    const login = await fetch(`${server.url}/api/dev/login`, { method: 'POST' });
    expect(login.status).toBe(200);
    const body = (await login.json()) as { token: string; user_id: string };
    expect(body.user_id).toBe('demo');
    const tasks = await fetch(`${server.url}/api/v1/roadmaps/tasks`, {
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(tasks.status).toBe(200);
  });

  it('refuses the dev login under NODE_ENV=production and prints no login link', async () => {
    const server = await startServerProcess({
      NODE_ENV: 'production',
      ROADMAP_DATA_DIR: path.join(root, 'production'),
      ROADMAP_WEB_DIR: makeWebBuild(root),
      ROADMAP_LOG_LEVEL: 'warn',
    });
    running.push(server);
    const login = await fetch(`${server.url}/api/dev/login`, { method: 'POST' });
    expect(login.status).toBe(403);
    expect(await login.json()).toMatchObject({ code: 'dev_login_disabled' });
    expect(await (await fetch(`${server.url}/`)).text()).toBe(indexHtml);
    expect(server.output()).not.toContain('#token=');
  });

  it('refuses to start without ROADMAP_JWT_SECRET, whatever NODE_ENV says, and says what to set', async () => {
    for (const nodeEnv of ['staging', 'production', '']) {
      const { code, output } = await runFailingServer({
        NODE_ENV: nodeEnv,
        ROADMAP_JWT_SECRET: '',
        ROADMAP_DATA_DIR: path.join(root, `refused-${nodeEnv}`),
      });
      expect(code, `NODE_ENV=${nodeEnv}`).toBe(2);
      expect(output).toContain('ROADMAP_JWT_SECRET is required: set it to a long random secret');
      expect(output).toContain('ROADMAP_DEV_LOGIN=1');
      expect(output).not.toContain('listening on');
    }
  });

  it('refuses ROADMAP_DEV_LOGIN=1 under NODE_ENV=production', async () => {
    const { code, output } = await runFailingServer({
      NODE_ENV: 'production',
      ROADMAP_JWT_SECRET: '',
      ROADMAP_DEV_LOGIN: '1',
      ROADMAP_DATA_DIR: path.join(root, 'refused-dev-login'),
    });
    expect(code).toBe(2);
    expect(output).toContain('ROADMAP_DEV_LOGIN=1 is refused when NODE_ENV=production');
  });
});
