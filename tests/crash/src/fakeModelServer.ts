import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoResponse, type ModelInput, type ModelOperation } from '@roadmap/core';

/** One model call as the fake server saw it. */
export interface ServedCall {
  /** Order of arrival, from 1. */
  index: number;
  key: string;
  operation: ModelOperation;
  goal: string;
  /** Worker process that sent it (its `x-worker` header). */
  worker: string;
  startedAt: number;
  /** Set when the answer was sent. */
  answeredAt?: number;
  /** Set when the client went away before the answer (an abort or a killed process). */
  abandonedAt?: number;
}

export interface FakeModelServerOptions {
  /** Latency of every answer in ms. Default: 20. */
  latencyMs?: number;
  /** Goals whose calls make the calling worker kill itself (a poison task). */
  poisonGoals?: readonly string[];
  /** Content calls of these goals never answer (until the client goes away). */
  hangGoals?: readonly string[];
}

export interface FakeModelServer {
  url: string;
  calls: ServedCall[];
  /** Calls started but neither answered nor abandoned. */
  inFlight(): ServedCall[];
  /** Resolves once `predicate` holds for the calls (checked on every change). */
  waitFor(predicate: (calls: ServedCall[]) => boolean, timeoutMs?: number): Promise<void>;
  setLatency(latencyMs: number): void;
  /** Replaces the poison and hanging goals for the calls that follow. */
  configure(options: Pick<FakeModelServerOptions, 'poisonGoals' | 'hangGoals'>): void;
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const frameworkOperations: readonly string[] = [
  'intent_analysis',
  'curriculum_design',
  'structure_review',
  'roadmap_edit',
];

/**
 * An HTTP stand-in for a model provider, shared by worker processes: answers like the demo model after a latency,
 * and records every call, so a test can count calls per item across kills and restarts.
 */
export async function startFakeModelServer(options: FakeModelServerOptions = {}): Promise<FakeModelServer> {
  let latencyMs = options.latencyMs ?? 20;
  let poisonGoals = options.poisonGoals ?? [];
  let hangGoals = options.hangGoals ?? [];
  const calls: ServedCall[] = [];
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = (await readJson(request)) as { operation: ModelOperation; key: string; input: ModelInput };
      const goal = body.input.preferences.learning_goal;
      const call: ServedCall = {
        index: calls.length + 1,
        key: body.key,
        operation: body.operation,
        goal,
        worker: String(request.headers['x-worker'] ?? ''),
        startedAt: Date.now(),
      };
      calls.push(call);
      changed();
      let settled = false;
      response.on('close', () => {
        if (settled) return;
        settled = true;
        call.abandonedAt = Date.now();
        changed();
      });
      if (poisonGoals.includes(goal)) {
        response.writeHead(200, { 'content-type': 'application/json', 'x-poison': '1' });
        response.end(JSON.stringify({ poison: true }));
        return;
      }
      const hangs = hangGoals.includes(goal) && !frameworkOperations.includes(body.operation);
      if (hangs) return;
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (settled) return;
      const text = JSON.stringify(demoResponse({ operation: body.operation, input: body.input }));
      settled = true;
      call.answeredAt = Date.now();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ text }));
      changed();
    })().catch((error: unknown) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: String(error) }));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    inFlight: () => calls.filter((call) => call.answeredAt === undefined && call.abandonedAt === undefined),
    waitFor(predicate, timeoutMs = 30_000) {
      if (predicate(calls)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake model server: condition not met within ${timeoutMs} ms (${calls.length} calls)`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(calls)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    setLatency(value) {
      latencyMs = value;
    },
    configure(next) {
      poisonGoals = next.poisonGoals ?? [];
      hangGoals = next.hangGoals ?? [];
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
