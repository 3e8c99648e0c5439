import type { LanguageModel, ModelRequest, ModelStreamPart, ModelUsage } from '../model/languageModel.js';
import { isAbortError } from '../shared/errors.js';
import type { CallBudget } from './callBudget.js';

/** How a call ended, for its settlement: an abort may have been billed, a failure was not. */
function endingOf(error: unknown, request: ModelRequest): 'aborted' | 'failed' {
  return isAbortError(error) || request.abortSignal.aborted ? 'aborted' : 'failed';
}

/**
 * `model` with `budget` around every call (SPEC §7 budgets): `generate` and `stream` reserve the call's worst case
 * before it starts (a call that does not fit is not made: `budget_exceeded`, the run pausing) and settle the
 * reservation with the reported usage when it ends, however it ends.
 */
export function budgetedModel(model: LanguageModel, budget: CallBudget): LanguageModel {
  const budgeted: LanguageModel = {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    ...(model.maxOutputTokens === undefined ? {} : { maxOutputTokens: model.maxOutputTokens }),
    async generate(request) {
      const reservation = await budget.reserve(request);
      let result: Awaited<ReturnType<LanguageModel['generate']>>;
      try {
        result = await model.generate(request);
      } catch (error) {
        await budget.settle(reservation, undefined, endingOf(error, request));
        throw error;
      }
      await budget.settle(reservation, result.usage, 'answered');
      return result;
    },
  };
  const stream = model.stream?.bind(model);
  if (stream) {
    budgeted.stream = async function* (request: ModelRequest): AsyncIterable<ModelStreamPart> {
      const reservation = await budget.reserve(request);
      let usage: ModelUsage | undefined;
      let ended: 'answered' | 'aborted' | 'failed' = 'aborted';
      try {
        for await (const part of stream(request)) {
          if (part.type === 'finish') {
            usage = part.usage;
            ended = 'answered';
          }
          yield part;
        }
      } catch (error) {
        ended = endingOf(error, request);
        throw error;
      } finally {
        // Also when the consumer stopped reading early (an abort): the stream was cut, counted as aborted.
        await budget.settle(reservation, usage, ended);
      }
    };
  }
  return budgeted;
}
