import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, within } from 'storybook/test';
import { never, serverError, usageRoute } from './mockRoadmapApi.js';
import { UsageSummary } from './usageSummary.js';

const meta = {
  title: 'Usage/UsageSummary',
  component: UsageSummary,
  parameters: { msw: { handlers: { usage: [usageRoute()] } } },
} satisfies Meta<typeof UsageSummary>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The month so far without a budget: dollars spent, "no limit", tokens and calls. */
export const Loaded: Story = {
  play: async ({ canvasElement }) => {
    await expect(await within(canvasElement).findByText('This month: $1.23 spent, no limit')).toBeVisible();
  },
};

/** With a $10 monthly budget: the bar of the budget used, and the dollars reserved for calls in progress. */
export const WithBudget: Story = {
  parameters: { msw: { handlers: { usage: [usageRoute({ budget_usd: 10, reserved_usd: 0.42 })] } } },
};

/** A daily budget period (`ROADMAP_BUDGET_PERIOD=day`), nearly used up. */
export const DailyBudget: Story = {
  parameters: {
    msw: {
      handlers: {
        usage: [
          usageRoute({
            period_start: '2026-01-15T00:00:00.000Z',
            period_end: '2026-01-16T00:00:00.000Z',
            spent_usd: 0.4712,
            budget_usd: 0.5,
            input_tokens: 198_400,
            output_tokens: 244_900,
            calls: 61,
          }),
        ],
      },
    },
  },
};

/** `GET /usage` never answers. */
export const Loading: Story = {
  parameters: { msw: { handlers: { usage: [never('get', '/usage')] } } },
};

/** `GET /usage` answers 500: the server's message is shown. */
export const ServerError: Story = {
  parameters: { msw: { handlers: { usage: [serverError('get', '/usage')] } } },
};
