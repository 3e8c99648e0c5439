/**
 * Test support: an OpenAI-compatible Chat Completions server on loopback that answers like the offline demo model
 * and records every call, so a test can count what the reference server asked across kills and restarts.
 */

import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ConceptContext, demoResponse, type ModelInput, type ModelOperation } from '@roadmap/core';
import { writeChatCompletionStream } from './chatCompletionStream.js';

export interface FakeOpenAICall {
  /** Operation, plus `:<concept name>` for content calls — one key per stored step or item of a roadmap. */
  key: string;
  answered: boolean;
  /** The client went away before the answer (an abort, or a killed process). */
  abandoned: boolean;
}

export interface FakeOpenAIServer {
  /** `OPENAI_BASE_URL` for the server: `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  calls: FakeOpenAICall[];
  close(): Promise<void>;
}

interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: { type: string; json_schema?: { name: string } };
  stream?: boolean;
}

/** The line's value after `label: `, or undefined. */
function field(lines: readonly string[], label: string): string | undefined {
  const line = lines.find((each) => each.startsWith(`${label}: `));
  return line?.slice(label.length + 2);
}

/** Rebuilds the demo model's input from the user prompt (see `buildPrompt` in @roadmap/core). */
export function inputFromPrompt(prompt: string): ModelInput {
  const lines = prompt.split('\n');
  const json = (label: string) => {
    const value = field(
      lines.filter((line) => line.startsWith(`${label}: {`) || line.startsWith(`${label}: [`)),
      label,
    );
    return value === undefined ? undefined : JSON.parse(value);
  };
  const input: ModelInput = {
    preferences: {
      learning_goal: field(lines, 'Goal') ?? '',
      current_level: (field(lines, 'Current level') ?? 'beginner') as ModelInput['preferences']['current_level'],
      available_hours_per_week: Number(field(lines, 'Hours per week') ?? 10),
    } as ModelInput['preferences'],
  };
  const intent = json('Intent');
  if (intent) input.intent = intent;
  const curriculum = json('Roadmap');
  if (curriculum) input.curriculum = curriculum;
  const issues = json('Issues');
  if (issues) input.issues = issues;
  const conceptLine = field(lines, 'Concept');
  if (conceptLine) {
    const [, name = conceptLine, difficulty = 'beginner'] = /^(.*) \((\w+)\)$/.exec(conceptLine) ?? [];
    const [stage = '', module = ''] = (field(lines, 'Stage') ?? '').split(' / Module: ');
    input.concept = {
      concept_id: name,
      name,
      description: field(lines, 'Description') ?? '',
      difficulty: difficulty as ConceptContext['difficulty'],
      keywords: field(lines, 'Keywords')?.split(', ') ?? [],
      prerequisites: field(lines, 'Builds on')?.split(', ') ?? [],
      stage_name: stage,
      module_name: module,
      roadmap_title:
        lines.find((line) => line.startsWith('Roadmap: ') && !line.startsWith('Roadmap: {'))?.slice(9) ?? '',
    };
  }
  return input;
}

function operationOf(schemaName: string, input: ModelInput): ModelOperation {
  if (schemaName === 'curriculum') return input.issues ? 'roadmap_edit' : 'curriculum_design';
  if (schemaName === 'intent') return 'intent_analysis';
  return schemaName as ModelOperation;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface FakeOpenAIServerOptions {
  /**
   * How long each call waits before its answer, in milliseconds: one figure, or one per call (`index` counts calls
   * from 0 in arrival order). A call whose client goes away stops waiting.
   */
  latencyMs: number | ((call: FakeOpenAICall, index: number) => number);
}

/** Starts the server; every answer comes after `latencyMs`, shaped like OpenAI's `chat.completion` object. */
export async function startFakeOpenAIServer(options: FakeOpenAIServerOptions): Promise<FakeOpenAIServer> {
  const calls: FakeOpenAICall[] = [];
  let completions = 0;
  const server = createServer(async (request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'Not found', type: 'invalid_request_error', code: null } }));
      return;
    }
    const body = JSON.parse(await readBody(request)) as ChatRequest;
    const prompt = body.messages.find((message) => message.role === 'user')?.content ?? '';
    const input = inputFromPrompt(prompt);
    const operation = operationOf(body.response_format?.json_schema?.name ?? '', input);
    const call: FakeOpenAICall = {
      key: input.concept ? `${operation}:${input.concept.name}` : operation,
      answered: false,
      abandoned: false,
    };
    calls.push(call);
    const latencyMs =
      typeof options.latencyMs === 'number' ? options.latencyMs : options.latencyMs(call, calls.length - 1);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, latencyMs);
      response.on('close', () => {
        if (!call.answered) call.abandoned = true;
        clearTimeout(timer);
        resolve();
      });
    });
    if (call.abandoned) return;
    const content = JSON.stringify(demoResponse({ operation, input }));
    completions += 1;
    call.answered = true;
    const usage = { prompt_tokens: Math.ceil(prompt.length / 4), completion_tokens: Math.ceil(content.length / 4) };
    if (body.stream) {
      // Streamed (SPEC §7): the answer in a few pieces, as a model's tokens would come.
      await writeChatCompletionStream(response, {
        id: `chatcmpl-fake${completions}`,
        model: body.model,
        content,
        usage,
        pieces: 8,
      });
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: `chatcmpl-fake${completions}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: Math.ceil(prompt.length / 4),
          completion_tokens: Math.ceil(content.length / 4),
          total_tokens: Math.ceil(prompt.length / 4) + Math.ceil(content.length / 4),
        },
        system_fingerprint: 'fp_fake',
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
