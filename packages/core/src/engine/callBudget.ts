import { type BudgetPeriod, periodAt } from '../domain/budgetPeriod.js';
import { randomId } from '../domain/ids.js';
import { callUsage, type ModelPrices, priceOf } from '../domain/modelPrices.js';
import { roundUsd } from '../domain/usage.js';
import type { ModelRequest, ModelUsage } from '../model/languageModel.js';
import { type Clock, isoTime } from '../shared/clock.js';
import { RoadmapError } from '../shared/errors.js';
import type { BudgetLimits, BudgetRefused } from '../storage/budgetStore.js';
import type { Storage } from '../storage/storage.js';
import type { LeaseFence } from '../storage/taskStore.js';

/** The most output tokens a call is assumed to produce when its model does not say (`maxOutputTokens`). */
export const defaultMaxOutputTokens = 16_384;

/**
 * Tokens the structured-output schema and the message framing may add to a prompt, beyond its text: counted into
 * every reservation.
 */
const promptOverheadTokens = 1_500;

/**
 * The most input tokens `request` can take: one per character of its text (no tokenizer makes fewer characters
 * than tokens out of ordinary text; English averages about four per token), plus the schema and framing.
 */
export function worstCaseInputTokens(request: Pick<ModelRequest, 'system' | 'prompt' | 'feedback'>): number {
  const feedback = request.feedback ? request.feedback.output.length + request.feedback.error.length : 0;
  return request.system.length + request.prompt.length + feedback + promptOverheadTokens;
}

/** The worst case of one call in US dollars, or `null` when the model has no price (budgets cannot apply). */
export function worstCaseCostUsd(
  prices: ModelPrices,
  modelId: string,
  inputTokens: number,
  maxOutputTokens: number,
): number | null {
  if (priceOf(prices, modelId) === undefined) return null;
  return callUsage(prices, modelId, { inputTokens, outputTokens: maxOutputTokens }).cost_usd;
}

/** A reservation made for one call, settled once when the call ends. */
export interface CallReservation {
  readonly reservationId: string;
  readonly reservedUsd: number;
}

/** What {@link CallBudget} needs of its run. */
export interface CallBudgetSettings {
  storage: Storage;
  fence: LeaseFence;
  task: { task_id: string; user_id: string; budget_usd: number | null };
  /** The user's budget per period, read at each reservation (it may be raised while the task runs). */
  userBudgetUsd: () => number | null | Promise<number | null>;
  budgetPeriod: BudgetPeriod;
  prices: ModelPrices;
  modelId: string;
  maxOutputTokens: number;
  clock: Clock;
  /**
   * A reservation was refused: the run pauses on budget (once, however many calls are refused). Resolves when the
   * task is paused; the refused call then fails with `budget_exceeded`.
   */
  onRefused(refusal: BudgetRefused & { needed_usd: number }): Promise<void>;
}

/**
 * The budgets of one run's model calls (SPEC §7): before each call its worst case is reserved in storage (atomically
 * against the user's period budget and the task's budget), after it the reservation is settled with the reported
 * usage. A call that does not fit is not made: the run pauses with `pause_reason: "budget"`.
 */
export class CallBudget {
  constructor(private readonly settings: CallBudgetSettings) {}

  /**
   * Reserves the worst case of `request`; `undefined` when the model has no price (nothing can be limited). Throws
   * `budget_exceeded` (after the run paused) when it does not fit, `lease_lost` when the run lost its task.
   */
  async reserve(request: ModelRequest): Promise<CallReservation | undefined> {
    const { settings } = this;
    const reservedUsd = worstCaseCostUsd(
      settings.prices,
      settings.modelId,
      worstCaseInputTokens(request),
      settings.maxOutputTokens,
    );
    if (reservedUsd === null) return undefined;
    const now = settings.clock.now();
    const limits: BudgetLimits = { user_usd: await settings.userBudgetUsd(), task_usd: settings.task.budget_usd };
    const reservationId = randomId();
    const answer = await settings.storage.reserveBudget(
      settings.fence,
      {
        reservation_id: reservationId,
        task_id: settings.task.task_id,
        user_id: settings.task.user_id,
        period_start: isoTime(periodAt(now, settings.budgetPeriod).startMs),
        reserved_usd: reservedUsd,
        created_at: isoTime(now),
      },
      limits,
    );
    if (answer === null) {
      throw new RoadmapError('lease_lost', `Task ${settings.task.task_id} is no longer held by this worker (budget).`);
    }
    if (!answer.reserved) {
      await settings.onRefused({ ...answer, needed_usd: reservedUsd });
      throw new RoadmapError(
        'budget_exceeded',
        `The ${answer.scope === 'user' ? "user's" : "task's"} budget has $${roundUsd(answer.available_usd)} left; ` +
          `the next call may cost up to $${roundUsd(reservedUsd)}.`,
      );
    }
    return { reservationId, reservedUsd };
  }

  /**
   * Settles `reservation` with what the call cost: its reported usage at the model's price; a call that reported
   * nothing costs its worst case when it was aborted (the provider may have billed it) and nothing when it failed.
   */
  async settle(
    reservation: CallReservation | undefined,
    usage: ModelUsage | undefined,
    ended: 'answered' | 'aborted' | 'failed',
  ): Promise<void> {
    if (reservation === undefined) return;
    const { settings } = this;
    const spent =
      usage !== undefined
        ? (callUsage(settings.prices, settings.modelId, usage).cost_usd ?? reservation.reservedUsd)
        : ended === 'aborted'
          ? reservation.reservedUsd
          : 0;
    await settings.storage.settleBudget(reservation.reservationId, spent);
  }
}
