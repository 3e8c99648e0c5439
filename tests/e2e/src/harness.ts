/**
 * Browser end-to-end support: the built demo app served by the real reference server (a child process), Debian
 * Chromium driven by playwright-core, a webhook image provider the test controls, and screenshots.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOfflineImageProvider } from '@roadmap/core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe, it } from 'vitest';
import {
  type ServerProcess,
  startServerProcess,
  stopProcess,
  tokenFor,
} from '../../../examples/server/src/serverProcess.js';

export { api, generateBody, tokenFor, waitForStatus } from '../../../examples/server/src/serverProcess.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const webDir = path.join(repoRoot, 'examples/web');
export const screenshotDir = path.join(repoRoot, 'e2e/screenshots');

/** Chromium of Debian (`apt-get install chromium`); `ROADMAP_CHROMIUM` overrides. */
export const chromiumPath = process.env.ROADMAP_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or `undefined` when Chromium is installed. */
export function missingBrowserReason(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  return (
    `Chromium not found at ${chromiumPath}: install Debian's (apt-get install chromium; .ci/run does) or set ` +
    'ROADMAP_CHROMIUM to a Chromium/Chrome binary.'
  );
}

/**
 * `describe` when Chromium is installed. Without it the suite is skipped with a printed reason, as the Postgres and
 * Redis tests are, so `npm test` passes on a fresh machine; under `CI=true` a missing browser is a failure.
 */
export function describeWithBrowser(name: string, body: () => void): void {
  const reason = missingBrowserReason();
  if (reason === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('finds Chromium (CI=true, so a missing browser fails instead of skipping)', () => {
        throw new Error(reason);
      });
    });
    return;
  }
  console.warn(`[roadmap/e2e] skipping "${name}". ${reason}`);
  describe.skip(name, body);
}

/** The flags this sandbox needs (no network beyond localhost, running as root). */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Makes sure `examples/web/dist` exists: the root `test:e2e` script builds it first; run alone, the tests build it
 * when it is missing (or always with `ROADMAP_E2E_BUILD=1`).
 */
export function ensureWebBuild(): void {
  if (existsSync(path.join(webDir, 'dist/index.html')) && process.env.ROADMAP_E2E_BUILD !== '1') return;
  const vite = path.join(webDir, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: webDir,
    // Vitest sets NODE_ENV=test, and a Vite build inheriting it compiles React's development JSX (jsxDEV): a page
    // several times slower than the one `pnpm demo` and CI build, slow enough to miss a 4-second task.
    env: { ...process.env, NODE_ENV: 'production' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) throw new Error(`building examples/web failed:\n${result.stdout}\n${result.stderr}`);
}

export interface Harness {
  server: ServerProcess;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and `console.error` lines seen so far. */
  pageErrors: string[];
  /** Saves `e2e/screenshots/<name>.png` (full page). */
  screenshot(name: string): Promise<void>;
  /** Opens the app signed in as `userId` through the dev-login-style link `/#token=<jwt>`. */
  signIn(userId: string, path?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the server on `PORT=0` with a fresh data dir, then Chromium with a fresh profile. The server checks tokens
 * with the tests' secret (`tokenFor`); for the dev login pass `{ ROADMAP_JWT_SECRET: '', ROADMAP_DEV_LOGIN: '1' }`.
 */
export async function startHarness(environment: Record<string, string>): Promise<Harness> {
  const missing = missingBrowserReason();
  if (missing !== undefined) throw new Error(missing);
  ensureWebBuild();
  mkdirSync(screenshotDir, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'roadmap-e2e-'));
  const server = await startServerProcess({
    ROADMAP_DATA_DIR: dataDir,
    ROADMAP_LOG_LEVEL: 'warn',
    ...environment,
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console.error: ${message.text()} (${message.location().url})`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400)
        pageErrors.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
    });
    const openBrowser = browser;
    return {
      server,
      browser: openBrowser,
      context,
      page,
      pageErrors,
      async screenshot(name) {
        await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
      },
      async signIn(userId, at = '/') {
        await page.goto(`${server.url}${at}#token=${tokenFor(userId)}`);
      },
      async close() {
        await openBrowser.close().catch(() => undefined);
        await stopProcess(server);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await stopProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * An image webhook with the contract of `createWebhookImageProvider`: `POST /hook { prompt }` answers
 * `{ status: "error" }` while `failing` is true (a non-retryable provider error, so each generation is one call), and
 * `{ status: "success", url }` otherwise, the url pointing at offline SVG artwork this server serves (`GET /cover/<n>.svg`).
 */
export interface ImageWebhook {
  url: string;
  /** Set to `false` to let requests succeed. */
  failing: boolean;
  /** Prompts received, in order, with what was answered. */
  requests: { prompt: string; answered: 'error' | 'success' }[];
  /** GETs of the cover image. */
  imageRequests: number;
  close(): Promise<void>;
}

export async function startImageWebhook(): Promise<ImageWebhook> {
  const provider = createOfflineImageProvider({ width: 800, height: 420 });
  const artwork = await provider.generate({
    roadmapId: 'webhook',
    prompt: 'Webhook cover',
    title: 'Webhook cover',
    abortSignal: new AbortController().signal,
  });
  if (artwork.kind !== 'bytes') throw new Error('the offline provider returns bytes');
  const svg = Buffer.from(artwork.data);

  let origin = '';
  const state: ImageWebhook = {
    url: '',
    failing: true,
    requests: [],
    imageRequests: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/hook') {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        const prompt = String((JSON.parse(body || '{}') as { prompt?: unknown }).prompt ?? '');
        const answered = state.failing ? 'error' : 'success';
        state.requests.push({ prompt, answered });
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify(
            answered === 'error'
              ? { status: 'error', message: 'forced failure by the e2e test' }
              : { status: 'success', url: `${origin}/cover/${state.requests.length}.svg` },
          ),
        );
      });
      return;
    }
    if (request.method === 'GET' && request.url?.startsWith('/cover/')) {
      state.imageRequests += 1;
      response.writeHead(200, {
        'content-type': 'image/svg+xml',
        'content-length': svg.length,
        'x-content-type-options': 'nosniff',
      });
      response.end(svg);
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.url = `${origin}/hook`;
  server.unref();
  return state;
}
