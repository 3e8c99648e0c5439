/**
 * Chat Completions over `node:http`/`node:https` without the openai SDK's per-request machinery: the model's calls
 * on Node when this package built the client itself (no `client`, no `fetch` of the caller's).
 *
 * Why not the SDK's `chat.completions.create` for those: per call it builds and validates its headers, encodes the
 * body through its request options, formats log details even with logging off, wraps the answer in a web `Response`
 * and, for a stream, reads it through a web `ReadableStream` and its SSE decoder. That is about a millisecond of CPU
 * per call; the engine sends a fan-out step's 24 calls together and handles their 24 answers together on one
 * thread, so the cost staggers the next step's calls (P3apiWall, docs/SCALING.md). Here a call is one
 * `http.request` with the body serialised once and headers built once per model, the answer read as text from the
 * `IncomingMessage`, and a stream read line by line from it ({@link serverSentEvents}).
 *
 * What it keeps of the SDK: the same request (path, `Authorization: Bearer`, `OpenAI-Organization`/`OpenAI-Project`
 * from `OPENAI_ORG_ID`/`OPENAI_PROJECT_ID`, JSON body), the same answer objects, and the same errors — the SDK's own
 * classes (`APIError.generate` for a status, `APIConnectionError`, `APIConnectionTimeoutError`), so
 * `toRoadmapError` maps them as before. Aborting the signal destroys the request's socket at once, so the server sees
 * the connection close. Node's default agents keep connections alive, and interceptors that patch `node:http`
 * (msw, nock) see these calls.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { VERSION } from 'openai/version';
import { serverSentEvents } from './serverSentEvents.js';

/** Where and how to call. */
export interface ChatCompletionsEndpointOptions {
  /** The API's base URL, e.g. `https://api.openai.com/v1`. */
  baseURL: string;
  apiKey: string;
  /** How long a call may take: until the whole answer for `complete`, until the stream opens for `stream`. */
  timeoutMs: number;
  /** Extra request headers (lower-case names). */
  headers?: Record<string, string>;
}

/** One POST to `…/chat/completions`, answered as a whole or as a stream of chunks. */
export interface ChatCompletionsEndpoint {
  complete(body: object, signal: AbortSignal): Promise<ChatCompletion>;
  stream(body: object, signal: AbortSignal): Promise<AsyncIterable<ChatCompletionChunk>>;
}

type Transport = { request(options: RequestOptions, callback: (message: IncomingMessage) => void): ClientRequest };

let transports: Promise<{ http: Transport; https: Transport }> | undefined;

/** `node:http` and `node:https`, imported on the first call (so the package loads on any runtime). */
function loadTransports() {
  // The modules' own objects (`default`), not the namespaces: what interceptors (msw, nock) patch.
  transports ??= Promise.all([import('node:http'), import('node:https')]).then(([http, https]) => ({
    http: http.default,
    https: https.default,
  }));
  return transports;
}

/** A Chat Completions endpoint at `options.baseURL`. */
export function createChatCompletionsEndpoint(options: ChatCompletionsEndpointOptions): ChatCompletionsEndpoint {
  const url = new URL(`${options.baseURL.replace(/\/+$/, '')}/chat/completions`);
  const secure = url.protocol === 'https:';
  const target: RequestOptions = {
    method: 'POST',
    protocol: url.protocol,
    // `new URL` keeps an IPv6 host in brackets; `http.request` wants the bare address.
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: `${url.pathname}${url.search}`,
    ...(url.username === '' ? {} : { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }),
  };
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/json',
    'user-agent': `OpenAI/JS ${VERSION} (@roadmap/openai)`,
    authorization: `Bearer ${options.apiKey}`,
    ...options.headers,
  };
  const { timeoutMs } = options;

  /**
   * Sends `body` and resolves with the answer once its status is 2xx; rejects with the SDK's error for another
   * status, a failed connection, the timeout or the abort. The call's timer runs until the answer was read (or, for
   * a stream, until it opened, as the SDK's), its abort listener until the answer's connection is done with.
   */
  async function send(body: object, signal: AbortSignal, stream: boolean): Promise<Answer> {
    const { http, https } = await loadTransports();
    signal.throwIfAborted();
    const json = JSON.stringify(stream ? { ...body, stream: true, stream_options: { include_usage: true } } : body);
    return new Promise<Answer>((resolve, reject) => {
      let timedOut = false;
      const isTimedOut = () => timedOut;
      let timer: NodeJS.Timeout | undefined;
      const request = (secure ? https : http).request(
        { ...target, headers: { ...headers, 'content-length': String(Buffer.byteLength(json)) } },
        (message) => {
          message.setEncoding('utf8');
          if (stream) clearTimeout(timer);
          message.once('close', release);
          const status = message.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve({ message, timedOut: isTimedOut });
            return;
          }
          readText(message, isTimedOut).then((text) => reject(statusError(message, text)), reject);
        },
      );
      const abort = () => request.destroy(signal.reason);
      timer = setTimeout(() => {
        timedOut = true;
        request.destroy(new APIConnectionTimeoutError());
      }, timeoutMs);
      function release() {
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
      }
      signal.addEventListener('abort', abort, { once: true });
      request.once('error', (error) => {
        release();
        reject(timedOut || signal.aborted ? error : new APIConnectionError({ message: undefined, cause: error }));
      });
      request.end(json);
    });
  }

  return {
    async complete(body, signal) {
      const { message, timedOut } = await send(body, signal, false);
      return JSON.parse(await readText(message, timedOut)) as ChatCompletion;
    },
    async stream(body, signal) {
      const { message } = await send(body, signal, true);
      return chunksOf(message);
    },
  };
}

/** A 2xx answer, with whether the call's timer closed it. */
interface Answer {
  message: IncomingMessage;
  timedOut: () => boolean;
}

/**
 * The whole body as text. A connection that closes before the body ended rejects: with the SDK's timeout error when
 * `timedOut()` says the timer closed it, else with a connection error (retryable, as a connection that failed
 * before the answer).
 */
function readText(message: IncomingMessage, timedOut: () => boolean): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const cut = (cause?: Error) =>
      reject(
        timedOut()
          ? new APIConnectionTimeoutError()
          : new APIConnectionError({ message: 'The connection closed before the response ended.', cause }),
      );
    message.on('data', (piece: string) => {
      text += piece;
    });
    message.once('end', () => resolve(text));
    message.once('error', cut);
    message.once('close', () => {
      if (!message.complete) cut();
    });
  });
}

/** The SDK's error for a response with a status other than 2xx (the same class and fields `create` throws). */
function statusError(message: IncomingMessage, text: string): APIError {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const entry of value) headers.append(name, entry);
  }
  let json: object | undefined;
  try {
    json = JSON.parse(text) as object;
  } catch {
    json = undefined;
  }
  return APIError.generate(message.statusCode, json, json === undefined ? text : undefined, headers);
}

/**
 * The chunks of a streamed completion, as the SDK's `Stream` yields them: `data: [DONE]` ends them, a chunk carrying
 * `error` throws it as an `APIError`. Leaving the loop early destroys the response, which closes the connection.
 */
async function* chunksOf(message: IncomingMessage): AsyncGenerator<ChatCompletionChunk> {
  let done = false;
  for await (const event of serverSentEvents(message)) {
    if (done) continue;
    if (event.data.startsWith('[DONE]')) {
      done = true;
      continue;
    }
    if (event.event?.startsWith('thread.')) continue;
    const data = JSON.parse(event.data) as ChatCompletionChunk & { error?: unknown };
    if (data.error) {
      const headers = new Headers();
      for (const [name, value] of Object.entries(message.headers))
        if (typeof value === 'string') headers.set(name, value);
      throw new APIError(undefined, data.error as object, undefined, headers);
    }
    yield data;
  }
}
