import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { systemClock } from '../shared/clock.js';
import type { LanguageModel, ModelRequest } from './languageModel.js';
import { generateStructured } from './structuredGeneration.js';

const noRetries = { retries: 0, minDelayMs: 0, maxDelayMs: 0 };

/** A model answering `answers` in turn, recording each call's start in `order`. */
function answering(answers: string[], order: string[]): LanguageModel {
  let call = 0;
  return {
    specificationVersion: 'v1',
    provider: 'test',
    modelId: 'test-1',
    async generate(request: ModelRequest) {
      call += 1;
      order.push(`call ${call}${request.feedback ? ' with feedback' : ''}`);
      return { text: answers[call - 1] ?? '{}' };
    },
  };
}

/** A schema that records each parse in `order`. */
const recordingSchema = (order: string[]) =>
  z.object({ value: z.number() }).refine(() => {
    order.push('parse');
    return true;
  });

const call = (order: string[]) => ({
  operation: 'tutorial' as const,
  key: 'tutorial:c1',
  schemaName: 'tutorial',
  schema: recordingSchema(order),
  system: '',
  prompt: '',
  input: { preferences: { learning_goal: 'Learn Go' } } as ModelRequest['input'],
});

describe('generateStructured with a slot', () => {
  it('tells the slot the call answered before parsing, and parses a turn of the event loop later', async () => {
    const order: string[] = [];
    const value = await generateStructured(call(order), {
      model: answering(['{"value":1}'], order),
      clock: systemClock,
      retryPolicy: noRetries,
      abortSignal: new AbortController().signal,
      slot: {
        answered: () => {
          order.push('answered');
          // Work queued for this turn (another lane's next call) runs before the parse.
          setImmediate(() => order.push('next turn'));
        },
        acquire: () => Promise.reject(new Error('not asked again')),
      },
    });
    expect(value).toEqual({ value: 1 });
    expect(order).toEqual(['call 1', 'answered', 'next turn', 'parse']);
  });

  it('asks an answer that did not parse again only under a slot of its own, given back once it answered', async () => {
    const order: string[] = [];
    const value = await generateStructured(call(order), {
      model: answering(['not json', '{"value":2}'], order),
      clock: systemClock,
      retryPolicy: noRetries,
      abortSignal: new AbortController().signal,
      slot: {
        answered: () => order.push('answered'),
        acquire: async () => {
          order.push('acquired');
          return () => order.push('released');
        },
      },
    });
    expect(value).toEqual({ value: 2 });
    expect(order).toEqual(['call 1', 'answered', 'acquired', 'call 2 with feedback', 'released', 'parse']);
  });

  it('parses at once without a slot', async () => {
    const order: string[] = [];
    const parsed = generateStructured(call(order), {
      model: answering(['{"value":3}'], order),
      clock: systemClock,
      retryPolicy: noRetries,
      abortSignal: new AbortController().signal,
    });
    setImmediate(() => order.push('next turn'));
    await parsed;
    // Parsed within the turn the answer came in: the work queued for the next turn has not run yet.
    expect(order).toEqual(['call 1', 'parse']);
  });
});
