import type { IncomingMessage } from 'node:http';

/** The `fetch` signature the openai SDK calls. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

type NodeHttp = typeof import('node:http');
type NodeHttps = typeof import('node:https');

let modules: Promise<{ http: NodeHttp; https: NodeHttps; Readable: typeof import('node:stream').Readable }> | undefined;

/** `node:http`, `node:https` and `node:stream`, imported on the first call (so the package loads on any runtime). */
function nodeModules() {
  modules ??= Promise.all([import('node:http'), import('node:https'), import('node:stream')]).then(
    // The modules' own objects (`default`), not the namespaces: what interceptors (msw, nock) patch.
    ([http, https, stream]) => ({ http: http.default, https: https.default, Readable: stream.Readable }),
  );
  return modules;
}

/** Request headers as the plain object `node:http` takes. */
function plainHeaders(headers: HeadersInit | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers === undefined) return result;
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      result[name] = value;
    });
  } else if (Array.isArray(headers)) {
    for (const [name, value] of headers) result[name.toLowerCase()] = value as string;
  } else {
    for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value;
  }
  return result;
}

/**
 * The part of a fetch `Response` the openai SDK reads, over a `node:http` response: the status, the headers, and the
 * body read once as text, JSON, bytes, or (for streamed completions) as a web `ReadableStream`.
 */
class NodeResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers = new Headers();
  readonly redirected = false;
  readonly type = 'basic';
  bodyUsed = false;
  #bytes: Promise<Buffer> | undefined;
  #stream: ReadableStream<Uint8Array> | undefined;

  constructor(
    readonly url: string,
    private readonly message: IncomingMessage,
    private readonly toWeb: (message: IncomingMessage) => ReadableStream<Uint8Array>,
  ) {
    this.status = message.statusCode ?? 0;
    this.ok = this.status >= 200 && this.status < 300;
    this.statusText = message.statusMessage ?? '';
    // A connection that breaks before the body is read must not be an unhandled 'error' (a read reports it).
    message.on('error', () => {});
    for (const [name, value] of Object.entries(message.headers)) {
      if (typeof value === 'string') this.headers.set(name, value);
      else if (Array.isArray(value)) for (const entry of value) this.headers.append(name, entry);
    }
  }

  get body(): ReadableStream<Uint8Array> {
    this.#stream ??= this.toWeb(this.message);
    this.bodyUsed = true;
    return this.#stream;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#read().then((bytes) => new Uint8Array(bytes).buffer);
  }

  text(): Promise<string> {
    return this.#read().then((bytes) => bytes.toString('utf8'));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  #read(): Promise<Buffer> {
    this.bodyUsed = true;
    this.#bytes ??= new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      this.message.on('data', (chunk: Buffer) => chunks.push(chunk));
      this.message.once('end', () => resolve(Buffer.concat(chunks)));
      this.message.once('error', reject);
      this.message.once('aborted', () => reject(new Error('The connection closed before the response ended.')));
    });
    return this.#bytes;
  }
}

/**
 * A `fetch` for the openai SDK over `node:http`/`node:https` with Node's default (keep-alive) agents, for requests
 * whose body is text or absent; anything else goes to `globalThis.fetch`. Node 20's built-in fetch spends about a
 * millisecond of CPU per call on web streams (a request body stream and its tee, a response body stream): the
 * engine sends the calls of a fan-out step together, so that cost staggers their starts (≈ 25 ms for 24 calls,
 * measured). Aborting the request's signal destroys its socket, so the server sees the connection close at once.
 */
export const nodeHttpFetch: FetchFunction = async (input, init = {}) => {
  const body = init.body;
  if (input instanceof Request || (body !== undefined && body !== null && typeof body !== 'string')) {
    return globalThis.fetch(input, init);
  }
  const url = String(input);
  const { http, https, Readable } = await nodeModules();
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const transport = url.startsWith('https:') ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const request = transport.request(
      url,
      { method: init.method ?? 'GET', headers: plainHeaders(init.headers), ...(signal ? { signal } : {}) },
      (message) => {
        resolve(
          new NodeResponse(
            url,
            message,
            (readable) => Readable.toWeb(readable) as unknown as ReadableStream<Uint8Array>,
          ) as unknown as Response,
        );
      },
    );
    request.once('error', reject);
    request.end(body ?? undefined);
  });
};
