import type { Meta, StoryObj } from '@storybook/react-vite';
import { ProgressBar } from './progressBar.js';

const meta = {
  title: 'Parts/ProgressBar',
  component: ProgressBar,
  args: { value: 45 },
  argTypes: { value: { control: { type: 'range', min: 0, max: 100, step: 1 } } },
  decorators: [
    (Story) => (
      <div style={{ maxWidth: 320 }}>
        <Story />
      </div>
    ),
  ],
} satisfies Meta<typeof ProgressBar>;

export default meta;
type Story = StoryObj<typeof meta>;

export const Empty: Story = { args: { value: 0 } };
export const InProgress: Story = { args: { value: 45, valueText: '12 of 27 items, 1 failed' } };
export const Complete: Story = { args: { value: 100, valueText: '24 of 24 items' } };
/** Values outside 0–100 are clamped. */
export const Clamped: Story = { args: { value: 140 } };
