import type { Meta, StoryObj } from '@storybook/react-vite';
import { HttpResponse, http } from 'msw';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { GenerateRoadmapForm } from './generateRoadmapForm.js';
import { apiPath, estimateRoute, generate } from './mockRoadmapApi.js';

const meta = {
  title: 'Generate/GenerateRoadmapForm',
  component: GenerateRoadmapForm,
  args: { onCreated: fn() },
  decorators: [
    (Story) => (
      <div style={{ maxWidth: 560 }}>
        <Story />
      </div>
    ),
  ],
  parameters: { msw: { handlers: { generate: [generate()] } } },
} satisfies Meta<typeof GenerateRoadmapForm>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The empty form, with its defaults (10 hours a week, beginner). */
export const Default: Story = {};

/** A valid request: `POST /roadmaps/generate` answers 202 and `onCreated` gets the new task. */
export const Valid: Story = {
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Learning goal'), 'Learn Rust to write web services');
    await userEvent.click(canvas.getByRole('button', { name: 'Generate roadmap' }));
    await waitFor(() => expect(args.onCreated).toHaveBeenCalledWith(expect.objectContaining({ status: 'pending' })));
  },
};

/** Checked in the browser with core's schema before anything is sent: a goal too short, hours out of range. */
export const ValidationErrors: Story = {
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Learning goal'), 'ab');
    const hours = canvas.getByLabelText('Hours per week');
    await userEvent.clear(hours);
    await userEvent.type(hours, '200');
    await userEvent.click(canvas.getByRole('button', { name: 'Generate roadmap' }));
    await expect(canvas.getByLabelText('Learning goal')).toHaveAttribute('aria-invalid', 'true');
    await expect(hours).toHaveAttribute('aria-invalid', 'true');
    await expect(args.onCreated).not.toHaveBeenCalled();
  },
};

/** The server refuses a field (400 `invalid_input` with `errors[]`): the field is marked. */
export const ServerValidationError: Story = {
  parameters: { msw: { handlers: { generate: [generate('invalid')] } } },
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Learning goal'), 'Learn Rust to write web services');
    await userEvent.click(canvas.getByRole('button', { name: 'Generate roadmap' }));
    await waitFor(() => expect(canvas.getByLabelText('Learning goal')).toHaveAttribute('aria-invalid', 'true'));
    await expect(args.onCreated).not.toHaveBeenCalled();
  },
};

/**
 * What a generation would cost, asked of `POST /roadmaps/estimate` 300 ms after the inputs rest (no model is called),
 * and asked again when the hours per week change (fewer hours, fewer concepts).
 */
export const WithEstimate: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Learning goal'), 'Learn Rust to write web services');
    await waitFor(() => expect(canvas.getByText(/model calls/)).toHaveTextContent('≈ $0.0455, about 75 model calls'));
    const hours = canvas.getByLabelText('Hours per week');
    await userEvent.clear(hours);
    await userEvent.type(hours, '4');
    await waitFor(() => expect(canvas.getByText(/model calls/)).toHaveTextContent('≈ $0.0244, about 39 model calls'));
  },
};

/** A server whose model has no price (`estimated_cost_usd: null`): the estimate tells the calls only. */
export const EstimateUnpriced: Story = {
  parameters: { msw: { handlers: { estimate: [estimateRoute({ priced: false })] } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Learning goal'), 'Learn Rust to write web services');
    await waitFor(() => expect(canvas.getByText(/model calls/)).toHaveTextContent('About 75 model calls'));
  },
};

/** The estimate fails (503): the line stays empty, and Generate works as ever. */
export const EstimateUnavailable: Story = {
  parameters: {
    msw: {
      handlers: {
        estimate: [
          http.post(apiPath('/roadmaps/estimate'), () =>
            HttpResponse.json({ detail: 'The server is shutting down.', code: 'unavailable' }, { status: 503 }),
          ),
        ],
      },
    },
  },
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Learning goal'), 'Learn Rust to write web services');
    // Past the 300 ms rest and the failed answer.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await expect(canvasElement.querySelector('[data-slot="estimate"]')).toHaveTextContent('');
    await userEvent.click(canvas.getByRole('button', { name: 'Generate roadmap' }));
    await waitFor(() => expect(args.onCreated).toHaveBeenCalled());
  },
};
