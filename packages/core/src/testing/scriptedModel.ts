import { demoResponse, estimateUsage } from '../demo/demoModel.js';
import type { LanguageModel, ModelOperation, ModelRequest, ModelResult } from '../model/languageModel.js';
import { type Clock, sleep, systemClock } from '../shared/clock.js';
import { abortError, isAbortError } from '../shared/errors.js';

/** What a scripted call was told to do. */
export type ScriptedBehaviour = 'answer' | 'fail' | 'hang' | 'badJson' | 'invalid';

/** One call the scripted model received, updated as it settles. */
export interface ScriptedCall {
  /** Position among all calls of the model, from 1. */
  index: number;
  key: string;
  operation: ModelOperation;
  /** Calls with this key so far, this one included, from 1: the engine's re-ask after bad output is attempt 2. */
  attempt: number;
  request: ModelRequest;
  behaviour: ScriptedBehaviour;
  /** `pending` while in flight. */
  outcome: 'pending' | 'succeeded' | 'failed' | 'aborted';
  /** The text returned, once `succeeded`. */
  text?: string;
  /** The error thrown, once `failed` or `aborted`. */
  error?: unknown;
}

/** Selects calls. Every field given must match; an empty matcher matches every call. */
export interface CallMatcher {
  /** Only calls with this `request.key`. */
  key?: string;
  /** Only calls of this operation. */
  operation?: ModelOperation;
  /** Only calls for which this returns true; `position` tells the call's index and attempt. */
  when?: (request: ModelRequest, position: { index: number; attempt: number }) => boolean;
}

/**
 * A scripted behaviour for the calls it matches. At most one of `fail`, `hang`, `badJson`, `invalid` and
 * `respond`; with none, matching calls answer normally (useful with `latencyMs` alone). When several rules match
 * a call, the first one added that has uses left decides it, and one of its uses is spent.
 */
export interface ScriptRule extends CallMatcher {
  /** How many matching calls the rule decides before it is spent. Default: all of them. */
  times?: number;
  /** Latency of matching calls in milliseconds, instead of the model's `latencyMs`. */
  latencyMs?: number;
  /** Throws this error, e.g. `new RoadmapError('rate_limited', '429', { retryable: true, retryAfterMs: 1000 })`. */
  fail?: Error | ((request: ModelRequest) => Error);
  /** Never settles until the request's signal aborts, then rejects with an `AbortError`. */
  hang?: true;
  /** Returns text that is not JSON (this string, or a chatty reply cut short). */
  badJson?: true | string;
  /** Returns JSON that violates every output schema, or `value` serialized. */
  invalid?: true | { value: unknown };
  /** Returns `JSON.stringify` of what this returns, instead of the model's normal answer. */
  respond?: (request: ModelRequest) => unknown;
}

export interface ScriptedModelOptions {
  /** The normal answer: an object serialized with `JSON.stringify`. Default: the demo model's `demoResponse`. */
  respond?: (request: ModelRequest, call: ScriptedCall) => unknown;
  /** Rules applied from the first call; more can be added with `addRule`. Default: none. */
  script?: readonly ScriptRule[];
  /** Latency of every call in milliseconds (or per call), waited on `clock` and cut short by aborts. Default: 0. */
  latencyMs?: number | ((request: ModelRequest, call: ScriptedCall) => number);
  /** Clock the latency is waited on: pass a manual clock to control time in tests. Default: `systemClock`. */
  clock?: Clock;
  /** Seed of the default demo answers. Default: 0. */
  seed?: number;
  /**
   * Called when a call starts, before its latency and behaviour. A returned promise holds the call until it
   * settles (or the request aborts): a gate that lets a test decide when calls proceed. Default: none.
   */
  onCall?: (call: ScriptedCall) => void | Promise<void>;
  /** Default: `scripted`. */
  provider?: string;
  /** Default: `scripted-1`. */
  modelId?: string;
}

/** A `LanguageModel` for tests that records every call and misbehaves on demand. */
export interface ScriptedModel extends LanguageModel {
  /** Every call in the order it started (a live view). */
  readonly calls: readonly ScriptedCall[];
  /** Keys of calls whose signal aborted while they were in flight, in order. */
  readonly aborts: readonly string[];
  /** Keys of the calls in flight now (a key appears once per concurrent call). */
  readonly inFlight: readonly string[];
  /** How many calls started: all, those with this key, or those the matcher selects. */
  callCount(matcher?: string | CallMatcher): number;
  /** Resolves once at least `count` calls (with this key, or selected by the matcher) have started. */
  waitForCalls(count: number, matcher?: string | CallMatcher): Promise<void>;
  /** Adds a rule after the ones already present; returns a function that removes it. */
  addRule(rule: ScriptRule): () => void;
}

const badJsonText = 'Sure! Here is the JSON you asked for: {"title": "Roadmap", "stages": [';
const invalidValue = { scripted_invalid_output: true };
const behaviourFields = ['fail', 'hang', 'badJson', 'invalid', 'respond'] as const;

function toMatcher(matcher: string | CallMatcher | undefined): CallMatcher {
  return typeof matcher === 'string' ? { key: matcher } : (matcher ?? {});
}

function matches(matcher: CallMatcher, call: Pick<ScriptedCall, 'request' | 'index' | 'attempt'>): boolean {
  if (matcher.key !== undefined && matcher.key !== call.request.key) return false;
  if (matcher.operation !== undefined && matcher.operation !== call.request.operation) return false;
  return matcher.when?.(call.request, { index: call.index, attempt: call.attempt }) ?? true;
}

function behaviourOf(rule: ScriptRule | undefined): ScriptedBehaviour {
  if (rule?.fail) return 'fail';
  if (rule?.hang) return 'hang';
  if (rule?.badJson) return 'badJson';
  if (rule?.invalid) return 'invalid';
  return 'answer';
}

/** Settles like `promise`, or rejects with an `AbortError` as soon as `signal` aborts. */
function raceAbort<Value>(promise: Promise<Value>, signal: AbortSignal): Promise<Value> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<Value>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A scripted fake `LanguageModel`: answers like the demo model (or `respond`), counts calls per key, records
 * aborts, and fails, hangs, or returns bad JSON or schema-violating JSON for the calls a script selects.
 *
 * @example
 * const model = createScriptedModel({
 *   clock,
 *   script: [
 *     { key: 'intent_analysis', times: 2, fail: new RoadmapError('rate_limited', '429', { retryable: true }) },
 *     { operation: 'quiz', hang: true },
 *   ],
 * });
 * await model.waitForCalls(1, { operation: 'quiz' });
 * expect(model.callCount('intent_analysis')).toBe(3);
 */
export function createScriptedModel(options: ScriptedModelOptions = {}): ScriptedModel {
  const clock = options.clock ?? systemClock;
  const respond = options.respond ?? ((request: ModelRequest) => demoResponse(request, { seed: options.seed }));
  const rules: { rule: ScriptRule; usesLeft: number }[] = [];
  const calls: ScriptedCall[] = [];
  const aborts: string[] = [];
  const waiters = new Set<{ count: number; matcher: CallMatcher; resolve: () => void }>();

  const callCount = (matcher?: string | CallMatcher) => {
    const selected = toMatcher(matcher);
    return calls.filter((call) => matches(selected, call)).length;
  };

  const addRule = (rule: ScriptRule) => {
    const given = behaviourFields.filter((field) => rule[field] !== undefined);
    if (given.length > 1) throw new TypeError(`A script rule takes one behaviour, got ${given.join(', ')}.`);
    const entry = { rule, usesLeft: rule.times ?? Number.POSITIVE_INFINITY };
    rules.push(entry);
    return () => {
      const position = rules.indexOf(entry);
      if (position >= 0) rules.splice(position, 1);
    };
  };
  for (const rule of options.script ?? []) addRule(rule);

  const takeRule = (call: ScriptedCall): ScriptRule | undefined => {
    const entry = rules.find((candidate) => candidate.usesLeft > 0 && matches(candidate.rule, call));
    if (entry) entry.usesLeft -= 1;
    return entry?.rule;
  };

  const produce = async (call: ScriptedCall, rule: ScriptRule | undefined): Promise<string> => {
    const { request } = call;
    const signal = request.abortSignal;
    switch (call.behaviour) {
      case 'fail':
        throw typeof rule?.fail === 'function' ? rule.fail(request) : rule?.fail;
      case 'hang':
        return raceAbort(new Promise<never>(() => {}), signal);
      case 'badJson':
        return typeof rule?.badJson === 'string' ? rule.badJson : badJsonText;
      case 'invalid':
        return JSON.stringify(typeof rule?.invalid === 'object' ? rule.invalid.value : invalidValue);
      default: {
        const value = rule?.respond ? rule.respond(request) : respond(request, call);
        return JSON.stringify(await raceAbort(Promise.resolve(value), signal)) ?? 'null';
      }
    }
  };

  const generate = async (request: ModelRequest): Promise<ModelResult> => {
    const signal = request.abortSignal;
    const position = { request, index: calls.length + 1, attempt: callCount(request.key) + 1 };
    const call: ScriptedCall = {
      ...position,
      key: request.key,
      operation: request.operation,
      behaviour: 'answer',
      outcome: 'pending',
    };
    const rule = takeRule(call);
    call.behaviour = behaviourOf(rule);
    calls.push(call);
    const onAbort = () => {
      if (call.outcome === 'pending') aborts.push(call.key);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    for (const waiter of waiters) {
      if (callCount(waiter.matcher) >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
    try {
      const gate = options.onCall?.(call);
      if (gate) await raceAbort(gate, signal);
      const latency =
        rule?.latencyMs ??
        (typeof options.latencyMs === 'function' ? options.latencyMs(request, call) : (options.latencyMs ?? 0));
      await sleep(clock, latency, signal);
      const text = await produce(call, rule);
      if (signal.aborted) throw abortError(signal);
      call.outcome = 'succeeded';
      call.text = text;
      return { text, usage: estimateUsage(request, text) };
    } catch (error) {
      call.outcome = signal.aborted && isAbortError(error) ? 'aborted' : 'failed';
      call.error = error;
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };

  return {
    specificationVersion: 'v1',
    provider: options.provider ?? 'scripted',
    modelId: options.modelId ?? 'scripted-1',
    generate,
    get calls() {
      return calls;
    },
    get aborts() {
      return aborts;
    },
    get inFlight() {
      return calls.filter((call) => call.outcome === 'pending').map((call) => call.key);
    },
    callCount,
    waitForCalls(count, matcher) {
      const selected = toMatcher(matcher);
      if (callCount(selected) >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.add({ count, matcher: selected, resolve }));
    },
    addRule,
  };
}
