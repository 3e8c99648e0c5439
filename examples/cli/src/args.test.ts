import { describe, expect, it } from 'vitest';
import { defaultLatencyMs, latencyFromEnvironment, parseCliArgs } from './args.js';

describe('parseCliArgs', () => {
  it('has defaults for everything', () => {
    expect(parseCliArgs([])).toEqual({
      ok: true,
      options: {
        goal: undefined,
        level: 'beginner',
        hoursPerWeek: 10,
        latencyMs: undefined,
        concurrency: 5,
        outDir: undefined,
        help: false,
      },
    });
  });

  it('reads every flag, and ignores a leading -- forwarded by pnpm', () => {
    const parsed = parseCliArgs([
      '--',
      '--goal',
      '  Learn Rust ',
      '--level',
      'advanced',
      '--hours',
      '20',
      '--latency',
      '0',
      '--concurrency',
      '3',
      '--out',
      'out',
    ]);
    expect(parsed).toEqual({
      ok: true,
      options: {
        goal: 'Learn Rust',
        level: 'advanced',
        hoursPerWeek: 20,
        latencyMs: 0,
        concurrency: 3,
        outDir: 'out',
        help: false,
      },
    });
  });

  it.each([
    [['--colour'], "Unknown option '--colour'."],
    [['--goal'], "Option '--goal <value>' argument missing."],
    [['extra'], "Unexpected argument 'extra'."],
    [['--latency', '-5'], "Option '--latency' argument is ambiguous."],
    [['--goal', 'Go'], '--goal: The goal needs at least 3 characters.'],
    [['--level', 'expert'], '--level must be one of beginner, intermediate, advanced (got "expert").'],
    [['--hours', '0'], '--hours must be a whole number from 1 to 168 (got "0").'],
    [['--hours', '2.5'], '--hours must be a whole number from 1 to 168 (got "2.5").'],
    [['--latency=-5'], '--latency must be a whole number from 0 to 60000 (got "-5").'],
    [['--concurrency', 'many'], '--concurrency must be a whole number from 1 to 50 (got "many").'],
  ])('rejects %j with a clear message', (argv, error) => {
    const parsed = parseCliArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toBe(error);
  });
});

describe('latencyFromEnvironment', () => {
  it('defaults when unset and validates a value', () => {
    expect(latencyFromEnvironment(undefined)).toBe(defaultLatencyMs);
    expect(latencyFromEnvironment('')).toBe(defaultLatencyMs);
    expect(latencyFromEnvironment('40')).toBe(40);
    expect(latencyFromEnvironment('soon')).toMatch(/^ROADMAP_DEMO_LATENCY_MS must be a whole number/);
  });
});
