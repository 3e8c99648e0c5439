import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBrowser, type Harness, startHarness, tokenFor } from './harness.js';

/**
 * Sign-in on a server that runs with `ROADMAP_DEV_LOGIN=1` and the built-in dev secret (as `npm run demo` does): the
 * "Sign in as the demo user" button, signing out, and a token the server does not accept (signed with another
 * secret) ending the session.
 */

let harness: Harness;
let page: Page;

describeWithBrowser('sign-in with the dev secret (Chromium, reference server)', () => {
  beforeAll(async () => {
    // As `npm run demo`: ROADMAP_DEV_LOGIN=1 and no ROADMAP_JWT_SECRET (an empty value counts as unset), so the
    // server signs with its public dev secret and offers the dev login.
    harness = await startHarness({ ROADMAP_JWT_SECRET: '', ROADMAP_DEV_LOGIN: '1' });
    page = harness.page;
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('signs in as "demo" with the dev login button, and signs out', async () => {
    expect(harness.server.output()).toMatch(/open as user "demo": http:\/\/127\.0\.0\.1:\d+\/#token=/);
    await page.goto(`${harness.server.url}/`);
    const button = page.getByRole('button', { name: 'Sign in as the demo user' });
    await button.waitFor();
    await harness.screenshot('00-sign-in-dev');
    await button.click();
    await page.getByRole('heading', { name: 'My roadmaps' }).waitFor();
    await page.getByText('demo', { exact: true }).waitFor();
    await page.getByText('Nothing here yet.').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('roadmap-demo.token'))).toBeNull();
  });

  it('ends the session when the server refuses the token', async () => {
    // Signed with the tests' secret, not this server's dev secret: every API call answers 401.
    await page.goto(`${harness.server.url}/tasks#token=${tokenFor('mallory')}`);
    await page.getByText('Your session has expired. Sign in again.').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('roadmap-demo.token'))).toBeNull();
    expect(new URL(page.url()).pathname).toBe('/tasks');
  });

  it('had no page errors besides the refused requests', () => {
    // Chromium reports a WebSocket upgrade refused with 401 as "HTTP Authentication failed", without the status.
    const refused = /\b401\b|WebSocket connection to .* failed: HTTP Authentication failed/;
    expect(harness.pageErrors.filter((line) => !refused.test(line))).toEqual([]);
  });
});
