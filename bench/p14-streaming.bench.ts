import { createServer } from 'node:http';
import { attachRoadmapWebSocket, createJwtAuthenticator, createRoadmapRouter, signJwt } from '@roadmap/express';
import { createOpenAIModel } from '@roadmap/openai';
import { startFakeModelServerProcess } from './fakeModelServer.js';
import { express, listen, monotonicMs } from './httpSupport.js';
import { LeanWebSocket } from './leanWebSocket.js';
import { type Benchmark, median, percentile, preferences, round, startEngine } from './support.js';

/** The model server's first-token latency: every streamed answer's first piece comes this long after the request. */
const firstTokenMs = 300;
/** Then the answer comes in this many pieces, this far apart (a model writing at a steady pace). */
const streaming = { pieces: 40, pieceIntervalMs: 15 };
const shape = { stages: 1, modules: 2, concepts: 3 };
const roadmaps = 4;
/** Roadmaps generated first and not measured: the first streamed calls pay for loading and compiling code paths. */
const warmups = 1;
const secret = 'roadmap-bench-p14-streaming-secret-0123456789';
const userId = 'p14-user';

interface TutorialTimes {
  startedAt?: number;
  firstTextAt?: number;
  deltaBytes: number;
  deltas: number;
  text: string;
}

/**
 * Streaming on the real path: the engine with `@roadmap/openai` against an OpenAI-compatible server (a child
 * process) that streams every answer after a fixed first-token delay, the REST router and the WebSocket on one HTTP
 * server, and a client on the user's stream. For every tutorial: the time from its `concept_start` to its first
 * `content_delta` on the socket, over the first-token delay; and the bytes of its `content_delta` frames per
 * character of the tutorial. The tutorials of {@link warmups} roadmaps generated first are checked but not measured.
 */
async function measure() {
  const model = await startFakeModelServerProcess({ latencyMs: firstTokenMs, shape, streaming });
  const bench = await startEngine(
    createOpenAIModel({ apiKey: 'sk-bench', baseURL: model.baseURL, model: 'gpt-4o-mini' }),
    { concurrency: 3 },
  );
  const app = express();
  app.use('/api/v1', createRoadmapRouter(bench.engine, { authenticate: createJwtAuthenticator({ secret }) }));
  const server = createServer(app as unknown as Parameters<typeof createServer>[1]);
  attachRoadmapWebSocket(server, bench.engine, { authenticate: createJwtAuthenticator({ secret }) });
  const listening = await listen(server);
  const token = signJwt({ sub: userId, expiresInSeconds: 3600 }, secret);
  const tutorials = new Map<string, TutorialTimes>();
  const tutorialOf = (taskId: string, conceptId: string) => {
    const key = `${taskId}|${conceptId}`;
    let entry = tutorials.get(key);
    if (!entry) {
      entry = { deltaBytes: 0, deltas: 0, text: '' };
      tutorials.set(key, entry);
    }
    return entry;
  };
  const terminal = new Map<string, () => void>();
  const socket = new LeanWebSocket(`ws://127.0.0.1:${listening.port}/api/v1/ws?token=${encodeURIComponent(token)}`);
  const connected = new Promise<void>((resolve) => {
    socket.on('message', (data: Buffer) => {
      const at = monotonicMs();
      const message = JSON.parse(data.toString('utf8')) as {
        type: string;
        task_id?: string;
        concept_id?: string;
        content_type?: string;
        offset?: number;
        text?: string;
      };
      if (message.type === 'connected') resolve();
      if (message.content_type === 'tutorial' && message.task_id && message.concept_id) {
        const entry = tutorialOf(message.task_id, message.concept_id);
        if (message.type === 'concept_start') entry.startedAt ??= at;
        if (message.type === 'content_delta') {
          entry.firstTextAt ??= at;
          entry.deltaBytes += data.length;
          entry.deltas += 1;
          entry.text = entry.text.slice(0, message.offset ?? 0) + (message.text ?? '');
        }
      }
      if (message.task_id && (message.type === 'completed' || message.type === 'failed')) {
        terminal.get(message.task_id)?.();
      }
    });
  });
  await connected;
  const authorization = `Bearer ${token}`;
  const warmupTasks = new Set<string>();
  try {
    for (let index = -warmups; index < roadmaps; index += 1) {
      const created = await fetch(`${listening.url}/api/v1/roadmaps/generate`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(preferences(`Learn Rust (P14 streaming ${index})`)),
      });
      if (created.status !== 202) throw new Error(`generate answered ${created.status}: ${await created.text()}`);
      const { task_id: taskId } = (await created.json()) as { task_id: string };
      if (index < 0) warmupTasks.add(taskId);
      await new Promise<void>((resolve) => terminal.set(taskId, resolve));
      const task = await bench.engine.getTask(taskId);
      if (task?.status !== 'completed') throw new Error(`task ${taskId} ended ${task?.status}`);
      // The deltas on the socket add up to each stored tutorial.
      for (const [key, entry] of tutorials) {
        if (!key.startsWith(`${taskId}|`)) continue;
        const detail = await bench.engine.getConcept(task.roadmap_id, key.slice(taskId.length + 1));
        if (detail?.tutorial?.content !== entry.text) throw new Error(`the deltas of ${key} do not make its tutorial`);
      }
    }
  } finally {
    socket.terminate();
    await new Promise((resolve) => server.close(resolve));
    await bench.close();
    await model.close();
  }
  const measured = [...tutorials]
    .filter(([key, entry]) => !warmupTasks.has(key.split('|')[0] ?? '') && entry.startedAt !== undefined)
    .map(([, entry]) => entry)
    .filter((entry) => entry.firstTextAt !== undefined);
  if (measured.length === 0) throw new Error('no tutorial streamed');
  const ratios = measured.map((entry) => ((entry.firstTextAt as number) - (entry.startedAt as number)) / firstTokenMs);
  const characters = measured.reduce((sum, entry) => sum + entry.text.length, 0);
  const bytes = measured.reduce((sum, entry) => sum + entry.deltaBytes, 0);
  const deltas = measured.reduce((sum, entry) => sum + entry.deltas, 0);
  return {
    warmups,
    tutorials: measured.length,
    ratioP50: round(median(ratios)),
    ratioP95: round(percentile(ratios, 95)),
    ratioMax: round(Math.max(...ratios)),
    bytesPerCharacter: round(bytes / characters),
    deltasPerTutorial: round(deltas / measured.length, 1),
    charactersPerTutorial: Math.round(characters / measured.length),
  };
}

let result: Awaited<ReturnType<typeof measure>> | undefined;
const measured = async () => {
  result ??= await measure();
  return result;
};

export const benchmarks: Benchmark[] = [
  {
    id: 'P14firstText',
    title: `first visible tutorial text after the item starts ÷ the model's first-token latency (${firstTokenMs} ms), p95`,
    target: { op: '<=', value: 1.2 },
    async run() {
      const measuredResult = await measured();
      return {
        value: measuredResult.ratioP95,
        unit: '× first token',
        detail: { firstTokenMs, ...streaming, ...measuredResult },
      };
    },
  },
  {
    id: 'P14bytes',
    title: 'content_delta bytes on the WebSocket per generated tutorial character',
    target: { op: '<=', value: 3 },
    async run() {
      const measuredResult = await measured();
      return {
        value: measuredResult.bytesPerCharacter,
        unit: 'bytes/char',
        detail: {
          deltasPerTutorial: measuredResult.deltasPerTutorial,
          charactersPerTutorial: measuredResult.charactersPerTutorial,
        },
      };
    },
  },
];
