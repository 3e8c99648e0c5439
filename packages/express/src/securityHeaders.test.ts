import { defaultSecurityHeaders } from '@roadmap/http';
import helmet from 'helmet';
import { describe, expect, it } from 'vitest';
import { bearer, createTestApp, owner } from './routerTestSupport.js';

describe('security headers', () => {
  it("the fetch handler's fixed list is exactly what helmet sets by default", async () => {
    const set: Record<string, string> = {};
    const response = {
      setHeader: (name: string, value: string) => {
        set[name] = value;
      },
      removeHeader: () => {},
    };
    await new Promise<void>((resolve, reject) =>
      helmet()({} as never, response as never, (error?: unknown) => (error ? reject(error) : resolve())),
    );
    expect(set).toEqual(defaultSecurityHeaders);
  });

  it('both hosts answer with the same security headers', async () => {
    const headersOf = async (host: 'express' | 'fetch') => {
      const app = await createTestApp({ host, worker: false });
      try {
        const response = await app.http.get('/api/v1/usage').set('Authorization', bearer(owner)).expect(200);
        return Object.fromEntries(
          Object.keys(defaultSecurityHeaders).map((name) => [name, response.headers[name.toLowerCase()]]),
        );
      } finally {
        await app.close();
      }
    };
    expect(await headersOf('express')).toEqual(defaultSecurityHeaders);
    expect(await headersOf('fetch')).toEqual(defaultSecurityHeaders);
  });
});
