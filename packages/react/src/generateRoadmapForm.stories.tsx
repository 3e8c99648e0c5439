import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { GenerateRoadmapForm } from './generateRoadmapForm.js';
import { estimateRoute, generate } from './mockRoadmapApi.js';

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

/** What a generation would cost, asked of `POST /roadmaps/estimate` once the inputs rest (no model is called). */
export const WithEstimate: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Learning goal'), 'Learn Rust to write web services');
    await waitFor(() => expect(canvas.getByText(/model calls/)).toHaveTextContent('≈ $0.0238, about 75 model calls'));
  },
};

/** A server whose model has no price: the estimate tells the calls only. */
export const EstimateUnpriced: Story = {
  parameters: { msw: { handlers: { estimate: [estimateRoute({ priced: false })] } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('Learning goal'), 'Learn Rust to write web services');
    await waitFor(() => expect(canvas.getByText(/model calls/)).toHaveTextContent('About 75 model calls'));
  },
};
