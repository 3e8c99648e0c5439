import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess, stopProcess } from './serverProcess.js';

let dataDir: string;
let server: ServerProcess;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'roadmap-docs-'));
  server = await startServerProcess({ ROADMAP_DATA_DIR: dataDir, ROADMAP_LOG_LEVEL: 'warn' });
}, 60_000);

afterAll(async () => {
  await stopProcess(server);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the API reference of the reference server', () => {
  it('serves the OpenAPI 3.1 document at /api/v1/openapi.json, without a token', async () => {
    const response = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/roadmaps/tasks/{taskId}/cancel');
  });

  it('renders it with Swagger UI at /api/docs, from this server only', async () => {
    const page = await fetch(`${server.url}/api/docs/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<div id="swagger-ui"></div>');
    for (const asset of ['/api/docs/assets/swagger-ui-bundle.js', '/api/docs/assets/swagger-ui.css']) {
      expect(html).toContain(asset);
      const file = await fetch(`${server.url}${asset}`);
      expect(file.status).toBe(200);
      expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    const start = await fetch(`${server.url}/api/docs/start.js`);
    expect(await start.text()).toContain("url: '/api/v1/openapi.json'");
    expect((await fetch(`${server.url}/api/docs/assets/missing.js`)).status).toBe(404);
  });
});
