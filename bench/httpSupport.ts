import { type ChildProcess, fork } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * HTTP helpers of the P3api/P6/P7 benchmarks. `express` is a dependency of `@roadmap/express` only (not of the
 * root), so it is loaded from that package; its types live there too, so the little the benchmarks use is typed here.
 */
export interface ExpressResponse {
  json(body: unknown): void;
}
export interface ExpressApp {
  (request: IncomingMessage, response: ServerResponse): void;
  use(path: string, handler: unknown): ExpressApp;
  get(path: string, handler: (request: unknown, response: ExpressResponse) => void): ExpressApp;
}

const requireFromExpressPackage = createRequire(new URL('../packages/express/package.json', import.meta.url));
export const express = requireFromExpressPackage('express') as () => ExpressApp;

/** A monotonic clock in ms shared by every process of the machine (CLOCK_MONOTONIC), unlike `performance.now()`. */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface Listening {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Serves `handler` on a free port of 127.0.0.1. */
export async function listen(
  handler: ((request: IncomingMessage, response: ServerResponse) => void) | Server,
): Promise<Listening> {
  const server = typeof handler === 'function' ? createServer(handler) : handler;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `global.gc` when the process has it; otherwise turns `--expose-gc` on at run time and fetches it. */
export function getGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const roleVariable = 'ROADMAP_BENCH_CHILD_ROLE';

/** The role this process was forked for by {@link forkRole}, if any. */
export const childRole = (): string | undefined => process.env[roleVariable];

/**
 * Forks `moduleUrl` (a bench file) again with the same loader flags, as a child with `role`: the child's module
 * sees {@link childRole} and serves messages instead of only exporting its benchmarks. Load generators run there so
 * that they do not take the measured server's CPU (and memory).
 */
export function forkRole(moduleUrl: string, role: string): ChildProcess {
  return fork(fileURLToPath(moduleUrl), [], {
    env: { ...process.env, [roleVariable]: role },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Sends `message` to `child` and resolves with its next message. */
export function ask<Answer>(child: ChildProcess, message: unknown): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench child exited with ${code} before answering`));
    child.once('exit', onExit);
    child.once('message', (answer) => {
      child.off('exit', onExit);
      resolve(answer as Answer);
    });
    child.send(message as never);
  });
}

/** In a child: answers every message with `handler`'s result, in order. */
export function serveMessages(handler: (message: unknown) => Promise<unknown>): void {
  let chain = Promise.resolve();
  process.on('message', (message) => {
    chain = chain.then(async () => {
      const answer = await handler(message);
      await new Promise<void>((resolve) => process.send?.(answer as never, undefined, undefined, () => resolve()));
    });
  });
}

/** Ends a forked child and waits for its exit. */
export async function endChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill();
  await exited;
}
