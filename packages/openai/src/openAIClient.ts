import { RoadmapError } from '@roadmap/core';
import OpenAI from 'openai';
import { type ChatCompletionsEndpoint, createChatCompletionsEndpoint } from './chatCompletionsEndpoint.js';
import { type FetchFunction, nodeHttpFetch } from './nodeHttpFetch.js';

/** Connection options shared by the model and the image provider. */
export interface OpenAIClientOptions {
  /** API key. Default: the `OPENAI_API_KEY` environment variable. Local servers that ignore it accept any string. */
  apiKey?: string;
  /**
   * Base URL of any OpenAI-compatible server, e.g. `http://localhost:11434/v1` (Ollama), `http://localhost:8000/v1`
   * (vLLM), `https://openrouter.ai/api/v1`, or an Azure OpenAI `…/openai/v1` endpoint. Default: the
   * `OPENAI_BASE_URL` environment variable, else `https://api.openai.com/v1`.
   */
  baseURL?: string;
  /**
   * Time one request may take before it fails with a retryable `timeout` error, in milliseconds. Default: 120 000.
   */
  timeoutMs?: number;
  /**
   * A client you configured yourself (proxy, headers, Azure auth…). `apiKey` and `baseURL` are then ignored; its own
   * retries are still turned off per request, since the engine retries. Default: a new client from the options above.
   */
  client?: OpenAI;
  /**
   * The `fetch` the client calls; giving one sends every call through the SDK with it. Default: on Node, chat
   * completions take the lean path over `node:http`/`node:https` (see `createChatCompletionsEndpoint`) and the SDK's
   * other calls a fetch over the same modules with Node's default keep-alive agents (a fraction of the built-in
   * fetch's CPU per call; see `nodeHttpFetch`); elsewhere `globalThis.fetch`. Ignored when `client` is given.
   */
  fetch?: FetchFunction;
}

export const defaultTimeoutMs = 120_000;

/** An environment variable, or undefined when unset or empty. */
export function environmentVariable(name: string): string | undefined {
  const value = typeof process === 'undefined' ? undefined : process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Whether this runs on Node (not Deno, Bun or an edge runtime, whose fetch is their own). */
function isNode(): boolean {
  return (
    typeof process !== 'undefined' &&
    typeof process.versions?.node === 'string' &&
    !('Bun' in globalThis) &&
    !('Deno' in globalThis)
  );
}

/** The API key of the options or the environment; throws `invalid_input` without one. */
function apiKeyOf(options: OpenAIClientOptions, factoryName: string): string {
  const apiKey = options.apiKey ?? environmentVariable('OPENAI_API_KEY');
  if (apiKey === undefined) {
    throw new RoadmapError(
      'invalid_input',
      `${factoryName} needs an API key: pass { apiKey } or set OPENAI_API_KEY (local servers such as Ollama accept any string).`,
    );
  }
  return apiKey;
}

/** The client to call: the one given, or a new one with the SDK's own retries off (the engine retries). */
export function resolveClient(options: OpenAIClientOptions, factoryName: string): OpenAI {
  if (options.client) return options.client;
  return new OpenAI({
    apiKey: apiKeyOf(options, factoryName),
    baseURL: options.baseURL ?? environmentVariable('OPENAI_BASE_URL') ?? null,
    maxRetries: 0,
    timeout: options.timeoutMs ?? defaultTimeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : isNode() ? { fetch: nodeHttpFetch } : {}),
  });
}

/**
 * The lean Chat Completions path ({@link createChatCompletionsEndpoint}) for a client this package builds on Node:
 * undefined — the SDK's client is called — with a `client` or a `fetch` of the caller's, on other runtimes, and when
 * the environment asks the SDK for what only it does (`OPENAI_CUSTOM_HEADERS`, `OPENAI_LOG`).
 */
export function resolveChatCompletionsEndpoint(
  options: OpenAIClientOptions,
  factoryName: string,
): ChatCompletionsEndpoint | undefined {
  if (options.client || options.fetch || !isNode()) return undefined;
  if (environmentVariable('OPENAI_CUSTOM_HEADERS') || environmentVariable('OPENAI_LOG')) return undefined;
  const organization = environmentVariable('OPENAI_ORG_ID');
  const project = environmentVariable('OPENAI_PROJECT_ID');
  return createChatCompletionsEndpoint({
    apiKey: apiKeyOf(options, factoryName),
    baseURL: options.baseURL ?? environmentVariable('OPENAI_BASE_URL') ?? 'https://api.openai.com/v1',
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
    headers: {
      ...(organization === undefined ? {} : { 'openai-organization': organization }),
      ...(project === undefined ? {} : { 'openai-project': project }),
    },
  });
}
