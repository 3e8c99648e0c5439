import { type ModelRequest, tutorialSchema } from '@roadmap/core';
import type OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { chatCompletion } from './openAIFixtures.js';
import { createOpenAIModel } from './openAIModel.js';

const tutorial = { title: 'Goroutines', summary: 'Lightweight threads.', content: '# Goroutines' };

describe('createOpenAIModel schema conversion', () => {
  it('converts a request schema to JSON Schema once, however many calls use it', async () => {
    const schema = tutorialSchema.clone();
    const toJSONSchema = vi.spyOn(schema, 'toJSONSchema');
    const bodies: OpenAI.ChatCompletionCreateParams[] = [];
    const client = {
      chat: {
        completions: {
          create: async (body: OpenAI.ChatCompletionCreateParams) => {
            bodies.push(body);
            return chatCompletion(JSON.stringify(tutorial));
          },
        },
      },
    } as unknown as OpenAI;
    const model = createOpenAIModel({ client, model: 'gpt-4o-mini' });
    const request: ModelRequest = {
      operation: 'tutorial',
      key: 'tutorial:concept-1',
      schemaName: 'tutorial',
      schema,
      system: 'You write concise programming tutorials.',
      prompt: 'Write a tutorial about goroutines.',
      input: { preferences: { learning_goal: 'Learn Go', available_hours_per_week: 10, current_level: 'beginner' } },
      abortSignal: new AbortController().signal,
    };
    for (let call = 0; call < 5; call += 1) await model.generate(request);
    expect(toJSONSchema).toHaveBeenCalledTimes(1);
    expect(bodies).toHaveLength(5);
    expect(bodies[4]?.response_format).toEqual(bodies[0]?.response_format);
  });
});
