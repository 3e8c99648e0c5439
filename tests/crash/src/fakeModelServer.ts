import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Curriculum, demoResponse, type ModelInput, type ModelOperation } from '@roadmap/core';

/** One model call as the fake server saw it. */
export interface ServedCall {
  /** Order of arrival, from 1. */
  index: number;
  /**
   * The request's key (`tutorial:<concept id>`, `intent_analysis`, …), except for the rounds of structure
   * validation: `structure_review:<round>` and `roadmap_edit:<round>` (see {@link editRoundOf}), so that a review
   * or an edit of another round is another call, not the same one asked again.
   */
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
  /** Calls for which this returns true never answer (until the client goes away), framework calls included. */
  hangCalls?: (call: Pick<ServedCall, 'goal' | 'operation' | 'key'>) => boolean;
  /**
   * Per goal, how many rounds of structure review reject the curriculum (a critical issue), so the pipeline goes
   * to `roadmap_edit` that many times. Default: none.
   */
  rejectedReviewRounds?: Readonly<Record<string, number>>;
  /** Keeps only the first this many concepts of every designed or edited curriculum (shorter runs). Default: all. */
  conceptsPerRoadmap?: number;
}

type Configurable = 'poisonGoals' | 'hangGoals' | 'hangCalls' | 'rejectedReviewRounds';

export interface FakeModelServer {
  url: string;
  calls: ServedCall[];
  /** Calls started but neither answered nor abandoned. */
  inFlight(): ServedCall[];
  /** Resolves once `predicate` holds for the calls (checked on every change). */
  waitFor(predicate: (calls: ServedCall[]) => boolean, timeoutMs?: number): Promise<void>;
  setLatency(latencyMs: number): void;
  /** Replaces the poison goals, hanging calls and rejected reviews for the calls that follow (absent: none). */
  configure(options: Pick<FakeModelServerOptions, Configurable>): void;
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

const editMarker = /\s\[edit (\d+)\]$/;

/** The edit round a curriculum came from: 0 as designed, N after the N-th `roadmap_edit` (marked in its title). */
export function editRoundOf(curriculum: unknown): number {
  const title = (curriculum as { title?: unknown } | undefined)?.title;
  const match = typeof title === 'string' ? editMarker.exec(title) : null;
  return match ? Number(match[1]) : 0;
}

/** The first `count` concepts in study order; modules and stages left empty are dropped. */
function firstConcepts(curriculum: Curriculum, count: number): Curriculum {
  let left = count;
  const stages = curriculum.stages
    .map((stage) => ({
      ...stage,
      modules: stage.modules
        .map((module) => {
          const concepts = module.concepts.slice(0, Math.max(0, left));
          left -= concepts.length;
          return { ...module, concepts };
        })
        .filter((module) => module.concepts.length > 0),
    }))
    .filter((stage) => stage.modules.length > 0);
  return { ...curriculum, stages };
}

/**
 * An HTTP stand-in for a model provider, shared by worker processes: answers like the demo model after a latency,
 * and records every call, so a test can count calls per item across kills and restarts.
 */
export async function startFakeModelServer(options: FakeModelServerOptions = {}): Promise<FakeModelServer> {
  let latencyMs = options.latencyMs ?? 20;
  let poisonGoals = options.poisonGoals ?? [];
  let hangGoals = options.hangGoals ?? [];
  let hangCalls = options.hangCalls ?? (() => false);
  let rejectedReviewRounds = options.rejectedReviewRounds ?? {};
  /** What the model answers (the demo model's answer, shaped by the options). */
  const answer = (operation: ModelOperation, input: ModelInput): unknown => {
    const round = editRoundOf(input.curriculum);
    if (operation === 'structure_review' && round < (rejectedReviewRounds[input.preferences.learning_goal] ?? 0)) {
      return {
        ...demoResponse({ operation, input }),
        is_valid: false,
        issues: [{ severity: 'critical', location: 'stages', message: `Rejected by the test (round ${round}).` }],
      };
    }
    if (operation !== 'curriculum_design' && operation !== 'roadmap_edit') return demoResponse({ operation, input });
    let curriculum = demoResponse({ operation, input });
    if (options.conceptsPerRoadmap !== undefined) curriculum = firstConcepts(curriculum, options.conceptsPerRoadmap);
    if (operation === 'curriculum_design') return curriculum;
    return { ...curriculum, title: `${curriculum.title.replace(editMarker, '')} [edit ${round + 1}]` };
  };
  /** The call's identity within its task (see `ServedCall.key`). */
  const keyOf = (operation: ModelOperation, key: string, input: ModelInput): string => {
    if (operation === 'structure_review') return `${operation}:${editRoundOf(input.curriculum)}`;
    if (operation === 'roadmap_edit') return `${operation}:${editRoundOf(input.curriculum) + 1}`;
    return key;
  };
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
        key: keyOf(body.operation, body.key, body.input),
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
      const hangs = (hangGoals.includes(goal) && !frameworkOperations.includes(body.operation)) || hangCalls(call);
      if (hangs) return;
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (settled) return;
      const text = JSON.stringify(answer(body.operation, body.input));
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
      hangCalls = next.hangCalls ?? (() => false);
      rejectedReviewRounds = next.rejectedReviewRounds ?? {};
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
