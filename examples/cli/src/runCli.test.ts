import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createDemoModel, type LanguageModel } from '@roadmap/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliEnvironment, runCli } from './runCli.js';

function output(isTTY = false) {
  const chunks: string[] = [];
  const listeners: ((text: string) => void)[] = [];
  return {
    isTTY,
    columns: 100,
    write(text: string) {
      chunks.push(text);
      for (const listener of listeners) listener(text);
      return true;
    },
    text: () => chunks.join(''),
    onWrite: (listener: (text: string) => void) => listeners.push(listener),
  };
}

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'roadmap-cli-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
  await rm(`${directory}-data`, { recursive: true, force: true });
});

function environment(overrides: Partial<CliEnvironment> = {}) {
  const stdout = output();
  const stderr = output();
  const interrupt = new AbortController();
  return {
    stdout,
    stderr,
    interrupt,
    environment: {
      stdout,
      stderr,
      stdin: new PassThrough(),
      env: { ROADMAP_DATA_DIR: `${directory}-data` },
      cwd: directory,
      interruptSignal: interrupt.signal,
      ...overrides,
    } satisfies CliEnvironment,
  };
}

describe('runCli', () => {
  it('generates the roadmap, writes it as Markdown and reports status, counts and time', async () => {
    const { stdout, environment: env } = environment();
    const code = await runCli(['--goal', 'Learn Go', '--latency', '0', '--out', 'out'], env);
    expect(code).toBe(0);
    const [file] = await readdir(path.join(directory, 'out'));
    expect(file).toMatch(/^learn-go-[0-9a-f]{8}\.md$/);
    expect(stdout.text()).toContain(`Roadmap written to ${path.join('out', file ?? '')}\n`);
    expect(stdout.text()).toMatch(
      /Status: completed · (\d+) of \1 content items \(\d+ tutorials, \d+ resources, \d+ quizzes\) · \d/,
    );
    const markdown = await readFile(path.join(directory, 'out', file ?? ''), 'utf8');
    expect(markdown).toMatch(/^# .+\n\n- \*\*Goal:\*\* Learn Go\n/);
  });

  it('writes to ./roadmaps of the directory pnpm was started from (INIT_CWD)', async () => {
    const { environment: env } = environment({ env: { INIT_CWD: path.join(directory, 'home') } });
    expect(await runCli(['--goal', 'Learn SQL', '--latency', '0'], env)).toBe(0);
    expect(await readdir(path.join(directory, 'home', 'roadmaps'))).toHaveLength(1);
  });

  it('cancels through the engine on interrupt and writes what was kept', async () => {
    const { stdout, interrupt, environment: env } = environment();
    // Interrupt as soon as the first content item is reported done.
    stdout.onWrite((text) => {
      if (text.startsWith('  ✔ ')) interrupt.abort();
    });
    const code = await runCli(['--goal', 'Learn Go', '--latency', '0', '--concurrency', '1', '--out', directory], env);
    expect(code).toBe(130);
    const match =
      /Cancelled\. Kept: intent, curriculum, (\d+) of (\d+) content items \((\d+) tutorials?, (\d+) resources, (\d+) quiz(?:zes)?\)\./.exec(
        stdout.text(),
      );
    expect(match).not.toBeNull();
    const [kept, total] = [Number(match?.[1]), Number(match?.[2])];
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(total);
    expect(stdout.text()).toContain('⊘ Cancelled: Cancelled from the CLI (Ctrl-C)');
    const [file] = await readdir(directory);
    const markdown = await readFile(path.join(directory, file ?? ''), 'utf8');
    expect(markdown).toContain('> Partial roadmap: generation was cancelled.');
    expect(markdown).toContain('_Not generated._');
  });

  it('exits 1 with the error when content fails', async () => {
    const demo = createDemoModel({ latencyMs: 0 });
    const model: LanguageModel = {
      ...demo,
      generate: (request) =>
        request.operation === 'quiz' ? Promise.resolve({ text: 'not JSON' }) : demo.generate(request),
    };
    const { stdout, stderr, environment: env } = environment({ model });
    const code = await runCli(['--goal', 'Learn Go', '--out', directory], env);
    expect(code).toBe(1);
    expect(stderr.text()).toMatch(/Error: (\d+) of \d+ content items failed/);
    expect(stdout.text()).toContain('Status: partial_failure');
    expect(await readdir(directory)).toHaveLength(1);
  });

  it('exits 2 with the usage on a bad flag', async () => {
    const { stderr, environment: env } = environment();
    expect(await runCli(['--level', 'expert'], env)).toBe(2);
    expect(stderr.text()).toMatch(
      /^Error: --level must be one of beginner, intermediate, advanced \(got "expert"\)\.\n\nUsage:/,
    );
  });

  it('redraws in place with escape codes on a terminal', async () => {
    const stdout = output(true);
    const { environment: env } = environment({ stdout });
    expect(await runCli(['--goal', 'Learn Go', '--latency', '0', '--out', directory], env)).toBe(0);
    const text = stdout.text();
    expect(text.startsWith('\u001b[?25l')).toBe(true);
    expect(text).toContain('\u001b[0JRoadmap Kit demo · Learn Go\n');
    expect(text).toContain('  ✔ Content generation\n');
    expect(text).toContain('\u001b[?25h');
    expect(text).not.toContain('  … tutorial ·');
  });
});
