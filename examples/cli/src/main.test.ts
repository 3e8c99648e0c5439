import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** The CLI as a user runs it (`pnpm start`), stdin not a terminal. */
const packageDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stdout matches `pattern`; rejects if the process exits first. */
  waitFor: (pattern: RegExp) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runCliProcess(args: string[]): Run {
  const { INIT_CWD: _initCwd, ROADMAP_DEMO_LATENCY_MS: _latency, ...env } = process.env;
  const child = spawn(process.execPath, ['--conditions=@roadmap/source', '--import', 'tsx', 'src/main.ts', ...args], {
    cwd: packageDirectory,
    env: { ...env, ROADMAP_DATA_DIR: `${outDirectory}-data` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void; reject: (error: Error) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stdout)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const waiter of waiters.splice(0)) {
        waiter.reject(
          new Error(`The CLI exited (${code ?? signal}) before printing ${waiter.pattern}:\n${stdout}${stderr}`),
        );
      }
      resolve({ code, signal });
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      }),
  };
}

let outDirectory: string;
let running: ChildProcess | undefined;
beforeEach(async () => {
  outDirectory = await mkdtemp(path.join(tmpdir(), 'roadmap-cli-e2e-'));
});
afterEach(async () => {
  if (running && running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
  running = undefined;
  await rm(outDirectory, { recursive: true, force: true });
  await rm(`${outDirectory}-data`, { recursive: true, force: true });
});

describe('the CLI process', () => {
  it('generates a roadmap offline and writes it as Markdown', async () => {
    const run = runCliProcess(['--goal', 'Learn Go', '--latency', '0', '--out', outDirectory]);
    running = run.child;
    const { code } = await run.exited;
    expect(run.stderr()).toBe('');
    expect(code).toBe(0);
    // Not a terminal: plain lines, no escape codes.
    expect(run.stdout()).not.toContain('\u001b');
    expect(run.stdout()).toContain('▸ Content generation: Generating content for');
    const files = await readdir(outDirectory);
    expect(files).toHaveLength(1);
    const file = path.join(outDirectory, files[0] ?? '');
    expect(files[0]).toMatch(/^learn-go-[0-9a-f]{8}\.md$/);
    expect(run.stdout()).toContain(`Roadmap written to ${file}\n`);
    const markdown = await readFile(file, 'utf8');
    const headings = markdown.split('\n').filter((line) => /^#{1,5} /.test(line));
    expect(headings[0]).toMatch(/^# .*Go/);
    expect(headings[1]).toMatch(/^## Stage 1: /);
    expect(headings[2]).toMatch(/^### /);
    expect(headings[3]).toMatch(/^#### /);
    expect(headings.slice(4, 7)).toEqual(['##### Tutorial', '##### Resources', '##### Quiz']);
    expect(markdown).not.toContain('_Not generated._');
  });

  it('cancels on Ctrl-C (SIGINT), keeps what was generated and exits 130', async () => {
    const run = runCliProcess(['--goal', 'Learn Go', '--latency', '100', '--concurrency', '1', '--out', outDirectory]);
    running = run.child;
    await run.waitFor(/▸ Content generation/);
    await run.waitFor(/^ {2}✔ /m);
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code).toBe(130);
    const match =
      /Cancelled\. Kept: intent, curriculum, (\d+) of (\d+) content items \(\d+ tutorials?, \d+ resources, \d+ quiz(?:zes)?\)\./.exec(
        run.stdout(),
      );
    expect(match, run.stdout()).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThan(0);
    expect(Number(match?.[1])).toBeLessThan(Number(match?.[2]));
    const files = await readdir(outDirectory);
    expect(files).toHaveLength(1);
    const file = path.join(outDirectory, files[0] ?? '');
    expect(run.stdout()).toContain(`Partial roadmap written to ${file}\n`);
    const markdown = await readFile(file, 'utf8');
    expect(markdown).toContain('> Partial roadmap: generation was cancelled.');
    expect(markdown).toContain('##### Tutorial');
    expect(markdown).toContain('_Not generated._');
  });

  it('exits 2 with the usage on an unknown flag', async () => {
    const run = runCliProcess(['--colour']);
    running = run.child;
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.stderr()).toMatch(/^Error: Unknown option '--colour'\.\n\nUsage: /);
  });
});
