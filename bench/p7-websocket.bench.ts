import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMemoryQueue, createMemoryStorage, type Storage } from '@roadmap/core';
import { attachRoadmapWebSocket, createJwtAuthenticator, signJwt } from '@roadmap/express';
import { ask, childRole, endChild, forkRole, getGc, listen, monotonicMs, serveMessages } from './httpSupport.js';
import { LeanWebSocket } from './leanWebSocket.js';
import { type Benchmark, percentile, preferences, round, startApiEngine } from './support.js';

const clients = 1000;
/** Client processes: the cores the server does not need (1 on a 2-core machine), at most 4. */
const childProcesses = Math.max(1, Math.min(4, availableParallelism() - 1));
const eventsPerSecond = 200;
const seconds = 5;
const events = eventsPerSecond * seconds;
const secret = 'roadmap-bench-p7-secret-0123456789abcdef';
const userId = 'p7-user';
const controlTypes = new Set(['connected', 'current_status', 'pong', 'resync', 'closing']);

// ---------------------------------------------------------------------------------------------------------------
// Client side: a forked child holding `clients / childProcesses` sockets (so they take neither the server's CPU nor
// its heap). Receive times use the machine-wide monotonic clock, comparable with the server's append times.
// ---------------------------------------------------------------------------------------------------------------

interface WsClient {
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'close', listener: () => void): void;
  terminate(): void;
}

type ClientMessage =
  | { cmd: 'connect'; url: string; count: number }
  | { cmd: 'count' }
  | { cmd: 'collect'; appended: [number, number][] }
  | { cmd: 'close' };

const typeKey = Buffer.from('"type":"');
const seqKey = Buffer.from('"seq":');

/**
 * `type` and `seq` of a message, read straight from its bytes: one client process stands in for 1,000 browsers, so
 * it must not spend its core parsing 200,000 JSON messages a second (that would measure the clients, not the server).
 */
export function peekMessage(data: Buffer): { type: string; seq: number | undefined } {
  const typeAt = data.indexOf(typeKey);
  const typeStart = typeAt + typeKey.length;
  const type = typeAt < 0 ? '' : data.toString('latin1', typeStart, data.indexOf(34, typeStart));
  const seqAt = data.indexOf(seqKey);
  if (seqAt < 0) return { type, seq: undefined };
  let seq = 0;
  for (let index = seqAt + seqKey.length; index < data.length; index += 1) {
    const digit = (data[index] ?? 0) - 48;
    if (digit < 0 || digit > 9) break;
    seq = seq * 10 + digit;
  }
  return { type, seq };
}

function serveClients(): void {
  const sockets: WsClient[] = [];
  /** Flat pairs: seq, receive time — allocated once, so that growing it never stalls the receiving process. */
  const received = new Float64Array(2 * (clients * events + clients));
  let receivedLength = 0;
  let unexpectedCloses = 0;
  let closing = false;
  const connectOne = (url: string) =>
    new Promise<boolean>((resolve) => {
      const socket = new LeanWebSocket(url);
      let connected = false;
      socket.on('message', (data: Buffer) => {
        const at = socket.readAtMs;
        const message = peekMessage(data);
        if (!connected && message.type === 'connected') {
          connected = true;
          sockets.push(socket);
          resolve(true);
        } else if (message.seq !== undefined && !controlTypes.has(message.type)) {
          if (receivedLength < received.length) {
            received[receivedLength] = message.seq;
            received[receivedLength + 1] = at;
            receivedLength += 2;
          }
        }
      });
      socket.on('error', () => {
        if (!connected) resolve(false);
      });
      socket.on('close', () => {
        if (!connected) resolve(false);
        else if (!closing) unexpectedCloses += 1;
      });
    });
  serveMessages(async (raw) => {
    const message = raw as ClientMessage;
    if (message.cmd === 'connect') {
      let failed = 0;
      const batch = 25;
      for (let start = 0; start < message.count; start += batch) {
        const size = Math.min(batch, message.count - start);
        const results = await Promise.all(Array.from({ length: size }, () => connectOne(message.url)));
        failed += results.filter((ok) => !ok).length;
      }
      return { connected: sockets.length, failed };
    }
    if (message.cmd === 'count') {
      const cpu = process.cpuUsage();
      return { received: receivedLength / 2, unexpectedCloses, cpuMs: (cpu.user + cpu.system) / 1000 };
    }
    if (message.cmd === 'collect') {
      const appended = new Map(message.appended);
      const latencies: number[] = [];
      let unknown = 0;
      for (let index = 0; index < receivedLength; index += 2) {
        const at = appended.get(received[index] ?? -1);
        if (at === undefined) unknown += 1;
        else latencies.push(round((received[index + 1] ?? 0) - at, 3));
      }
      return { latencies, unknown, unexpectedCloses };
    }
    closing = true;
    for (const socket of sockets) socket.terminate();
    return { closed: sockets.length };
  });
}

if (childRole() === 'p7-clients') serveClients();

// ---------------------------------------------------------------------------------------------------------------
// Server side
// ---------------------------------------------------------------------------------------------------------------

/**
 * Memory storage that records, per `seq`, the monotonic time each event was stored: by `appendEvent`, or with the
 * task it belongs to (`createTask` stores a new task's `queued` event in the same step, `transitionTask` a status
 * change's event).
 */
function timedStorage(appendedAt: Map<number, number>): Storage {
  const base = createMemoryStorage();
  const record = (seq: number | undefined) => {
    if (seq !== undefined) appendedAt.set(seq, monotonicMs());
  };
  const wrapped: Partial<Storage> = {
    async appendEvent(...args) {
      const stored = await base.appendEvent(...args);
      record(stored?.seq);
      return stored;
    },
    async createTask(...args) {
      const created = await base.createTask(...args);
      record(created.event?.seq);
      return created;
    },
    async transitionTask(...args) {
      const transition = await base.transitionTask(...args);
      record(transition?.event?.seq);
      return transition;
    },
  };
  return new Proxy(base, {
    get(target, property) {
      if (property in wrapped) return wrapped[property as keyof Storage];
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const heapAndExternal = () => {
  const usage = process.memoryUsage();
  return { heapPlusExternal: usage.heapUsed + usage.external, rss: usage.rss };
};

async function measure() {
  const gc = getGc();
  const appendedAt = new Map<number, number>();
  const queue = createMemoryQueue();
  // No worker: each `generate()` appends one `progress` event through the engine, which wakes the hub at once (the
  // path of every local event); the hub then reads it back from the log and fans it out to the 1,000 sockets.
  const engine = await startApiEngine(timedStorage(appendedAt), queue);
  const hubErrors: unknown[] = [];
  const server = createServer((_request, response) => {
    response.statusCode = 404;
    response.end();
  });
  const sockets = attachRoadmapWebSocket(server, engine, {
    authenticate: createJwtAuthenticator({ secret }),
    // All the clients are one user: lift the per-user upgrade limit and the cap on open sockets per user.
    upgradeRateLimit: { limit: Number.MAX_SAFE_INTEGER, windowMs: 60_000 },
    maxConnectionsPerUser: Number.POSITIVE_INFINITY,
    onError: (error) => hubErrors.push(error),
  });
  const listening = await listen(server);
  const token = signJwt({ sub: userId, expiresInSeconds: 3600 }, secret);
  const wsUrl = `ws://127.0.0.1:${listening.port}/api/v1/ws?token=${encodeURIComponent(token)}`;
  // One event in the log before anyone connects, so the hub's first read has something to skip.
  await engine.generate({ userId, request: preferences('Learn Rust (P7 before connect)') });

  const children = Array.from({ length: childProcesses }, () => forkRole(import.meta.url, 'p7-clients'));
  try {
    // Children load first (an empty round trip), so their start-up does not overlap the memory baseline.
    await Promise.all(children.map((child) => ask(child, { cmd: 'count' })));
    gc();
    const before = heapAndExternal();
    const connects = await Promise.all(
      children.map((child, index) =>
        ask<{ connected: number; failed: number }>(child, {
          cmd: 'connect',
          url: wsUrl,
          count: Math.floor(clients / childProcesses) + (index < clients % childProcesses ? 1 : 0),
        }),
      ),
    );
    const connected = connects.reduce((sum, result) => sum + result.connected, 0);
    const failedConnects = connects.reduce((sum, result) => sum + result.failed, 0);
    if (connected !== clients) throw new Error(`only ${connected} of ${clients} sockets connected`);
    await sleep(200);
    gc();
    const after = heapAndExternal();
    const bytesPerSocket = (after.heapPlusExternal - before.heapPlusExternal) / clients;
    const rssPerSocket = (after.rss - before.rss) / clients;

    // 200 events/s for 5 s on a fixed schedule (no drift), not awaiting each `generate()`: the offered load stays
    // 200/s even when the server falls behind; `achieved_rate` is appends/s and `schedule_lag_ms` how late the
    // generator got (the same event loop serves the sockets).
    const firstSeq = Math.max(0, ...appendedAt.keys());
    const clientCpuAtStart = await Promise.all(
      children.map((child) => ask<{ cpuMs: number }>(child, { cmd: 'count' })),
    );
    const serverCpuAtStart = process.cpuUsage();
    const startedAt = monotonicMs();
    const pending: Promise<unknown>[] = [];
    let behindMs = 0;
    for (let index = 0; index < events; index += 1) {
      const wait = startedAt + (index * 1000) / eventsPerSecond - monotonicMs();
      if (wait >= 1) await sleep(wait);
      else behindMs = Math.max(behindMs, -wait);
      pending.push(engine.generate({ userId, request: preferences(`Learn Rust (P7 event ${index})`) }));
    }
    await Promise.all(pending);
    const generationMs = Math.max(...[...appendedAt].filter(([seq]) => seq > firstSeq).map(([, at]) => at)) - startedAt;
    const expected = events * clients;
    const deadline = monotonicMs() + 10_000;
    let delivered = 0;
    while (monotonicMs() < deadline) {
      const counts = await Promise.all(children.map((child) => ask<{ received: number }>(child, { cmd: 'count' })));
      delivered = counts.reduce((sum, count) => sum + count.received, 0);
      if (delivered >= expected) break;
      await sleep(50);
    }
    const deliveredAt = monotonicMs();
    const serverCpu = process.cpuUsage(serverCpuAtStart);
    const clientCpuAtEnd = await Promise.all(children.map((child) => ask<{ cpuMs: number }>(child, { cmd: 'count' })));
    const windowMs = deliveredAt - startedAt;
    const serverCpuPct = ((serverCpu.user + serverCpu.system) / 1000 / windowMs) * 100;
    const clientCpuPct =
      (clientCpuAtEnd.reduce((sum, end, index) => sum + end.cpuMs - (clientCpuAtStart[index]?.cpuMs ?? 0), 0) /
        windowMs /
        children.length) *
      100;
    const appended = [...appendedAt].filter(([seq]) => seq > firstSeq);
    const collected = await Promise.all(
      children.map((child) =>
        ask<{ latencies: number[]; unknown: number; unexpectedCloses: number }>(child, { cmd: 'collect', appended }),
      ),
    );
    const latencies = collected.flatMap((result) => result.latencies);
    await Promise.all(children.map((child) => ask(child, { cmd: 'close' })));
    return {
      latencies,
      expected,
      delivered: latencies.length,
      unknownSeq: collected.reduce((sum, result) => sum + result.unknown, 0),
      unexpectedCloses: collected.reduce((sum, result) => sum + result.unexpectedCloses, 0),
      failedConnects,
      bytesPerSocket,
      rssPerSocket,
      achievedRate: (events / generationMs) * 1000,
      behindMs,
      serverCpuPct,
      clientCpuPct,
      hubErrors: hubErrors.length,
    };
  } finally {
    await Promise.all(children.map((child) => endChild(child)));
    await sockets.close();
    await listening.close();
    await engine.stop();
    await queue.close();
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P7',
    title: `WebSocket delivery p99, ${clients} user-wide clients, ${eventsPerSecond} events/s × ${seconds} s`,
    target: { op: '<=', value: 50 },
    async run() {
      const result = await measure();
      const { latencies } = result;
      return {
        value: round(percentile(latencies, 99)),
        unit: 'ms',
        detail: {
          clients,
          client_processes: childProcesses,
          events,
          p50_ms: round(percentile(latencies, 50)),
          p99_ms: round(percentile(latencies, 99)),
          max_ms: round(latencies.reduce((max, value) => Math.max(max, value), 0)),
          delivered: result.delivered,
          expected: result.expected,
          achieved_rate: round(result.achievedRate, 1),
          schedule_lag_ms: round(result.behindMs, 1),
          server_cpu_pct: round(result.serverCpuPct, 1),
          client_cpu_pct_per_process: round(result.clientCpuPct, 1),
          memory_per_idle_socket_kb: round(result.bytesPerSocket / 1024, 2),
          memory_target_kb: 20,
          memory_ok: result.bytesPerSocket / 1024 <= 20,
          rss_per_idle_socket_kb: round(result.rssPerSocket / 1024, 2),
          unknown_seq: result.unknownSeq,
          unexpected_closes: result.unexpectedCloses,
          failed_connects: result.failedConnects,
          hub_errors: result.hubErrors,
          setup:
            'events = real engine.generate() progress events (local emit wakes the hub; default 250 ms polling ' +
            'never needed); latency = client receive − storage append resolve, machine-wide monotonic clock; ' +
            `clients in ${childProcesses} forked child processes (a lean frame reader, not \`ws\`: see ` +
            'bench/leanWebSocket.ts), so memory = server process only (heapUsed + ' +
            'external delta after forced GC, ÷ 1,000)',
        },
      };
    },
  },
];
