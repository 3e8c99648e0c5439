import { type Curriculum, demoResponse, type ModelOperation } from '@roadmap/core';
import { writeChatCompletionStream } from '../examples/server/src/chatCompletionStream.js';
import { inputFromPrompt } from '../examples/server/src/fakeOpenAIServer.js';
import { ask, childRole, endChild, forkRole, listen, serveMessages } from './httpSupport.js';
import { frameworkOperations, sizedCurriculum } from './models.js';

/** One Chat Completions request the fake server received (times from `performance.now()`). */
export interface ServedCall {
  goal: string;
  operation: ModelOperation;
  /** When the request's headers arrived (before its body was read): the latency counts from here. */
  arrivedAt: number;
  receivedAt: number;
  answeredAt?: number;
  /** When the server saw the client's connection close before it answered. */
  closedAt?: number;
  /** Resolves when the call was answered or its connection closed. */
  ended: Promise<void>;
}

/** A recorded request: what the harness baseline sends again. */
export interface ServedRequest {
  goal: string;
  operation: ModelOperation;
  /** The concept of a content call. */
  concept?: string;
  /** The request body as sent. */
  body: string;
  /** When it arrived and when its answer began, in ms since the epoch (`performance.timeOrigin` based). */
  arrivedAtMs: number;
  answeredAtMs?: number;
}

export interface FakeModelServerOptions {
  /** Delay before every answer, in ms. */
  latencyMs: number;
  /** Curriculum shape the `curriculum_design` answer is resized to. */
  shape: { stages: number; modules: number; concepts: number };
  /** Content calls are never answered: they only end when the client closes the connection. */
  hangContent?: boolean;
  /**
   * How a call asked with `stream: true` is answered: its first piece after `latencyMs`, then `pieces` pieces in
   * all, `pieceIntervalMs` apart. Default: the whole answer in one piece (as fast as a non-streamed answer).
   */
  streaming?: { pieces: number; pieceIntervalMs: number };
}

function operationOf(schemaName: string, hasIssues: boolean): ModelOperation {
  if (schemaName === 'curriculum') return hasIssues ? 'roadmap_edit' : 'curriculum_design';
  if (schemaName === 'intent') return 'intent_analysis';
  return schemaName as ModelOperation;
}

/**
 * An OpenAI-compatible Chat Completions server on loopback for the HTTP benchmarks: answers like the demo model after
 * `latencyMs` (curriculum resized to `shape`), or never for content calls (`hangContent`), and records when each
 * client connection closed. `whenOpen(goal, n)` resolves once `n` calls of the goal are open at once.
 */
export async function startFakeModelServer(options: FakeModelServerOptions) {
  const calls: ServedCall[] = [];
  const open = new Map<string, number>();
  const waiters: { goal: string; count: number; resolve: () => void }[] = [];
  const change = (goal: string, delta: number) => {
    const now = (open.get(goal) ?? 0) + delta;
    if (now === 0) open.delete(goal);
    else open.set(goal, now);
    for (const waiter of [...waiters]) {
      if (waiter.goal === goal && now >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  let completions = 0;
  const requests: ServedRequest[] = [];
  const contentAnswers = new Map<string, string>();
  const server = await listen(async (request, response) => {
    // The latency counts from the request's arrival: parsing it and building the answer happen within it, as at a
    // real model server, instead of queueing after it when a burst of calls arrives together. The parsing waits for
    // the poll phase to end, so that every request of a burst (a fan-out step sends 24 at once) has its arrival
    // time before any is parsed: otherwise the last one's latency would start a dozen parses late.
    const arrivedAt = performance.now();
    await new Promise<void>((resolve) => setImmediate(resolve));
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = JSON.parse(text) as {
      model: string;
      messages: { role: string; content: string }[];
      response_format?: { json_schema?: { name: string } };
      stream?: boolean;
    };
    const prompt = body.messages.find((message) => message.role === 'user')?.content ?? '';
    const input = inputFromPrompt(prompt);
    const operation = operationOf(body.response_format?.json_schema?.name ?? '', input.issues !== undefined);
    const goal = input.preferences.learning_goal;
    // A replayed request (the harness baseline) is answered the same way but not recorded.
    const tracked = request.headers['x-bench-replay'] === undefined;
    let end = () => {};
    const call: ServedCall = {
      goal,
      operation,
      arrivedAt,
      receivedAt: performance.now(),
      ended: new Promise<void>((resolve) => {
        end = resolve;
      }),
    };
    const served: ServedRequest = {
      goal,
      operation,
      concept: input.concept?.name,
      body: text,
      arrivedAtMs: performance.timeOrigin + arrivedAt,
    };
    if (tracked) {
      calls.push(call);
      requests.push(served);
      change(goal, 1);
    }
    let timer: NodeJS.Timeout | undefined;
    response.on('close', () => {
      clearTimeout(timer);
      if (call.answeredAt === undefined) {
        call.closedAt = performance.now();
        if (tracked) change(goal, -1);
        end();
      }
    });
    if (options.hangContent && !frameworkOperations.includes(operation)) return;
    // A content answer depends only on the operation and the concept: built once and replayed (as P1's recorder
    // does), so the server's own CPU — a remote service's, in a real deployment — stays out of the measured
    // process's way on this two-core machine.
    const replayKey = frameworkOperations.includes(operation) ? undefined : `${operation}|${input.concept?.name ?? ''}`;
    let content = replayKey === undefined ? undefined : contentAnswers.get(replayKey);
    if (content === undefined) {
      content = JSON.stringify(demoResponse({ operation, input }));
      if (operation === 'curriculum_design') {
        content = JSON.stringify(sizedCurriculum(JSON.parse(content) as Curriculum, options.shape));
      }
      if (replayKey !== undefined) contentAnswers.set(replayKey, content);
    }
    completions += 1;
    const completion = completions;
    // Built now, within the latency: when the timer fires, answering is one write (a burst's 24 answers are due
    // together, and a real server would not write them one after another's serialisation).
    const answer =
      body.stream === true
        ? undefined
        : JSON.stringify({
            id: `chatcmpl-bench${completion}`,
            object: 'chat.completion',
            created: 1_767_225_600,
            model: body.model,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content, refusal: null },
                logprobs: null,
                finish_reason: 'stop',
              },
            ],
            usage: { prompt_tokens: 100, completion_tokens: 100, total_tokens: 200 },
          });
    timer = setTimeout(
      () => {
        call.answeredAt = performance.now();
        served.answeredAtMs = performance.timeOrigin + call.answeredAt;
        if (tracked) change(goal, -1);
        end();
        if (answer === undefined) {
          void writeChatCompletionStream(response, {
            id: `chatcmpl-bench${completion}`,
            model: body.model,
            content: content as string,
            usage: { prompt_tokens: 100, completion_tokens: 100 },
            ...options.streaming,
          });
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(answer);
      },
      Math.max(0, options.latencyMs - (performance.now() - arrivedAt)),
    );
  });
  return {
    baseURL: `${server.url}/v1`,
    calls,
    requests,
    whenOpen: (goal: string, count: number) =>
      new Promise<void>((resolve) => {
        if ((open.get(goal) ?? 0) >= count) resolve();
        else waiters.push({ goal, count, resolve });
      }),
    close: () => server.close(),
  };
}

const childRoleName = 'fake-model-server';

type ChildMessage = { start: FakeModelServerOptions } | { count: string } | { served: string } | { close: true };

/** What the server did for one goal (see `served`). */
export interface ServedGoal {
  /** How late each answer began after its latency, in ms (arrival order): a busy server answers late. */
  lateMs: number[];
  /** The CPU time the server's process has used so far, in ms. */
  cpuMs: number;
  /** The requests, in arrival order. */
  requests: ServedRequest[];
}

/**
 * The same server in a child process, so its CPU work (parsing prompts, building demo answers) does not queue behind
 * the engine's in the measured process — as with a real model server on another machine. `count(goal)` returns how
 * many calls of each operation the server received for that goal.
 */
export async function startFakeModelServerProcess(options: FakeModelServerOptions) {
  const child = forkRole(import.meta.url, childRoleName);
  const { baseURL } = await ask<{ baseURL: string }>(child, { start: options } satisfies ChildMessage);
  return {
    baseURL,
    count: (goal: string) => ask<Record<string, number>>(child, { count: goal } satisfies ChildMessage),
    /** The requests of `goal`, how late their answers began, and the server's CPU time so far. */
    served: (goal: string) => ask<ServedGoal>(child, { served: goal } satisfies ChildMessage),
    async close() {
      await ask(child, { close: true } satisfies ChildMessage);
      await endChild(child);
    },
  };
}

if (childRole() === childRoleName) {
  let server: Awaited<ReturnType<typeof startFakeModelServer>> | undefined;
  let latencyMs = 0;
  serveMessages(async (raw) => {
    const message = raw as ChildMessage;
    if ('start' in message) {
      server = await startFakeModelServer(message.start);
      latencyMs = message.start.latencyMs;
      return { baseURL: server.baseURL };
    }
    if ('count' in message) {
      const counts: Record<string, number> = {};
      for (const call of server?.calls ?? []) {
        if (call.goal === message.count) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
      }
      return counts;
    }
    if ('served' in message) {
      const lateMs = (server?.calls ?? [])
        .filter((call) => call.goal === message.served && call.answeredAt !== undefined)
        .map((call) => (call.answeredAt ?? 0) - call.arrivedAt - latencyMs);
      const cpu = process.cpuUsage();
      const requests = (server?.requests ?? []).filter((request) => request.goal === message.served);
      return { lateMs, cpuMs: (cpu.user + cpu.system) / 1000, requests } satisfies ServedGoal;
    }
    await server?.close();
    return { closed: true };
  });
}
