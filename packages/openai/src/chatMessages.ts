import type { ModelRequest } from '@roadmap/core';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { JsonSchema } from './strictJsonSchema.js';

/**
 * The conversation for one model request: the system prompt, the user prompt and, on the re-ask after output that
 * failed the schema, the rejected output as the assistant's turn followed by the validation error. With
 * `schemaInPrompt` (json_object mode, where the server does not receive the schema) the system prompt carries the
 * JSON Schema the answer must match.
 */
export function chatMessages(request: ModelRequest, schemaInPrompt?: JsonSchema): ChatCompletionMessageParam[] {
  const system =
    schemaInPrompt === undefined
      ? request.system
      : `${request.system}\n\nRespond with a single JSON object, and nothing else, that matches this JSON Schema:\n${JSON.stringify(schemaInPrompt)}`;
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: system },
    { role: 'user', content: request.prompt },
  ];
  if (request.feedback) {
    messages.push(
      { role: 'assistant', content: request.feedback.output },
      {
        role: 'user',
        content:
          `Your previous answer was rejected: ${request.feedback.error}\n` +
          'Fix it and reply again with only the corrected JSON object that matches the schema.',
      },
    );
  }
  return messages;
}
