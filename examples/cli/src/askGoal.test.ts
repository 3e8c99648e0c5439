import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askGoal } from './askGoal.js';

function streams() {
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  return { input: new PassThrough(), output, written: () => written };
}

describe('askGoal', () => {
  it('returns the typed goal, trimmed, after showing the default', async () => {
    const { input, output, written } = streams();
    const answer = askGoal({ input, output, defaultGoal: 'Learn Rust' });
    input.write('  Learn Go \n');
    await expect(answer).resolves.toBe('Learn Go');
    expect(written()).toContain('What do you want to learn? (Learn Rust)');
  });

  it('takes the default on an empty answer', async () => {
    const { input, output } = streams();
    const answer = askGoal({ input, output, defaultGoal: 'Learn Rust' });
    input.write('\n');
    await expect(answer).resolves.toBe('Learn Rust');
  });

  it('resolves null when interrupted or when the input ends without an answer', async () => {
    const first = streams();
    const controller = new AbortController();
    const interrupted = askGoal({ ...first, defaultGoal: 'Learn Rust', abortSignal: controller.signal });
    controller.abort();
    await expect(interrupted).resolves.toBeNull();

    const second = streams();
    const ended = askGoal({ ...second, defaultGoal: 'Learn Rust' });
    second.input.end();
    await expect(ended).resolves.toBeNull();
  });
});
