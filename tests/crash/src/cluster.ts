import { killHard, startWorker, type WorkerProcess } from './processes.js';

/**
 * Worker processes sharing one storage and queue. With `supervise`, a worker that dies on its own (a poison task
 * kills it) is started again, as a process manager would.
 */
export class WorkerCluster {
  readonly workers = new Map<string, WorkerProcess>();
  private supervising = false;
  private closing = false;
  private restarts: Promise<unknown>[] = [];
  /** Deaths the cluster did not cause (restarted when supervising). */
  unexpectedExits = 0;
  /** The exit code (or signal) and the last output of each death the cluster did not cause, for reports. */
  readonly deaths: { name: string; code: number | string; output: string }[] = [];

  constructor(
    private readonly prefix: string,
    private readonly environment: Record<string, string>,
  ) {}

  async start(count: number, options: { supervise?: boolean } = {}): Promise<void> {
    this.supervising = options.supervise ?? false;
    await Promise.all(Array.from({ length: count }, (_, index) => this.launch(`${this.prefix}-${index}`)));
  }

  names(): string[] {
    return [...this.workers.keys()];
  }

  private async launch(name: string): Promise<WorkerProcess> {
    const worker = await startWorker(name, this.environment);
    this.workers.set(name, worker);
    void worker.exited.then((code) => {
      if (this.workers.get(name) !== worker || this.closing) return;
      this.workers.delete(name);
      this.unexpectedExits += 1;
      this.deaths.push({ name, code, output: worker.output().slice(-4000) });
      if (this.supervising) this.restarts.push(this.launch(name).catch(() => undefined));
    });
    return worker;
  }

  /** SIGKILLs one worker and waits until it is gone; it is not restarted (see `restart`). */
  async kill(name: string): Promise<void> {
    const worker = this.workers.get(name);
    if (!worker) return;
    this.workers.delete(name);
    await killHard(worker);
  }

  /** SIGTERMs one worker (graceful) and resolves with its exit code; it is not restarted. */
  async terminate(name: string): Promise<number | string> {
    const worker = this.workers.get(name);
    if (!worker) throw new Error(`no worker ${name}`);
    this.workers.delete(name);
    worker.kill('SIGTERM');
    return worker.exited;
  }

  async restart(name: string): Promise<void> {
    await this.launch(name);
  }

  /** Stops every worker gracefully and waits for them. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.restarts);
    const all = [...this.workers.values()];
    this.workers.clear();
    for (const worker of all) worker.kill('SIGTERM');
    await Promise.all(all.map((worker) => worker.exited));
  }
}
