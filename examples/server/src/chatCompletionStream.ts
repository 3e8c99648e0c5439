import type { ServerResponse } from 'node:http';

/** What a streamed answer sends, and how fast. */
export interface ChatCompletionStreamOptions {
  id: string;
  model: string;
  /** The whole answer: cut into `pieces` `delta.content` chunks. */
  content: string;
  usage: { prompt_tokens: number; completion_tokens: number };
  /** Chunks the content is cut into. Default: 1 (the whole answer at once). */
  pieces?: number;
  /** Wait between two content chunks, in ms. Default: 0. */
  pieceIntervalMs?: number;
}

/**
 * Answers a Chat Completions request made with `stream: true` as OpenAI does: `text/event-stream`, a first chunk
 * with the role, the content in `delta.content` chunks, one with `finish_reason: "stop"`, a last one with the usage
 * and no choice (`stream_options.include_usage`), then `data: [DONE]`. Stops early when the client closes the
 * connection. Resolves when done.
 */
export async function writeChatCompletionStream(
  response: ServerResponse,
  options: ChatCompletionStreamOptions,
): Promise<void> {
  const created = Math.floor(Date.now() / 1000);
  const base = {
    id: options.id,
    object: 'chat.completion.chunk',
    created,
    model: options.model,
    system_fingerprint: 'fp_fake',
  };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    usage: null,
  });
  const send = (value: unknown) => response.write(`data: ${JSON.stringify(value)}\n\n`);
  let closed = false;
  response.on('close', () => {
    closed = true;
  });
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  send(chunk({ role: 'assistant', content: '', refusal: null }));
  const pieces = Math.max(1, Math.min(options.pieces ?? 1, options.content.length));
  const size = Math.ceil(options.content.length / pieces);
  for (let start = 0; start < options.content.length; start += size) {
    if (closed) return;
    if (start > 0 && options.pieceIntervalMs) {
      await new Promise((resolve) => setTimeout(resolve, options.pieceIntervalMs));
      if (closed) return;
    }
    send(chunk({ content: options.content.slice(start, start + size) }));
  }
  send(chunk({}, 'stop'));
  const { prompt_tokens, completion_tokens } = options.usage;
  send({
    ...base,
    choices: [],
    usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens },
  });
  response.end('data: [DONE]\n\n');
}
