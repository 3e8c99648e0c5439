import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const workerEntry = fileURLToPath(new URL('./workerProcess.ts', import.meta.url));

export interface WorkerProcess {
  name: string;
  /** `Date.now()` when the process was spawned: calls it made are at or after this. */
  startedAt: number;
  child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts a worker process and resolves once it printed `ready` (its engine started and recovered). */
export async function startWorker(name: string, environment: Record<string, string>): Promise<WorkerProcess> {
  const startedAt = Date.now();
  const child = spawn(process.execPath, ['--conditions=@roadmap/source', '--import', 'tsx', workerEntry], {
    env: { ...process.env, ...environment, WORKER_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      stdout += chunk.toString();
      if (/(^|\n)ready\n/.test(stdout)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    exited.then((code) => reject(new Error(`worker ${name} exited (${code}) before ready:\n${output}`)));
  });
  await ready;
  return { name, startedAt, child, output: () => output, exited, kill: (signal) => child.kill(signal) };
}

/** Kills with SIGKILL and waits until the process is gone. */
export async function killHard(worker: WorkerProcess): Promise<void> {
  worker.kill('SIGKILL');
  await worker.exited;
}

/** Seeded pseudo-random numbers (mulberry32), so kill points are reproducible from the seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
