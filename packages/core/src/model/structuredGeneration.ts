import type { z } from 'zod';
import type { Clock } from '../shared/clock.js';
import { errorMessage, isAbortError, isTimeoutError, RoadmapError } from '../shared/errors.js';
import { yieldToEventLoop } from '../shared/yieldToEventLoop.js';
import type { LanguageModel, ModelOperation, ModelRequest, ModelResult, ModelUsage } from './languageModel.js';
import { PartialJsonString } from './partialJsonString.js';
import { type RetryPolicy, withRetry } from './retry.js';

export interface StructuredCall<Output> extends Omit<ModelRequest, 'feedback' | 'abortSignal' | 'schema'> {
  schema: z.ZodType<Output>;
}

export interface StructuredContext {
  model: LanguageModel;
  clock: Clock;
  retryPolicy: RetryPolicy;
  abortSignal: AbortSignal;
  /** Called with the token usage of every successful call, and the call's operation. */
  onUsage?: (usage: ModelUsage, operation: ModelOperation) => void;
  /**
   * Streams the call when the model can ({@link LanguageModel.stream}): the decoded value of the output's top-level
   * string `field` is handed to `onText` as it arrives; `onStart` runs when each attempt starts (a retry or a re-ask
   * starts the text again).
   */
  stream?: { field: string; onStart(): void; onText(text: string): void };
  /**
   * The call shares a bound on calls under way (content generation's concept slots). `answered` runs once the
   * first attempt ended, with an answer or without, before the answer is parsed: the parse then waits one turn of
   * the event loop, so every call answered at the same moment lets its caller start its next calls first. Asking
   * again (an answer that did not parse) waits for `acquire`, and calls the function it resolved with once that
   * attempt ended.
   */
  slot?: { answered(): void; acquire(): Promise<() => void> };
}

/** One attempt of a streamed call: the parts assembled into the answer, the field's text told as it arrives. */
async function streamedAttempt(
  model: LanguageModel & Required<Pick<LanguageModel, 'stream'>>,
  request: ModelRequest,
  listener: NonNullable<StructuredContext['stream']>,
): Promise<ModelResult> {
  const reader = new PartialJsonString(listener.field);
  listener.onStart();
  let text = '';
  let usage: ModelUsage | undefined;
  for await (const part of model.stream(request)) {
    if (part.type === 'finish') {
      usage = part.usage;
      if (part.text !== undefined) text = part.text;
      continue;
    }
    text += part.text;
    const decoded = reader.push(part.text);
    if (decoded) listener.onText(decoded);
  }
  request.abortSignal.throwIfAborted();
  return usage ? { text, usage } : { text };
}

/** Describes zod issues in one line, e.g. `stages.0.name: Too small`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

function parseOutput<Output>(
  text: string,
  schema: z.ZodType<Output>,
): { ok: true; value: Output } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Output is not valid JSON: ${errorMessage(error)}` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: `Output does not match the schema: ${describeIssues(result.error)}` };
}

/**
 * One structured model call: transient errors are retried with backoff; output that is not JSON or fails the
 * schema is asked again once with the validation error as feedback, then fails with `schema_validation_failed`.
 * A call still timing out after its retries fails with a retryable `RoadmapError('timeout')` (an infrastructure
 * fault: the run gives its task back rather than failing the content); an abort is rethrown as it is.
 */
export async function generateStructured<Output>(
  call: StructuredCall<Output>,
  context: StructuredContext,
): Promise<Output> {
  const { model, clock, retryPolicy, abortSignal, stream } = context;
  const streaming = stream && model.stream ? { model: model as Parameters<typeof streamedAttempt>[0], stream } : null;
  let feedback: ModelRequest['feedback'];
  const { slot } = context;
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    const request: ModelRequest = { ...call, feedback, abortSignal };
    const release = attempt > 1 && slot ? await slot.acquire() : undefined;
    let text: string;
    try {
      const attempt = streaming
        ? () => streamedAttempt(streaming.model, request, streaming.stream)
        : () => model.generate(request);
      const result = await withRetry(attempt, { clock, policy: retryPolicy, abortSignal });
      if (result.usage) context.onUsage?.(result.usage, call.operation);
      text = result.text;
    } catch (error) {
      if (isAbortError(error) || abortSignal.aborted) throw error;
      if (RoadmapError.isInstance(error)) throw error;
      if (isTimeoutError(error)) {
        // Timed out on its own, retries included: an infrastructure fault, not the content's failure.
        throw new RoadmapError('timeout', `Model call ${call.key} timed out: ${errorMessage(error)}`, {
          cause: error,
          retryable: true,
        });
      }
      throw new RoadmapError('model_error', `Model call ${call.key} failed: ${errorMessage(error)}`, { cause: error });
    } finally {
      if (release) release();
      else slot?.answered();
    }
    if (slot) await yieldToEventLoop();
    abortSignal.throwIfAborted();
    const parsed = parseOutput(text, call.schema);
    if (parsed.ok) return parsed.value;
    if (attempt === 2) {
      throw new RoadmapError('schema_validation_failed', `Model call ${call.key}: ${parsed.error}`);
    }
    feedback = { output: text.slice(0, 4000), error: parsed.error };
  }
  /* c8 ignore next */
  throw new RoadmapError('model_error', 'unreachable');
}
