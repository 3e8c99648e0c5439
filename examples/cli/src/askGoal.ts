import { createInterface } from 'node:readline/promises';

export interface AskGoalOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Returned when the answer is empty. */
  defaultGoal: string;
  /** Stops waiting for an answer. */
  abortSignal?: AbortSignal;
}

/**
 * Asks for the learning goal; an empty answer takes the default. Resolves `null` when the user presses Ctrl-C
 * (or `abortSignal` aborts) instead of answering.
 */
export async function askGoal(options: AskGoalOptions): Promise<string | null> {
  const interrupted = new AbortController();
  const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, interrupted.signal]) : interrupted.signal;
  const readline = createInterface({ input: options.input, output: options.output });
  // On a terminal, readline reads Ctrl-C itself (raw mode): the process gets no SIGINT.
  readline.on('SIGINT', () => interrupted.abort());
  // Input that ends (Ctrl-D, a closed pipe) without an answer counts as no answer.
  readline.on('close', () => interrupted.abort());
  try {
    const answer = await readline.question(`What do you want to learn? (${options.defaultGoal}) `, { signal });
    return answer.trim() || options.defaultGoal;
  } catch (error) {
    if (signal.aborted) return null;
    throw error;
  } finally {
    readline.close();
  }
}
